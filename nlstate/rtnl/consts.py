"""rtnetlink numbers: message types, multicast groups, route types/protocols/scopes/tables.

Values from <linux/rtnetlink.h> and the kernel's rt-*.yaml specs.
"""

from __future__ import annotations

import socket

AF_UNSPEC = 0
AF_INET = socket.AF_INET
AF_INET6 = socket.AF_INET6
AF_BRIDGE = 7
AF_MPLS = 28
FAMILY_NAMES: dict[int, str] = {AF_INET: "ipv4", AF_INET6: "ipv6"}  # the state file's words
FAMILY_NUMBERS: dict[str, int] = {name: number for number, name in FAMILY_NAMES.items()}
# what a route or rule without RTA_DST / FRA_DST covers
ANY_ADDRESS: dict[int, str] = {AF_INET: "0.0.0.0", AF_INET6: "::"}

RTM_NEWLINK, RTM_DELLINK, RTM_GETLINK, RTM_SETLINK = 16, 17, 18, 19
# IFLA_EXT_MASK bits of an RTM_GETLINK
RTEXT_FILTER_SKIP_STATS = 1 << 3
RTM_NEWADDR, RTM_DELADDR, RTM_GETADDR = 20, 21, 22
RTM_NEWROUTE, RTM_DELROUTE, RTM_GETROUTE = 24, 25, 26
RTM_NEWNEIGH, RTM_DELNEIGH, RTM_GETNEIGH = 28, 29, 30
RTM_NEWRULE, RTM_DELRULE, RTM_GETRULE = 32, 33, 34
RTM_NEWNEXTHOP, RTM_DELNEXTHOP, RTM_GETNEXTHOP = 104, 105, 106
# a link's property list (IFLA_PROP_LIST: its alternative names), added to or taken from
RTM_NEWLINKPROP, RTM_DELLINKPROP = 108, 109

# enum rtnetlink_groups
RTNLGRP_LINK = 1
RTNLGRP_NOTIFY = 2
RTNLGRP_NEIGH = 3
RTNLGRP_TC = 4
RTNLGRP_IPV4_IFADDR = 5
RTNLGRP_IPV4_MROUTE = 6
RTNLGRP_IPV4_ROUTE = 7
RTNLGRP_IPV4_RULE = 8
RTNLGRP_IPV6_IFADDR = 9
RTNLGRP_IPV6_MROUTE = 10
RTNLGRP_IPV6_ROUTE = 11
RTNLGRP_IPV6_IFINFO = 12
RTNLGRP_IPV6_PREFIX = 18
RTNLGRP_IPV6_RULE = 19
RTNLGRP_ND_USEROPT = 20
RTNLGRP_IPV4_NETCONF = 24
RTNLGRP_IPV6_NETCONF = 25
RTNLGRP_MDB = 26
RTNLGRP_MPLS_ROUTE = 27
RTNLGRP_NSID = 28
RTNLGRP_MPLS_NETCONF = 29
RTNLGRP_IPV4_MROUTE_R = 30
RTNLGRP_IPV6_MROUTE_R = 31
RTNLGRP_NEXTHOP = 32
RTNLGRP_BRVLAN = 33
RTNLGRP_MCTP_IFADDR = 34
RTNLGRP_TUNNEL = 35
RTNLGRP_STATS = 36

# rtm_type
RTN_UNSPEC, RTN_UNICAST, RTN_LOCAL, RTN_BROADCAST, RTN_ANYCAST, RTN_MULTICAST = 0, 1, 2, 3, 4, 5
RTN_BLACKHOLE, RTN_UNREACHABLE, RTN_PROHIBIT, RTN_THROW, RTN_NAT = 6, 7, 8, 9, 10
ROUTE_TYPES = {
    RTN_UNSPEC: "unspec", RTN_UNICAST: "unicast", RTN_LOCAL: "local",
    RTN_BROADCAST: "broadcast", RTN_ANYCAST: "anycast", RTN_MULTICAST: "multicast",
    RTN_BLACKHOLE: "blackhole", RTN_UNREACHABLE: "unreachable", RTN_PROHIBIT: "prohibit",
    RTN_THROW: "throw", RTN_NAT: "nat", 11: "xresolve",
}  # fmt: skip

# rtm_protocol (names as in /etc/iproute2/rt_protos)
RTPROT_UNSPEC, RTPROT_REDIRECT, RTPROT_KERNEL, RTPROT_BOOT, RTPROT_STATIC = 0, 1, 2, 3, 4
ROUTE_PROTOCOLS = {
    0: "unspec", 1: "redirect", 2: "kernel", 3: "boot", 4: "static", 8: "gated", 9: "ra",
    10: "mrt", 11: "zebra", 12: "bird", 13: "dnrouted", 14: "xorp", 15: "ntk", 16: "dhcp",
    17: "mrouted", 18: "keepalived", 42: "babel", 99: "openr", 186: "bgp", 187: "isis",
    188: "ospf", 189: "rip", 192: "eigrp",
}  # fmt: skip

# rtm_scope
RT_SCOPE_UNIVERSE, RT_SCOPE_SITE, RT_SCOPE_LINK, RT_SCOPE_HOST, RT_SCOPE_NOWHERE = (
    0, 200, 253, 254, 255)
SCOPES = {0: "global", 200: "site", 253: "link", 254: "host", 255: "nowhere"}

# tables
RT_TABLE_UNSPEC, RT_TABLE_DEFAULT, RT_TABLE_MAIN, RT_TABLE_LOCAL = 0, 253, 254, 255
RT_TABLE_COMPAT = 252  # rtm_table of a route in a table above 255 (RTA_TABLE has it)
TABLES = {253: "default", 254: "main", 255: "local"}

# rtm_flags
RTM_F_NOTIFY = 0x100
RTM_F_CLONED = 0x200
RTM_F_EQUALIZE = 0x400
RTM_F_PREFIX = 0x800
RTM_F_LOOKUP_TABLE = 0x1000
RTM_F_FIB_MATCH = 0x2000
RTM_F_OFFLOAD = 0x4000
RTM_F_TRAP = 0x8000
RTM_F_OFFLOAD_FAILED = 0x20000000

# rtnh_flags / rtm_flags next-hop bits
RTNH_F_DEAD = 1
RTNH_F_PERVASIVE = 2
RTNH_F_ONLINK = 4
RTNH_F_OFFLOAD = 8
RTNH_F_LINKDOWN = 16
RTNH_F_UNRESOLVED = 32
RTNH_F_TRAP = 64
