"""Routes: rtmsg and RTA_* (rt-route.yaml), with RTA_MULTIPATH and RTA_VIA codecs."""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping
from typing import Any

from nlstate.netlink.codec import Attr, Attrs, AttrSet, Member, Struct, decode_attrs, encode_ipaddr
from nlstate.netlink.consts import align
from nlstate.netlink.errors import DecodeError
from nlstate.netlink.message import MessageSpec

RTMSG = Struct("rtmsg", [
    Member("rtm-family", "u8"),
    Member("rtm-dst-len", "u8"),
    Member("rtm-src-len", "u8"),
    Member("rtm-tos", "u8"),
    Member("rtm-table", "u8"),
    Member("rtm-protocol", "u8"),
    Member("rtm-scope", "u8"),
    Member("rtm-type", "u8"),
    Member("rtm-flags", "u32"),
])

RTA_CACHEINFO = Struct("rta-cacheinfo", [
    Member("rta-clntref", "u32"),
    Member("rta-lastuse", "u32"),
    Member("rta-expires", "u32"),
    Member("rta-error", "u32"),
    Member("rta-used", "u32"),
    Member("rta-id", "u32"),
    Member("rta-ts", "u32"),
    Member("rta-tsage", "u32"),
])

METRICS = AttrSet("metrics", "rtax-", [
    Attr("lock", "u32"),
    Attr("mtu", "u32"),
    Attr("window", "u32"),
    Attr("rtt", "u32"),
    Attr("rttvar", "u32"),
    Attr("ssthresh", "u32"),
    Attr("cwnd", "u32"),
    Attr("advmss", "u32"),
    Attr("reordering", "u32"),
    Attr("hoplimit", "u32"),
    Attr("initcwnd", "u32"),
    Attr("features", "u32"),
    Attr("rto-min", "u32"),
    Attr("initrwnd", "u32"),
    Attr("quickack", "u32"),
    Attr("cc-algo", "string"),
    Attr("fastopen-no-cookie", "u32"),
])

_RTNEXTHOP = struct.Struct("=HBBi")
_RTVIA_FAMILY = struct.Struct("=H")


def _decode_multipath(payload: bytes, _: Attrs) -> list[dict[str, Any]]:
    """struct rtnexthop {len, flags, hops, ifindex} followed by RTA_* of that hop, repeated."""
    hops: list[dict[str, Any]] = []
    offset, end = 0, len(payload)
    while offset + _RTNEXTHOP.size <= end:
        length, flags, hops_, ifindex = _RTNEXTHOP.unpack_from(payload, offset)
        if length < _RTNEXTHOP.size or offset + length > end:
            raise DecodeError(f"RTA_MULTIPATH: bad rtnexthop length {length}")
        attrs = decode_attrs(payload, offset + _RTNEXTHOP.size, offset + length, RTNH_ATTRS)
        hops.append({"flags": flags, "hops": hops_, "ifindex": ifindex, "attrs": attrs})
        offset += align(length)
    return hops


def _encode_multipath(value: list[Mapping[str, Any]], _: object) -> bytes:
    parts = []
    for hop in value:
        attrs = RTNH_ATTRS.encode(hop.get("attrs", {}))
        head = _RTNEXTHOP.pack(_RTNEXTHOP.size + len(attrs), hop.get("flags", 0),
                               hop.get("hops", 0), hop.get("ifindex", 0))
        parts.append(head + attrs)
    return b"".join(parts)


def _decode_via(payload: bytes, _: Attrs) -> dict[str, Any]:
    """struct rtvia {family; addr[]}: a gateway of another family (IPv6 via for IPv4)."""
    (family,) = _RTVIA_FAMILY.unpack_from(payload)
    addr = payload[2:]
    if family in (socket.AF_INET, socket.AF_INET6):
        return {"family": family, "address": socket.inet_ntop(family, addr)}
    return {"family": family, "address": addr.hex()}


def _encode_via(value: Mapping[str, Any], _: object) -> bytes:
    family = value["family"]
    if family in (socket.AF_INET, socket.AF_INET6):
        return _RTVIA_FAMILY.pack(family) + encode_ipaddr(value["address"])
    return _RTVIA_FAMILY.pack(family) + bytes.fromhex(value["address"])


ROUTE_ATTRS = AttrSet("route-attrs", "rta-", [
    Attr("dst", "ipaddr"),
    Attr("src", "ipaddr"),
    Attr("iif", "u32"),
    Attr("oif", "u32"),
    Attr("gateway", "ipaddr"),
    Attr("priority", "u32"),
    Attr("prefsrc", "ipaddr"),
    Attr("metrics", "nest", nested=METRICS),
    Attr("multipath", "custom", decode_fn=_decode_multipath, encode_fn=_encode_multipath),
    Attr("protoinfo", "binary"),
    Attr("flow", "u32"),
    Attr("cacheinfo", "struct", struct=RTA_CACHEINFO),
    Attr("session", "binary"),
    Attr("mp-algo", "binary"),
    Attr("table", "u32"),
    Attr("mark", "u32"),
    Attr("mfc-stats", "binary"),
    Attr("via", "custom", decode_fn=_decode_via, encode_fn=_encode_via),
    Attr("newdst", "binary"),
    Attr("pref", "u8"),
    Attr("encap-type", "u16"),
    Attr("encap", "binary"),
    Attr("expires", "u32"),
    Attr("pad", "pad"),
    Attr("uid", "u32"),
    Attr("ttl-propagate", "u8"),
    Attr("ip-proto", "u8"),
    Attr("sport", "u16"),
    Attr("dport", "u16"),
    Attr("nh-id", "u32"),
    Attr("flowlabel", "u32", byte_order="big"),
])

# The attributes of one hop inside RTA_MULTIPATH: the route's own, less RTA_MULTIPATH
# (a hop cannot nest another multipath, and decoding must not recurse without bound).
RTNH_ATTRS = AttrSet("rtnh-attrs", "rta-", [
    (number, attr) for number, attr in ROUTE_ATTRS.by_number.items() if attr.name != "multipath"
])

ROUTE = MessageSpec("route", RTMSG, ROUTE_ATTRS)
