"""gre, gretap, erspan and their IPv6 forms: GRE tunnels (IFLA_GRE_*, rt-link.yaml).

One set serves all six kinds: local/remote decode as ipaddr whatever their length (the spec's
linkinfo-gre6-attrs is the same numbering with IPv6 addresses). iflags/oflags carry the GRE
header flags as the __be16 they are on the wire (GRE_KEY, GRE_CSUM, GRE_SEQ below).
"""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet

KINDS = ("gre", "gretap", "erspan", "ip6gre", "ip6gretap", "ip6erspan")

# GRE header flags in IFLA_GRE_IFLAGS / IFLA_GRE_OFLAGS (host values of the __be16)
GRE_CSUM = 0x8000
GRE_ROUTING = 0x4000
GRE_KEY = 0x2000
GRE_SEQ = 0x1000

# IFLA_GRE_ENCAP_TYPE (enum tunnel_encap_types)
ENCAP_TYPES = {0: "none", 1: "fou", 2: "gue", 3: "mpls"}

DATA = AttrSet("linkinfo-gre-attrs", "ifla-gre-", [
    Attr("link", "u32"),
    Attr("iflags", "u16", byte_order="big"),
    Attr("oflags", "u16", byte_order="big"),
    Attr("ikey", "u32", byte_order="big"),
    Attr("okey", "u32", byte_order="big"),
    Attr("local", "ipaddr"),
    Attr("remote", "ipaddr"),
    Attr("ttl", "u8"),
    Attr("tos", "u8"),
    Attr("pmtudisc", "u8"),
    Attr("encap-limit", "u8"),
    Attr("flowinfo", "u32", byte_order="big"),
    Attr("flags", "u32"),
    Attr("encap-type", "u16"),
    Attr("encap-flags", "u16"),
    Attr("encap-sport", "u16", byte_order="big"),
    Attr("encap-dport", "u16", byte_order="big"),
    Attr("collect-metadata", "flag"),
    Attr("ignore-df", "u8"),
    Attr("fwmark", "u32"),
    Attr("erspan-index", "u32"),
    Attr("erspan-ver", "u8"),
    Attr("erspan-dir", "u8"),
    Attr("erspan-hwid", "u16"),
])
