"""Routes from an RTM_GETROUTE dump, decoded straight from the bytes.

This is the hot path of observe (hundreds of thousands of routes), so it reads the few
attributes a Route needs with one loop and no intermediate dicts.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Mapping
from operator import itemgetter
from typing import Any

from nlstate.model.records import Route
from nlstate.netlink.consts import NLA_TYPE_MASK
from nlstate.netlink.errors import DecodeError
from nlstate.netlink.message import Frame
from nlstate.netlink.socket import NetlinkSocket
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.route import ROUTE_ATTRS
from nlstate.values import canonical

_RTMSG = struct.Struct("=BBBBBBBBI")
_NLA = struct.Struct("=HH")
_RTMSG_SIZE = 12

RTA_DST, RTA_SRC, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC = 1, 2, 4, 5, 6, 7
RTA_METRICS, RTA_MULTIPATH, RTA_TABLE, RTA_VIA, RTA_NH_ID = 8, 9, 15, 18, 30

_PROTOCOLS = [canonical.protocol_name(n) for n in range(256)]
_TYPES = [rc.ROUTE_TYPES.get(n, str(n)) for n in range(256)]
_SCOPES = [rc.SCOPES.get(n, str(n)) for n in range(256)]
_ANY = {socket.AF_INET: "0.0.0.0", socket.AF_INET6: "::"}
_SUFFIX = [f"/{n}" for n in range(256)]
_METRIC_FIELDS = ("mtu", "advmss", "cwnd", "initcwnd", "initrwnd", "hoplimit", "window", "rtt",
                  "rttvar", "ssthresh", "reordering")


class _Layout:
    """The byte layout of one shape of route message: one struct unpacks the whole message,
    attribute headers included, and the headers are checked against what was learned."""

    __slots__ = ("check", "expected", "extract", "unpack")

    def __init__(self, data: bytes, start: int, end: int) -> None:
        fmt = "=BBBBBBBBI"
        count = 9
        header_positions: list[int] = []
        expected: list[int] = []
        wanted = dict.fromkeys(_WANTED, -1)
        offset = start + _RTMSG_SIZE
        while offset + 4 <= end:
            length, kind = _NLA.unpack_from(data, offset)
            header_positions += [count, count + 1]
            expected += [length, kind]
            fmt += "HH"
            count += 2
            size = length - 4
            if kind in wanted and kind in _U32_ATTRS and size == 4:
                fmt += "I"
                wanted[kind] = count
                count += 1
            elif kind in wanted and kind not in _U32_ATTRS:
                fmt += f"{size}s"
                wanted[kind] = count
                count += 1
            elif size:
                fmt += f"{size}x"
            fmt += "x" * (((length + 3) & ~3) - length)
            offset += (length + 3) & ~3
        fmt += "0s"  # a zero-width b"" that absent attributes point at
        self.unpack = struct.Struct(fmt).unpack_from
        self.check = itemgetter(*header_positions)
        self.expected = tuple(expected)
        self.extract = itemgetter(0, 1, 3, 4, 5, 6, 7, 8,
                                  *(count if i < 0 else i for i in wanted.values()))

    def matches(self, values: tuple[Any, ...]) -> bool:
        return bool(self.check(values) == self.expected)


_WANTED = (RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_TABLE, RTA_PREFSRC, RTA_NH_ID)
_U32_ATTRS = frozenset({RTA_OIF, RTA_PRIORITY, RTA_TABLE, RTA_NH_ID})
# attributes the layout path does not handle: such messages take the generic path
_SLOW_ATTRS = frozenset({RTA_METRICS, RTA_MULTIPATH, RTA_VIA})
_TAIL = (None,) * (len(Route._fields) - 13)


def dump_routes(sock: NetlinkSocket, names: Mapping[int, str]) -> list[Route]:
    """All IPv4 and IPv6 routes of every table, one Route per hop of a multipath route."""
    decoder = _RouteDecoder(names)
    request = build_request(rc.RTM_GETROUTE, {"rtm-family": socket.AF_UNSPEC})
    for data, frames in sock.dump_frames(request):
        decoder.feed(data, frames)
    return decoder.routes


class _RouteDecoder:
    def __init__(self, names: Mapping[int, str]) -> None:
        self.names = names
        self.routes: list[Route] = []
        self._layouts: dict[int, list[_Layout]] = {}
        self._addresses: dict[tuple[int, bytes], str] = {}
        self._default_scopes: dict[int, int] = {}

    def feed(self, data: bytes, frames: list[Frame]) -> None:
        append = self.routes.append
        layouts = self._layouts
        addresses = self._addresses
        names = self.names
        ntop = socket.inet_ntop
        new_route = tuple.__new__
        default_scopes = self._default_scopes
        for frame in frames:
            start, end = frame[4], frame[5]
            candidates = layouts.get(end - start)
            values = None
            if candidates:
                for layout in candidates:
                    values = layout.unpack(data, start)
                    if layout.check(values) == layout.expected:
                        break
                    values = None
            if values is None:
                learned = self._learn(data, start, end)
                if learned is None:
                    self.routes.extend(self._decode_slow(data, start, end))
                    continue
                layout = learned
                values = layout.unpack(data, start)
            # an absent attribute comes out as the layout's trailing b""
            (family, dst_len, tos, table, proto, scope, rtype, flags,
             dst, oif, gw, priority, rta_table, prefsrc, nh_id) = layout.extract(values)
            if family != socket.AF_INET and family != socket.AF_INET6:
                continue
            if gw:
                key = (family, gw)
                gateway = addresses.get(key)
                if gateway is None:
                    gateway = addresses[key] = ntop(family, gw)
            else:
                gateway = None
            if prefsrc:
                key = (family, prefsrc)
                source = addresses.get(key)
                if source is None:
                    source = addresses[key] = ntop(family, prefsrc)
            else:
                source = None
            has_hop = bool(gw) or nh_id != b""
            default_scope = default_scopes.get(family << 9 | rtype << 1 | has_hop)
            if default_scope is None:
                default_scope = self._default_scope(family, rtype, has_hop)
            append(new_route(Route, (
                (ntop(family, dst) if dst else _ANY[family]) + _SUFFIX[dst_len],
                (names.get(oif) or str(oif)) if oif != b"" else None,
                gateway,
                priority if priority != b"" else 0,
                rta_table if rta_table != b"" else table,
                None if rtype == rc.RTN_UNICAST else _TYPES[rtype],
                None,
                nh_id if nh_id != b"" else None,
                source,
                _PROTOCOLS[proto],
                None if scope == default_scope else _SCOPES[scope],
                tos or None,
                True if flags & rc.RTNH_F_ONLINK else None,
                *_TAIL,
            )))

    def _default_scope(self, family: int, rtype: int, has_hop: bool) -> int:
        scope = self._default_scopes[family << 9 | rtype << 1 | has_hop] = (
            canonical.default_scope(family, rtype, has_hop))
        return scope

    def _learn(self, data: bytes, start: int, end: int) -> _Layout | None:
        offset = start + _RTMSG_SIZE
        while offset + 4 <= end:
            length, kind = _NLA.unpack_from(data, offset)
            if length < 4 or offset + length > end:
                raise DecodeError(f"route attribute of length {length} at {offset}")
            if kind & NLA_TYPE_MASK in _SLOW_ATTRS or kind != kind & NLA_TYPE_MASK:
                return None
            if kind in _U32_ATTRS and length != 8:
                return None
            offset += (length + 3) & ~3
        if offset != ((end + 3) & ~3) and end - offset >= 4:
            return None
        layout = _Layout(data, start, end)
        self._layouts.setdefault(end - start, []).append(layout)
        return layout

    def _decode_slow(self, data: bytes, start: int, end: int) -> list[Route]:
        """Any route message, attribute by attribute (multipath, metrics, RTA_VIA, ...)."""
        names = self.names
        if end - start < _RTMSG_SIZE:
            raise DecodeError("rtmsg too short")
        family, dst_len, _, tos, table, proto, scope, rtype, flags = _RTMSG.unpack_from(
            data, start)
        if family != socket.AF_INET and family != socket.AF_INET6:
            return []
        attrs = ROUTE_ATTRS.decode(data, start + _RTMSG_SIZE, end)
        gateway = attrs.get("gateway")
        if "via" in attrs:
            gateway = attrs["via"]["address"]
        oif = attrs.get("oif")
        nh_id = attrs.get("nh-id")
        has_hop = gateway is not None or "multipath" in attrs or nh_id is not None
        route = Route(
            destination=f"{attrs.get('dst', _ANY[family])}/{dst_len}",
            next_hop_interface=(names.get(oif) or str(oif)) if oif is not None else None,
            next_hop_address=gateway,
            metric=attrs.get("priority", 0),
            table_id=attrs.get("table", table),
            route_type=None if rtype == rc.RTN_UNICAST else _TYPES[rtype],
            next_hop_id=nh_id,
            source=attrs.get("prefsrc"),
            protocol=_PROTOCOLS[proto],
            scope=None if scope == self._default_scope(family, rtype, has_hop)
            else _SCOPES[scope],
            tos=tos or None,
            onlink=True if flags & rc.RTNH_F_ONLINK else None,
        )
        if "metrics" in attrs:
            route = _with_metrics(route, attrs["metrics"])
        if "multipath" in attrs:
            return _expand_multipath(route, attrs["multipath"], names)
        return [route]


def _with_metrics(route: Route, decoded: Mapping[str | int, Any]) -> Route:
    changes: dict[str, Any] = {k: decoded[k] for k in _METRIC_FIELDS if k in decoded}
    if decoded.get("quickack"):
        changes["quickack"] = True
    if "cc-algo" in decoded:
        changes["congctl"] = decoded["cc-algo"]
    return route._replace(**changes) if changes else route


def _expand_multipath(route: Route, hops: list[dict[str, Any]],
                      names: Mapping[int, str]) -> list[Route]:
    expanded = []
    for hop in hops:
        attrs = hop["attrs"]
        gateway = attrs.get("gateway")
        if "via" in attrs:
            gateway = attrs["via"]["address"]
        ifindex = hop["ifindex"]
        expanded.append(route._replace(
            next_hop_interface=names.get(ifindex, str(ifindex)) if ifindex else None,
            next_hop_address=gateway,
            weight=hop["hops"] + 1,
            onlink=True if hop["flags"] & rc.RTNH_F_ONLINK else None,
        ))
    return expanded
