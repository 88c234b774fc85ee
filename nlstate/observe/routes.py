"""Routes from an RTM_GETROUTE dump, decoded straight from the bytes.

This is the hot path of observe (hundreds of thousands of routes), so it reads the few
attributes a Route needs with one loop and no intermediate dicts.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from itertools import filterfalse, repeat
from operator import itemgetter
from typing import Any

from nlstate.model.records import ROUTE_METRIC_FIELDS, Route
from nlstate.netlink.consts import NLA_TYPE_MASK
from nlstate.netlink.errors import DecodeError, DumpInterruptedError
from nlstate.netlink.message import Frame
from nlstate.netlink.socket import NetlinkSocket
from nlstate.observe.owned import may_hold_kernel_owned, route_is_kernel_owned
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.route import ROUTE_ATTRS
from nlstate.values import canonical

_RTMSG = struct.Struct("=BBBBBBBBI")
_NLA = struct.Struct("=HH")
_RTMSG_SIZE = 12
_START, _END = itemgetter(4), itemgetter(5)  # of a Frame: its payload

RTA_DST, RTA_SRC, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_PREFSRC = 1, 2, 4, 5, 6, 7
RTA_METRICS, RTA_MULTIPATH, RTA_TABLE, RTA_VIA, RTA_NH_ID = 8, 9, 15, 18, 30

_PROTOCOLS = [canonical.protocol_name(n) for n in range(256)]
_TYPES = [rc.ROUTE_TYPES.get(n, str(n)) for n in range(256)]
_SCOPES = [rc.SCOPES.get(n, str(n)) for n in range(256)]
_ANY = rc.ANY_ADDRESS
_SUFFIX = [f"/{n}" for n in range(256)]
_METRIC_FIELDS = ROUTE_METRIC_FIELDS


class _Layout:
    """The byte layout of one shape of route message (nlmsghdr, rtmsg, attributes), learned
    from one message. A run of k consecutive messages of this shape is unpacked with a single
    struct of k copies, and every field is then read as a column: values[position::stride]."""

    def __init__(self, data: bytes, start: int, end: int) -> None:
        fmt = "IHHIIBBBBBBBBI"  # nlmsghdr + rtmsg
        count = 14
        self.headers: list[tuple[int, int]] = []  # (value position, expected) of TLV headers
        self.wanted = dict.fromkeys(_WANTED, -1)
        offset = start + _RTMSG_SIZE
        while offset + 4 <= end:
            length, kind = _NLA.unpack_from(data, offset)
            self.headers += [(count, length), (count + 1, kind)]
            fmt += "HH"
            count += 2
            size = length - 4
            if kind in self.wanted and (kind not in _U32_ATTRS or size == 4):
                fmt += "I" if kind in _U32_ATTRS else f"{size}s"
                self.wanted[kind] = count
                count += 1
            elif size:
                fmt += f"{size}x"
            fmt += "x" * (((length + 3) & ~3) - length)
            offset += (length + 3) & ~3
        message_size = 16 + end - start
        self.format = fmt + "x" * (((message_size + 3) & ~3) - message_size)
        self.stride = count
        self.has_hop = self.wanted[RTA_GATEWAY] >= 0 or self.wanted[RTA_NH_ID] >= 0
        self._structs: dict[int, struct.Struct] = {}

    def unpack(self, data: bytes, offset: int, count: int) -> tuple[Any, ...]:
        st = self._structs.get(count)
        if st is None:
            st = self._structs[count] = struct.Struct("=" + self.format * count)
        return st.unpack_from(data, offset)

    def matches(self, values: tuple[Any, ...], count: int) -> bool:
        """Every message of the run is an RTM_NEWROUTE of this exact shape and one family."""
        stride = self.stride
        if values[1::stride].count(rc.RTM_NEWROUTE) != count:
            return False
        if values[5::stride].count(values[5]) != count:  # rtm_family
            return False
        return all(values[position::stride].count(expected) == count
                   for position, expected in self.headers)


_WANTED = (RTA_DST, RTA_OIF, RTA_GATEWAY, RTA_PRIORITY, RTA_TABLE, RTA_PREFSRC, RTA_NH_ID)
_U32_ATTRS = frozenset({RTA_OIF, RTA_PRIORITY, RTA_TABLE, RTA_NH_ID})
# attributes the layout path does not handle: such messages take the generic path
_SLOW_ATTRS = frozenset({RTA_METRICS, RTA_MULTIPATH, RTA_VIA})
_TAIL_FIELDS = len(Route._fields) - 13
_TYPE_NAMES = [None if n == rc.RTN_UNICAST else _TYPES[n] for n in range(256)]
_TOS = [n or None for n in range(256)]
_NLMSGHDR_SIZE = 16


class _ScopeNames(dict[tuple[int, int], str | None]):
    """(route type, scope) -> the file's scope: None where it is the kernel's default."""

    def __init__(self, family: int, has_hop: bool) -> None:
        super().__init__()
        self.family = family
        self.has_hop = has_hop

    def __missing__(self, key: tuple[int, int]) -> str | None:
        rtype, scope = key
        default = canonical.default_scope(self.family, rtype, self.has_hop)
        name = self[key] = None if scope == default else _SCOPES[scope]
        return name


class _Addresses(dict[bytes, str]):
    """Packed address -> text, for values that repeat (gateways, sources)."""

    def __init__(self, family: int) -> None:
        super().__init__()
        self.family = family

    def __missing__(self, packed: bytes) -> str:
        text = self[packed] = socket.inet_ntop(self.family, packed)
        return text


class _Names(dict[int, str]):
    """ifindex -> name; an index not in the namespace (a peer elsewhere) as its number."""

    def __missing__(self, index: int) -> str:
        return str(index)


class _Flags(dict[int, bool | None]):
    """rtm_flags -> onlink."""

    def __missing__(self, flags: int) -> bool | None:
        value = self[flags] = True if flags & rc.RTNH_F_ONLINK else None
        return value


def dump_routes(sock: NetlinkSocket, names: Mapping[int, str], *,
                include_kernel: bool = True) -> list[Route]:
    """All IPv4 and IPv6 routes of every table, one Route per hop of a multipath route;
    include_kernel=False leaves out those the kernel owns (owned.route_is_kernel_owned)."""
    decoder = _RouteDecoder(names, include_kernel)
    request = build_request(rc.RTM_GETROUTE, {"rtm-family": socket.AF_UNSPEC})
    for data, frames in sock.dump_frames(request):
        decoder.feed(data, frames)
    return decoder.routes


def reported_as_unset(route: Route, name: str, value: Any) -> bool:
    """Whether observe reports this value of the route's field as unset (None), being the
    kernel's default: tos 0, onlink off, the scope routes of its type and next hop get. A
    file that says so matches the route as observed."""
    if name == "tos":
        return bool(value == 0)
    if name == "onlink":
        return value is False
    if name != "scope" or route.destination is None:
        return False
    family = socket.AF_INET6 if ":" in route.destination else socket.AF_INET
    rtype = canonical.ROUTE_TYPE_NUMBERS.get(route.route_type or "unicast", rc.RTN_UNICAST)
    has_hop = route.next_hop_address is not None or route.next_hop_id is not None
    return bool(value == _SCOPES[canonical.default_scope(family, rtype, has_hop)])


def all_reported(sock: NetlinkSocket, bodies: AbstractSet[bytes]) -> bool:
    """Whether a dump of the IPv4 routes reports every one of these message bodies (rtmsg
    and attributes: see requests/route_reports.py), compared as bytes. False too when the
    dump was interrupted by a change."""
    request = build_request(rc.RTM_GETROUTE, {"rtm-family": socket.AF_INET})
    found = 0
    try:
        for data, frames in sock.dump_frames(request):
            found += sum(map(bodies.__contains__, map(data.__getitem__, map(
                slice, map(_START, frames), map(_END, frames)))))
    except DumpInterruptedError:
        return False
    return found == len(bodies)


class _RouteDecoder:
    def __init__(self, names: Mapping[int, str], include_kernel: bool) -> None:
        self.names = _Names(names)
        self.routes: list[Route] = []
        self._include_kernel = include_kernel
        self._addresses = {family: _Addresses(family)
                           for family in (socket.AF_INET, socket.AF_INET6)}
        self._layouts: dict[int, list[_Layout]] = {}
        self._scopes: dict[tuple[int, bool], _ScopeNames] = {}
        self._onlink = _Flags()

    def feed(self, data: bytes, frames: list[Frame]) -> None:
        """Decode the route messages of one datagram, in runs of equal length."""
        first, total = 0, len(frames)
        while first < total:
            length = frames[first][5] - frames[first][4]
            last = first + 1
            while last < total and frames[last][5] - frames[last][4] == length:
                last += 1
            self._decode_run(data, frames[first:last])
            first = last

    def _decode_run(self, data: bytes, run: list[Frame]) -> None:
        count = len(run)
        start, end = run[0][4], run[0][5]
        for layout in self._layouts.get(end - start, ()):
            values = layout.unpack(data, start - _NLMSGHDR_SIZE, count)
            if layout.matches(values, count):
                self._build(layout, values, count)
                return
        learned = self._learn(data, start, end)
        if learned is not None:
            values = learned.unpack(data, start - _NLMSGHDR_SIZE, count)
            if learned.matches(values, count):
                self._build(learned, values, count)
                return
        if count > 1:  # messages of one length but several shapes: one by one
            for frame in run:
                self._decode_run(data, [frame])
            return
        self._keep(self._decode_slow(data, start, end), not self._include_kernel)

    def _build(self, layout: _Layout, values: tuple[Any, ...], count: int) -> None:
        stride = layout.stride
        wanted = layout.wanted
        family = values[5]
        if family != socket.AF_INET and family != socket.AF_INET6:
            return

        def column(attr: int, absent: Any = None) -> Iterable[Any]:
            position = wanted[attr]
            return values[position::stride] if position >= 0 else repeat(absent, count)

        ntop = socket.inet_ntop
        families = repeat(family, count)
        if wanted[RTA_DST] >= 0:
            prefixes: Iterable[str] = map(ntop, families, values[wanted[RTA_DST]::stride])
        else:
            prefixes = repeat(_ANY[family], count)
        destinations = map(str.__add__, prefixes, map(_SUFFIX.__getitem__, values[6::stride]))
        oifs = column(RTA_OIF)
        interfaces = map(self.names.__getitem__, oifs) if wanted[RTA_OIF] >= 0 else oifs
        addresses = self._addresses[family].__getitem__
        gateways = (map(addresses, column(RTA_GATEWAY))
                    if wanted[RTA_GATEWAY] >= 0 else repeat(None, count))
        if wanted[RTA_NH_ID] >= 0:  # the hop is the nexthop object's (see _decode_slow)
            interfaces, gateways = repeat(None, count), repeat(None, count)
        sources = (map(addresses, column(RTA_PREFSRC))
                   if wanted[RTA_PREFSRC] >= 0 else repeat(None, count))
        tables = (values[wanted[RTA_TABLE]::stride] if wanted[RTA_TABLE] >= 0
                  else values[9::stride])
        rtypes = values[12::stride]
        scope_names = self._scopes.get((family, layout.has_hop))
        if scope_names is None:
            scope_names = self._scopes[(family, layout.has_hop)] = _ScopeNames(
                family, layout.has_hop)
        columns = (
            destinations,
            interfaces,
            gateways,
            column(RTA_PRIORITY, 0),
            tables,
            map(_TYPE_NAMES.__getitem__, rtypes),
            repeat(None, count),  # weight
            column(RTA_NH_ID),
            sources,
            map(_PROTOCOLS.__getitem__, values[10::stride]),
            map(scope_names.__getitem__, zip(rtypes, values[11::stride], strict=True)),
            map(_TOS.__getitem__, values[8::stride]),
            map(self._onlink.__getitem__, values[13::stride]),
            *[repeat(None, count) for _ in range(_TAIL_FIELDS)],  # one iterator each
        )
        dsts = values[wanted[RTA_DST]::stride] if wanted[RTA_DST] >= 0 else ()
        self._keep(map(tuple.__new__, repeat(Route, count), zip(*columns, strict=True)),
                   not self._include_kernel and may_hold_kernel_owned(
                       values[10::stride], tables, rtypes, dsts))

    def _keep(self, routes: Iterable[Route], sift: bool) -> None:
        """Add the routes; `sift`: but those the kernel owns (False for a run that cannot
        hold any, or when they are wanted: then none is looked at route by route)."""
        self.routes.extend(filterfalse(route_is_kernel_owned, routes) if sift else routes)

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
        if end - offset >= 4:
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
        if nh_id is not None:
            # a route through a nexthop object: with net.ipv4.nexthop_compat_mode (on by
            # default) dumps repeat the object's hops as RTA_GATEWAY/RTA_OIF/RTA_MULTIPATH;
            # they belong to the nexthop, not to the route
            gateway = oif = None
            attrs.pop("multipath", None)
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
            scope=None if scope == canonical.default_scope(family, rtype, has_hop)
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
