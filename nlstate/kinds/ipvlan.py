"""ipvlan and ipvtap: IP-based virtual links on a parent (IFLA_IPVLAN_*, <linux/if_link.h>)."""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet

KINDS = ("ipvlan", "ipvtap")

IPVLAN_MODE_L2 = 0
IPVLAN_MODE_L3 = 1
IPVLAN_MODE_L3S = 2
MODES = {IPVLAN_MODE_L2: "l2", IPVLAN_MODE_L3: "l3", IPVLAN_MODE_L3S: "l3s"}

# IFLA_IPVLAN_FLAGS; neither set means "bridge"
IPVLAN_F_PRIVATE = 0x01
IPVLAN_F_VEPA = 0x02
FLAGS = {IPVLAN_F_PRIVATE: "private", IPVLAN_F_VEPA: "vepa"}

DATA = AttrSet("linkinfo-ipvlan-attrs", "ifla-ipvlan-", [
    Attr("mode", "u16"),
    Attr("flags", "u16"),
])
