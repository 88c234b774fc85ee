"""vrf: an L3 master device bound to a routing table (IFLA_VRF_*, rt-link.yaml); its ports
report their table in IFLA_INFO_SLAVE_DATA (IFLA_VRF_PORT_*, <linux/if_link.h>)."""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet

KIND = "vrf"

DATA = AttrSet("linkinfo-vrf-attrs", "ifla-vrf-", [
    Attr("table", "u32"),
])

PORT_DATA = AttrSet("linkinfo-vrf-port-attrs", "ifla-vrf-port-", [
    Attr("table", "u32"),
])
