"""vxlan: VXLAN tunnels (IFLA_VXLAN_*, <linux/if_link.h>; the kernel's spec has no vxlan set).

Wire types as the kernel's vxlan_policy: group/local are IPv4 and group6/local6 IPv6
addresses (ipaddr), port and the port-range members are __be16, label is a __be32;
gbp, remcsum-nopartial, gpe and ttl-inherit are flags (present = on).
"""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.rtnl.link import packed

KIND = "vxlan"

IANA_VXLAN_UDP_PORT = 4789

# IFLA_VXLAN_DF (enum ifla_vxlan_df)
DF_MODES = {0: "unset", 1: "set", 2: "inherit"}
# IFLA_VXLAN_LABEL_POLICY (enum ifla_vxlan_label_policy)
LABEL_POLICIES = {0: "fixed", 1: "inherit"}

DATA = AttrSet("linkinfo-vxlan-attrs", "ifla-vxlan-", [
    Attr("id", "u32"),
    Attr("group", "ipaddr"),
    Attr("link", "u32"),
    Attr("local", "ipaddr"),
    Attr("ttl", "u8"),
    Attr("tos", "u8"),
    Attr("learning", "u8"),
    Attr("ageing", "u32"),
    Attr("limit", "u32"),
    packed("port-range", [("low", ">H"), ("high", ">H")]),  # struct ifla_vxlan_port_range
    Attr("proxy", "u8"),
    Attr("rsc", "u8"),
    Attr("l2miss", "u8"),
    Attr("l3miss", "u8"),
    Attr("port", "u16", byte_order="big"),
    Attr("group6", "ipaddr"),
    Attr("local6", "ipaddr"),
    Attr("udp-csum", "u8"),
    Attr("udp-zero-csum6-tx", "u8"),
    Attr("udp-zero-csum6-rx", "u8"),
    Attr("remcsum-tx", "u8"),
    Attr("remcsum-rx", "u8"),
    Attr("gbp", "flag"),
    Attr("remcsum-nopartial", "flag"),
    Attr("collect-metadata", "u8"),
    Attr("label", "u32", byte_order="big"),
    Attr("gpe", "flag"),
    Attr("ttl-inherit", "flag"),
    Attr("df", "u8"),
    Attr("vnifilter", "u8"),
    Attr("localbypass", "u8"),
    Attr("label-policy", "u32"),
    Attr("reserved-bits", "binary"),  # 8 bytes: a struct vxlanhdr mask
    Attr("mc-route", "u8"),
])
