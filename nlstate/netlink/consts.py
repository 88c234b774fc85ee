"""Netlink protocol constants, as named in <linux/netlink.h>."""

from __future__ import annotations

import socket

AF_NETLINK: int = getattr(socket, "AF_NETLINK", 16)
NETLINK_ROUTE = 0

SOL_NETLINK = 270
SO_RCVBUFFORCE: int = getattr(socket, "SO_RCVBUFFORCE", 33)
SO_SNDBUFFORCE: int = getattr(socket, "SO_SNDBUFFORCE", 32)

# setsockopt(SOL_NETLINK, ...)
NETLINK_ADD_MEMBERSHIP = 1
NETLINK_DROP_MEMBERSHIP = 2
NETLINK_PKTINFO = 3
NETLINK_BROADCAST_ERROR = 4
NETLINK_NO_ENOBUFS = 5
NETLINK_LISTEN_ALL_NSID = 8
NETLINK_CAP_ACK = 10
NETLINK_EXT_ACK = 11
NETLINK_GET_STRICT_CHK = 12

# nlmsghdr.nlmsg_flags
NLM_F_REQUEST = 0x01
NLM_F_MULTI = 0x02
NLM_F_ACK = 0x04
NLM_F_ECHO = 0x08
NLM_F_DUMP_INTR = 0x10
NLM_F_DUMP_FILTERED = 0x20
# modifiers to GET requests
NLM_F_ROOT = 0x100
NLM_F_MATCH = 0x200
NLM_F_ATOMIC = 0x400
NLM_F_DUMP = NLM_F_ROOT | NLM_F_MATCH
# modifiers to NEW requests
NLM_F_REPLACE = 0x100
NLM_F_EXCL = 0x200
NLM_F_CREATE = 0x400
NLM_F_APPEND = 0x800
# modifiers to DELETE requests
NLM_F_NONREC = 0x100
NLM_F_BULK = 0x200
# flags of NLMSG_ERROR
NLM_F_CAPPED = 0x100
NLM_F_ACK_TLVS = 0x200

# control message types
NLMSG_NOOP = 0x1
NLMSG_ERROR = 0x2
NLMSG_DONE = 0x3
NLMSG_OVERRUN = 0x4
NLMSG_MIN_TYPE = 0x10

NLMSG_ALIGNTO = 4
NLMSG_HDRLEN = 16
NLA_HDRLEN = 4

NLA_F_NESTED = 1 << 15
NLA_F_NET_BYTEORDER = 1 << 14
NLA_TYPE_MASK = ~(NLA_F_NESTED | NLA_F_NET_BYTEORDER) & 0xFFFF

# extended ACK attributes (enum nlmsgerr_attrs)
NLMSGERR_ATTR_MSG = 1
NLMSGERR_ATTR_OFFS = 2
NLMSGERR_ATTR_COOKIE = 3
NLMSGERR_ATTR_POLICY = 4
NLMSGERR_ATTR_MISS_TYPE = 5
NLMSGERR_ATTR_MISS_NEST = 6

# Flag names by context, for plans and error messages.
GET_FLAG_NAMES = {NLM_F_ROOT: "ROOT", NLM_F_MATCH: "MATCH", NLM_F_ATOMIC: "ATOMIC"}
NEW_FLAG_NAMES = {
    NLM_F_REPLACE: "REPLACE",
    NLM_F_EXCL: "EXCL",
    NLM_F_CREATE: "CREATE",
    NLM_F_APPEND: "APPEND",
}
DEL_FLAG_NAMES = {NLM_F_NONREC: "NONREC", NLM_F_BULK: "BULK"}
BASE_FLAG_NAMES = {
    NLM_F_REQUEST: "REQUEST",
    NLM_F_MULTI: "MULTI",
    NLM_F_ACK: "ACK",
    NLM_F_ECHO: "ECHO",
    NLM_F_DUMP_INTR: "DUMP_INTR",
    NLM_F_DUMP_FILTERED: "DUMP_FILTERED",
}


def align(length: int) -> int:
    """NLMSG_ALIGN / NLA_ALIGN: round up to a multiple of four."""
    return (length + 3) & ~3


def flag_names(flags: int, context: dict[int, str] | None = None) -> list[str]:
    """Name the bits of nlmsg_flags; `context` picks the GET/NEW/DEL meaning of 0x100-0x800."""
    names = [name for bit, name in BASE_FLAG_NAMES.items() if flags & bit]
    upper = context or {}
    names += [name for bit, name in upper.items() if flags & bit]
    known = sum(BASE_FLAG_NAMES) | sum(upper)
    if flags & ~known:
        names.append(hex(flags & ~known))
    return names
