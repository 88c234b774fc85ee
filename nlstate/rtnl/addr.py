"""Addresses: ifaddrmsg and IFA_* (rt-addr.yaml)."""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet, Member, Struct
from nlstate.netlink.message import MessageSpec

IFADDRMSG = Struct("ifaddrmsg", [
    Member("ifa-family", "u8"),
    Member("ifa-prefixlen", "u8"),
    Member("ifa-flags", "u8"),
    Member("ifa-scope", "u8"),
    Member("ifa-index", "u32"),
])

IFA_CACHEINFO = Struct("ifa-cacheinfo", [
    Member("ifa-prefered", "u32"),
    Member("ifa-valid", "u32"),
    Member("cstamp", "u32"),
    Member("tstamp", "u32"),
])

# ifa-flags (IFA_F_*); the low eight also travel in ifaddrmsg.ifa_flags
IFA_F_SECONDARY = 0x01
IFA_F_NODAD = 0x02
IFA_F_OPTIMISTIC = 0x04
IFA_F_DADFAILED = 0x08
IFA_F_HOMEADDRESS = 0x10
IFA_F_DEPRECATED = 0x20
IFA_F_TENTATIVE = 0x40
IFA_F_PERMANENT = 0x80
IFA_F_MANAGETEMPADDR = 0x100
IFA_F_NOPREFIXROUTE = 0x200
IFA_F_MCAUTOJOIN = 0x400
IFA_F_STABLE_PRIVACY = 0x800

INFINITY_LIFE_TIME = 0xFFFFFFFF

ADDR_ATTRS = AttrSet("addr-attrs", "ifa-", [
    Attr("address", "ipaddr"),
    Attr("local", "ipaddr"),
    Attr("label", "string"),
    Attr("broadcast", "ipaddr"),
    Attr("anycast", "ipaddr"),
    Attr("cacheinfo", "struct", struct=IFA_CACHEINFO),
    Attr("multicast", "ipaddr"),
    Attr("flags", "u32"),
    Attr("rt-priority", "u32"),
    Attr("target-netnsid", "s32"),
    Attr("proto", "u8"),
])

ADDR = MessageSpec("addr", IFADDRMSG, ADDR_ATTRS)
