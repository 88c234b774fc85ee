"""tun/tap: kind "tun" for both (IFLA_TUN_*, rt-link.yaml).

The kernel creates tun/tap devices only through /dev/net/tun (TUNSETIFF); RTM_NEWLINK with
kind "tun" is refused ("tun/tap creation via rtnetlink is not supported."). The table
decodes what dumps report about existing devices.
"""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet

KIND = "tun"

# IFLA_TUN_TYPE (IFF_TUN / IFF_TAP)
IFF_TUN = 0x0001
IFF_TAP = 0x0002
TYPES = {IFF_TUN: "tun", IFF_TAP: "tap"}

DATA = AttrSet("linkinfo-tun-attrs", "ifla-tun-", [
    Attr("owner", "u32"),
    Attr("group", "u32"),
    Attr("type", "u8"),
    Attr("pi", "u8"),
    Attr("vnet-hdr", "u8"),
    Attr("persist", "u8"),
    Attr("multi-queue", "u8"),
    Attr("num-queues", "u32"),
    Attr("num-disabled-queues", "u32"),
])
