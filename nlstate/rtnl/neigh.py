"""Neighbours (ARP/NDP entries, bridge FDB): ndmsg and NDA_* (rt-neigh.yaml, <linux/neighbour.h>).

Deviations from the spec, for what the kernel puts on the wire: NDA_DST is a 4- or 16-byte
address (ipaddr), NDA_LLADDR a hardware address (mac), NDA_PORT a __be16 (the VXLAN FDB
destination port; the spec says host-order u16), NDA_FDB_EXT_ATTRS a nest of NFEA_*
(the spec says binary).
"""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet, Member, Struct
from nlstate.netlink.message import MessageSpec

NDMSG = Struct("ndmsg", [
    Member("ndm-family", "u8"),
    Member("ndm-pad", "pad", 3),
    Member("ndm-ifindex", "s32"),
    Member("ndm-state", "u16"),
    Member("ndm-flags", "u8"),
    Member("ndm-type", "u8"),
])

NDA_CACHEINFO = Struct("nda-cacheinfo", [
    Member("confirmed", "u32"),
    Member("used", "u32"),
    Member("updated", "u32"),
    Member("refcnt", "u32"),
])

# ndm_state (NUD_*)
NUD_NONE = 0x00
NUD_INCOMPLETE = 0x01
NUD_REACHABLE = 0x02
NUD_STALE = 0x04
NUD_DELAY = 0x08
NUD_PROBE = 0x10
NUD_FAILED = 0x20
NUD_NOARP = 0x40
NUD_PERMANENT = 0x80
NUD_STATES = {
    NUD_INCOMPLETE: "incomplete", NUD_REACHABLE: "reachable", NUD_STALE: "stale",
    NUD_DELAY: "delay", NUD_PROBE: "probe", NUD_FAILED: "failed", NUD_NOARP: "noarp",
    NUD_PERMANENT: "permanent",
}  # fmt: skip

# ndm_flags (NTF_*)
NTF_USE = 0x01
NTF_SELF = 0x02
NTF_MASTER = 0x04
NTF_PROXY = 0x08
NTF_EXT_LEARNED = 0x10
NTF_OFFLOADED = 0x20
NTF_STICKY = 0x40
NTF_ROUTER = 0x80
NTF_FLAGS = {
    NTF_USE: "use", NTF_SELF: "self", NTF_MASTER: "master", NTF_PROXY: "proxy",
    NTF_EXT_LEARNED: "ext-learned", NTF_OFFLOADED: "offloaded", NTF_STICKY: "sticky",
    NTF_ROUTER: "router",
}  # fmt: skip

# NDA_FLAGS_EXT (NTF_EXT_*)
NTF_EXT_MANAGED = 0x1
NTF_EXT_LOCKED = 0x2
NTF_EXT_EXT_VALIDATED = 0x4
NTF_EXT_FLAGS = {NTF_EXT_MANAGED: "managed", NTF_EXT_LOCKED: "locked",
                 NTF_EXT_EXT_VALIDATED: "ext-validated"}

# NFEA_ACTIVITY_NOTIFY values
FDB_NOTIFY_BIT = 0x1
FDB_NOTIFY_INACTIVE_BIT = 0x2

FDB_EXT_ATTRS = AttrSet("fdb-ext-attrs", "nfea-", [
    Attr("activity-notify", "u8"),
    Attr("dont-refresh", "flag"),
])

NEIGHBOUR_ATTRS = AttrSet("neighbour-attrs", "nda-", [
    Attr("dst", "ipaddr"),
    Attr("lladdr", "mac"),
    Attr("cacheinfo", "struct", struct=NDA_CACHEINFO),
    Attr("probes", "u32"),
    Attr("vlan", "u16"),
    Attr("port", "u16", byte_order="big"),
    Attr("vni", "u32"),
    Attr("ifindex", "u32"),
    Attr("master", "u32"),
    Attr("link-netnsid", "s32"),
    Attr("src-vni", "u32"),
    Attr("protocol", "u8"),
    Attr("nh-id", "u32"),
    Attr("fdb-ext-attrs", "nest", nested=FDB_EXT_ATTRS),
    Attr("flags-ext", "u32"),
    Attr("ndm-state-mask", "u16"),
    Attr("ndm-flags-mask", "u8"),
])

NEIGH = MessageSpec("neigh", NDMSG, NEIGHBOUR_ATTRS)
