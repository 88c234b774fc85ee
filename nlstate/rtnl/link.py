"""Links: ifinfomsg and IFLA_* (rt-link.yaml).

IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA are sub-messages chosen by the link's kind;
the kind modules add their attribute sets to LINKINFO_DATA / LINKINFO_SLAVE_DATA.
"""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet, Member, Struct, SubMessage
from nlstate.netlink.message import MessageSpec

IFINFOMSG = Struct("ifinfomsg", [
    Member("ifi-family", "u8"),
    Member("pad", "pad", 1),
    Member("ifi-type", "u16"),
    Member("ifi-index", "s32"),
    Member("ifi-flags", "u32"),
    Member("ifi-change", "u32"),
])

# net_device_flags (IFF_*)
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MULTICAST = 0x1000
IFF_LOWER_UP = 0x10000
IFF_DORMANT = 0x20000

# IF_OPER_*
OPERSTATES = {0: "unknown", 1: "notpresent", 2: "down", 3: "lowerlayerdown", 4: "testing",
              5: "dormant", 6: "up"}

LINKINFO_DATA = SubMessage("kind")
LINKINFO_SLAVE_DATA = SubMessage("slave-kind")

LINKINFO_ATTRS = AttrSet("linkinfo-attrs", "ifla-info-", [
    Attr("kind", "string"),
    Attr("data", "sub-message", sub_message=LINKINFO_DATA),
    Attr("xstats", "binary"),
    Attr("slave-kind", "string"),
    Attr("slave-data", "sub-message", sub_message=LINKINFO_SLAVE_DATA),
])

PROP_LIST_ATTRS = AttrSet("prop-list-link-attrs", "ifla-", [
    (53, Attr("alt-ifname", "string", multi=True)),
])

LINK_ATTRS = AttrSet("link-attrs", "ifla-", [
    Attr("address", "mac"),
    Attr("broadcast", "mac"),
    Attr("ifname", "string"),
    Attr("mtu", "u32"),
    Attr("link", "u32"),
    Attr("qdisc", "string"),
    Attr("stats", "binary"),
    Attr("cost", "string"),
    Attr("priority", "string"),
    Attr("master", "u32"),
    Attr("wireless", "string"),
    Attr("protinfo", "binary"),
    Attr("txqlen", "u32"),
    Attr("map", "binary"),
    Attr("weight", "u32"),
    Attr("operstate", "u8"),
    Attr("linkmode", "u8"),
    Attr("linkinfo", "nest", nested=LINKINFO_ATTRS),
    Attr("net-ns-pid", "u32"),
    Attr("ifalias", "string"),
    Attr("num-vf", "u32"),
    Attr("vfinfo-list", "binary"),
    Attr("stats64", "binary"),
    Attr("vf-ports", "binary"),
    Attr("port-self", "binary"),
    Attr("af-spec", "binary"),
    Attr("group", "u32"),
    Attr("net-ns-fd", "u32"),
    Attr("ext-mask", "u32"),
    Attr("promiscuity", "u32"),
    Attr("num-tx-queues", "u32"),
    Attr("num-rx-queues", "u32"),
    Attr("carrier", "u8"),
    Attr("phys-port-id", "binary"),
    Attr("carrier-changes", "u32"),
    Attr("phys-switch-id", "binary"),
    Attr("link-netnsid", "s32"),
    Attr("phys-port-name", "string"),
    Attr("proto-down", "u8"),
    Attr("gso-max-segs", "u32"),
    Attr("gso-max-size", "u32"),
    Attr("pad", "pad"),
    Attr("xdp", "binary"),
    Attr("event", "u32"),
    Attr("new-netnsid", "s32"),
    Attr("target-netnsid", "s32"),
    Attr("carrier-up-count", "u32"),
    Attr("carrier-down-count", "u32"),
    Attr("new-ifindex", "s32"),
    Attr("min-mtu", "u32"),
    Attr("max-mtu", "u32"),
    Attr("prop-list", "nest", nested=PROP_LIST_ATTRS, nested_flag=True),
    Attr("alt-ifname", "string"),
    Attr("perm-address", "mac"),
    Attr("proto-down-reason", "binary"),
    Attr("parent-dev-name", "string"),
    Attr("parent-dev-bus-name", "string"),
    Attr("gro-max-size", "u32"),
    Attr("tso-max-size", "u32"),
    Attr("tso-max-segs", "u32"),
    Attr("allmulti", "u32"),
    Attr("devlink-port", "binary"),
    Attr("gso-ipv4-max-size", "u32"),
    Attr("gro-ipv4-max-size", "u32"),
    Attr("dpll-pin", "binary"),
    Attr("max-pacing-offload-horizon", "uint"),
    Attr("netns-immutable", "u8"),
    Attr("headroom", "u16"),
    Attr("tailroom", "u16"),
])

LINK = MessageSpec("link", IFINFOMSG, LINK_ATTRS)
