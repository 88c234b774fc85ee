"""Routes -> RTM_NEWROUTE / RTM_DELROUTE requests: the inverse of observe/routes.py.

A route is all the Route records with one key (family, table, destination, tos, metric): one
record is a plain route, several are the hops of one multipath route (RTA_MULTIPATH). What is
None in a record is the kernel's default, filled the way observe reports it, so that a desired
route that leaves it out and the route the kernel then reports have the same key.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable, Mapping, Sequence
from itertools import repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from nlstate.model.records import ROUTE_METRIC_FIELDS, Route
from nlstate.netlink.message import Request
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.catalog import MESSAGES
from nlstate.values import canonical

from .common import (
    IP_VERBS,
    NEW_FLAGS,
    Action,
    RequestError,
    family_of,
    ifindex,
    protocol_number,
    split_prefix,
)

__all__ = ["RouteKey", "group_routes", "route_command", "route_key", "route_keys",
           "route_request", "route_requests"]

IPV4_METRIC = 0  # an IPv4 route without RTA_PRIORITY
IPV6_METRIC = 1024  # IP6_RT_PRIO_USER: what IPv6 makes of a missing (or 0) RTA_PRIORITY
REJECT_TYPES = frozenset({"blackhole", "unreachable", "prohibit", "throw"})
# types that `ip route add` puts in the local table unless told otherwise (nlstate: main)
LOCAL_TABLE_TYPES = frozenset({"local", "broadcast", "anycast", "nat"})
METRIC_FIELDS = ROUTE_METRIC_FIELDS
_METRIC_VALUES = attrgetter(*METRIC_FIELDS)
HOP_FIELDS = frozenset({"next_hop_interface", "next_hop_address", "weight", "onlink"})
ROUTE_FIELDS = tuple(f for f in Route._fields if f not in HOP_FIELDS)


class RouteKey(NamedTuple):
    """A route's identity in the kernel, with its defaults filled."""

    family: int
    table: int
    destination: str
    tos: int
    metric: int


def route_key(route: Route) -> RouteKey:
    """(family, table, destination, tos, metric) as observe reports them: table main, tos 0,
    metric 0 for IPv4 and 1024 for IPv6 when the record says none."""
    if route.destination is None:
        raise RequestError("a route without destination (an absent wildcard) has no key")
    destination = route.destination
    metric = route.metric or 0
    if ":" in destination:
        family = socket.AF_INET6
        metric = metric or IPV6_METRIC
    else:
        family = socket.AF_INET
    table = route.table_id if route.table_id is not None else rc.RT_TABLE_MAIN
    # tuple.__new__: RouteKey without its Python-level __new__ (called for every route twice
    # per diff)
    return tuple.__new__(RouteKey, (family, table, destination, route.tos or 0, metric))


_KEY_COLUMNS = tuple(itemgetter(Route._fields.index(name))
                     for name in ("table_id", "destination", "tos", "metric"))


def route_keys(routes: Sequence[Route]) -> list[RouteKey]:
    """route_key of many routes at once, column by column (a column that is all given or
    all unset is filled in one C call): a tenth of the cost of calling route_key 100k
    times."""
    if not routes:
        return []
    tables, destinations, toses, metrics = (list(map(column, routes))
                                            for column in _KEY_COLUMNS)
    if None in destinations:
        raise RequestError("a route without destination (an absent wildcard) has no key")
    if ":" in "".join(destinations):  # an IPv6 one among them (in C: 100k pass here)
        families = [socket.AF_INET6 if ":" in destination else socket.AF_INET
                    for destination in destinations]
        metrics = [metric or (IPV6_METRIC if family == socket.AF_INET6 else 0)
                   for metric, family in zip(metrics, families, strict=True)]
    else:
        families = [socket.AF_INET] * len(destinations)
        metrics = _filled(metrics, IPV4_METRIC)
    columns = zip(families, _filled(tables, rc.RT_TABLE_MAIN), destinations,
                  _filled(toses, 0), metrics, strict=True)
    return list(map(tuple.__new__, repeat(RouteKey), columns))


def _filled(column: list[Any], default: int) -> list[Any]:
    """The column with its unset values (None) as `default`."""
    if None not in column:
        return column
    if column.count(None) == len(column):
        return [default] * len(column)
    return [default if value is None else value for value in column]


def group_routes(routes: Iterable[Route]) -> dict[RouteKey, list[Route]]:
    """Records by key: each value is one route (several records: its multipath hops)."""
    grouped: dict[RouteKey, list[Route]] = {}
    for route in routes:
        grouped.setdefault(route_key(route), []).append(route)
    return grouped


def route_request(action: Action, hops: Sequence[Route],
                  names: Mapping[str, int] | None = None) -> Request:
    """The request that creates (CREATE|EXCL), replaces (CREATE|REPLACE) or deletes the route
    made of `hops`. A delete names the key (and type) only: the kernel then removes the route
    with all its hops, whatever its scope, protocol, next hops and metrics."""
    route, key = _merged(hops)
    if action != "delete" and len(hops) == 1 and _plain(route):
        return _plain_request(action, route, key, names if names is not None else {})
    rtype = canonical.ROUTE_TYPE_NUMBERS[route.route_type or "unicast"]
    address, length = split_prefix(key.destination)
    header: dict[str, Any] = {
        "rtm-family": key.family, "rtm-dst-len": length, "rtm-tos": key.tos,
        "rtm-table": key.table if key.table < 256 else rc.RT_TABLE_UNSPEC, "rtm-type": rtype,
    }
    attrs: dict[str | int, Any] = {"dst": address} if length else {}
    attrs["table"] = key.table
    attrs["priority"] = key.metric
    label = "route " + _describe(hops, route, key, full=False)
    if action == "delete":
        header["rtm-scope"] = rc.RT_SCOPE_NOWHERE  # any scope
        return build_request(rc.RTM_DELROUTE, header, attrs, label=label)
    if route.route_type not in REJECT_TYPES:
        resolver = names if names is not None else {}
        header["rtm-flags"] = _next_hops(hops, route, key.family, resolver, attrs, label)
    header["rtm-protocol"] = protocol_number(route.protocol)
    header["rtm-scope"] = _scope(route, key.family, rtype, len(hops))
    if route.source is not None:
        attrs["prefsrc"] = route.source
    metrics = _metrics(route)
    if metrics:
        attrs["metrics"] = metrics
    return build_request(rc.RTM_NEWROUTE, header, attrs, NEW_FLAGS[action], label)


# The fields a plain route may set: one unicast hop (gateway of its own family, device),
# source, protocol, scope, onlink. Its request is packed directly, the bytes the general
# path gives (a test holds them equal): a third of the time, which counts at 100k routes.
_PLAIN_FIELDS = frozenset({"destination", "next_hop_interface", "next_hop_address", "metric",
                           "table_id", "source", "protocol", "scope", "tos", "onlink"})
_OTHER_COLUMNS = itemgetter(*(index for index, name in enumerate(Route._fields)
                              if name not in _PLAIN_FIELDS))
_OTHERS_UNSET = (None,) * (len(Route._fields) - len(_PLAIN_FIELDS))
_RTMSG = struct.Struct("=BBBBBBBBI")
_U32_TLV = struct.Struct("=HHI")
_TLV_HEADER = struct.Struct("=HH")
_RTA_DST, _RTA_OIF, _RTA_GATEWAY, _RTA_PRIORITY, _RTA_PREFSRC, _RTA_TABLE = 1, 4, 5, 6, 7, 15
_ROUTE_NAME, _ROUTE_SPEC = "RTM_NEWROUTE", MESSAGES[rc.RTM_NEWROUTE][1]


def _plain(route: Route) -> bool:
    gateway = route.next_hop_address
    return (_OTHER_COLUMNS(route) == _OTHERS_UNSET and route.route_type is None
            and (gateway is None or (":" in gateway) == (":" in (route.destination or ""))))


def plain_request_payload(route: Route, names: Mapping[str, int]) -> bytes | None:
    """The payload of the request that creates a plain route, or None if it is not plain."""
    if route.destination is None or not _plain(route):
        return None
    return _plain_request("create", route, route_key(route), names).payload


def _plain_request(action: Action, route: Route, key: RouteKey,
                   names: Mapping[str, int]) -> Request:
    label = "route " + " ".join([key.destination, *_one_hop(route, key.family, False),
                                 *_key_words(route, key)])
    address, length = split_prefix(key.destination)
    family = key.family
    scope = (canonical.SCOPE_NUMBERS[route.scope] if route.scope is not None
             else canonical.default_scope(family, rc.RTN_UNICAST,
                                          route.next_hop_address is not None))
    parts = [_RTMSG.pack(family, length, 0, key.tos,
                         key.table if key.table < 256 else rc.RT_TABLE_UNSPEC,
                         protocol_number(route.protocol), scope, rc.RTN_UNICAST,
                         rc.RTNH_F_ONLINK if route.onlink else 0)]
    if length:
        parts.append(_address_tlv(_RTA_DST, family, address))
    parts.append(_U32_TLV.pack(8, _RTA_TABLE, key.table))
    parts.append(_U32_TLV.pack(8, _RTA_PRIORITY, key.metric))
    if route.next_hop_address is not None:
        parts.append(_address_tlv(_RTA_GATEWAY, family, route.next_hop_address))
    if route.next_hop_interface is not None:
        parts.append(_U32_TLV.pack(8, _RTA_OIF, ifindex(names, route.next_hop_interface,
                                                        label)))
    if route.source is not None:
        parts.append(_address_tlv(_RTA_PREFSRC, family, route.source))
    return Request(rc.RTM_NEWROUTE, NEW_FLAGS[action], b"".join(parts), _ROUTE_SPEC, label,
                   _ROUTE_NAME)


def route_requests(action: Action, objects: Sequence[Sequence[Route]],
                   names: Mapping[str, int]) -> list[Request]:
    """route_request of many routes, unlabelled (for sending; a refusal is described by its
    step). Plain routes that differ only in destination share their bytes but the RTA_DST:
    those are packed once per shape (all fields but the destination) and reused."""
    requests: list[Request] = []
    flags = NEW_FLAGS[action] if action != "delete" else 0
    shapes: dict[tuple[Any, ...], tuple[bytes, bytes, bool] | None] = {}
    pack_address, new = socket.inet_pton, tuple.__new__
    for hops in objects:
        route = hops[0]
        pieces = None
        if action != "delete" and len(hops) == 1 and route.destination is not None:
            address, _, length = route.destination.partition("/")
            family = socket.AF_INET6 if ":" in address else socket.AF_INET
            shape = (route[1:], family, length)
            try:
                pieces = shapes[shape]
            except KeyError:
                pieces = shapes[shape] = _plain_pieces(action, route, names)
        if pieces is None:
            requests.append(route_request(action, hops, names)._replace(label=""))
            continue
        head, tail, with_dst = pieces
        if with_dst:
            dst = pack_address(family, address)
            payload = head + _TLV_HEADER.pack(4 + len(dst), _RTA_DST) + dst + tail
        else:
            payload = head + tail
        # tuple.__new__: a Request without NamedTuple's Python-level __new__
        requests.append(new(Request, (rc.RTM_NEWROUTE, flags, payload, _ROUTE_SPEC, "",
                                      _ROUTE_NAME)))
    return requests


def _plain_pieces(action: Action, route: Route, names: Mapping[str, int],
                  ) -> tuple[bytes, bytes, bool] | None:
    """A plain route's payload around its RTA_DST: (rtmsg, the attributes after it, whether
    it has one); None for a route that is not plain."""
    if not _plain(route):
        return None
    key = route_key(route)
    payload = _plain_request(action, route, key, names).payload
    head = payload[:_RTMSG.size]
    if split_prefix(key.destination)[1] == 0:
        return head, payload[_RTMSG.size:], False
    (dst_length,) = struct.unpack_from("=H", payload, _RTMSG.size)
    return head, payload[_RTMSG.size + dst_length:], True


def _address_tlv(kind: int, family: int, address: str) -> bytes:
    packed = socket.inet_pton(family, address)
    return _TLV_HEADER.pack(4 + len(packed), kind) + packed


def route_command(action: Action, hops: Sequence[Route]) -> str:
    """The `ip route` command that does what route_request(action, hops) does."""
    route, key = _merged(hops)
    if action == "delete":
        words = [route.route_type] if route.route_type else []
        return " ".join(["ip route del", *words, key.destination, *_key_words(route, key)])
    return f"ip route {IP_VERBS[action]} " + _describe(hops, route, key, full=True)


# ---------------------------------------------------------------------------- building

def _merged(hops: Sequence[Route]) -> tuple[Route, RouteKey]:
    """The route-wide fields of all hops (one may say what another leaves out), and the key."""
    if len(hops) == 1:
        return hops[0], route_key(hops[0])
    if not hops:
        raise RequestError("a route needs at least one record")
    key = route_key(hops[0])
    values: dict[str, Any] = dict(zip(Route._fields, hops[0], strict=True))
    for hop in hops[1:]:
        if route_key(hop) != key:
            raise RequestError(f"route {key.destination}: the hops of one route must have "
                               f"one key, not {key} and {route_key(hop)}")
        for field in ROUTE_FIELDS:
            value = getattr(hop, field)
            if value is None:
                continue
            if values[field] is None:
                values[field] = value
            elif values[field] != value:
                raise RequestError(f"route {key.destination}: its hops disagree on "
                                   f"{field} ({values[field]!r} and {value!r})")
    return Route(**values), key


def _next_hops(hops: Sequence[Route], route: Route, family: int, names: Mapping[str, int],
               attrs: dict[str | int, Any], label: str) -> int:
    """Put the next hop(s) into attrs; return rtm_flags."""
    if route.next_hop_id is not None:
        # The nexthop object says gateway and device; observe reports them next to the id,
        # one record per member of a group: they are not sent.
        attrs["nh-id"] = route.next_hop_id
        return 0
    if len(hops) > 1:
        attrs["multipath"] = [_multipath_hop(hop, family, names, label) for hop in hops]
        return 0
    attrs.update(_hop_attrs(route, family))
    if route.next_hop_interface is not None:
        attrs["oif"] = ifindex(names, route.next_hop_interface, label)
    return rc.RTNH_F_ONLINK if route.onlink else 0


def _hop_attrs(hop: Route, family: int) -> dict[str | int, Any]:
    gateway = hop.next_hop_address
    if gateway is None:
        return {}
    gateway_family = family_of(gateway)
    if gateway_family == family:
        return {"gateway": gateway}
    return {"via": {"family": gateway_family, "address": gateway}}  # IPv4 via IPv6


def _multipath_hop(hop: Route, family: int, names: Mapping[str, int],
                   label: str) -> dict[str, Any]:
    interface = hop.next_hop_interface
    return {
        "flags": rc.RTNH_F_ONLINK if hop.onlink else 0,
        "hops": (hop.weight or 1) - 1,  # rtnh_hops is the weight - 1
        "ifindex": ifindex(names, interface, label) if interface is not None else 0,
        "attrs": _hop_attrs(hop, family),
    }


def _scope(route: Route, family: int, rtype: int, hop_count: int) -> int:
    if route.scope is not None:
        return canonical.SCOPE_NUMBERS[route.scope]
    has_hop = (hop_count > 1 or route.next_hop_address is not None
               or route.next_hop_id is not None)
    return canonical.default_scope(family, rtype, has_hop)


def _metrics(route: Route) -> dict[str | int, Any]:
    values = _METRIC_VALUES(route)
    if values.count(None) == len(values) and route.quickack is None and route.congctl is None:
        return {}  # the common case, checked in C
    metrics: dict[str | int, Any] = {
        name: value for name, value in zip(METRIC_FIELDS, values, strict=True)
        if value is not None
    }
    if route.quickack:
        metrics["quickack"] = 1
    if route.congctl is not None:
        metrics["cc-algo"] = route.congctl
    return metrics


# ---------------------------------------------------------------------------- text

def _describe(hops: Sequence[Route], route: Route, key: RouteKey, *, full: bool) -> str:
    """For a label (full=False): type, destination, next hops, then what tells the route
    apart (tos, table, metric). For a create command (full=True): all a create sends."""
    words = [route.route_type] if route.route_type else []
    words.append(key.destination)
    if not full:
        words += _hop_words(hops, route, key.family, full=False)
    words += _key_words(route, key)
    if full:
        words += ["proto", route.protocol or "static"]
        if route.scope is not None:
            words += ["scope", route.scope]
        if route.source is not None:
            words += ["src", route.source]
        words += _metric_words(route)
        words += _hop_words(hops, route, key.family, full=True)
    return " ".join(words)


def _key_words(route: Route, key: RouteKey) -> list[str]:
    words = []
    if key.tos:
        words += ["tos", f"{key.tos:#04x}"]  # ip reads a bare dsfield number as hex
    if key.table != rc.RT_TABLE_MAIN or route.route_type in LOCAL_TABLE_TYPES:
        words += ["table", rc.TABLES.get(key.table, str(key.table))]
    if route.metric is not None:
        words += ["metric", str(route.metric)]
    return words


def _hop_words(hops: Sequence[Route], route: Route, family: int, *, full: bool) -> list[str]:
    if route.route_type in REJECT_TYPES:
        return []
    if route.next_hop_id is not None:
        return ["nhid", str(route.next_hop_id)]
    if len(hops) == 1:
        return _one_hop(route, family, full)
    words = []
    for hop in hops:
        words += ["nexthop", *_one_hop(hop, family, full)]
        if full or hop.weight is not None:
            words += ["weight", str(hop.weight or 1)]
    return words


def _one_hop(hop: Route, family: int, full: bool) -> list[str]:
    words = []
    if hop.next_hop_address is not None:
        words.append("via")
        if family_of(hop.next_hop_address) != family:
            words.append("inet6")
        words.append(hop.next_hop_address)
    if hop.next_hop_interface is not None:
        words += ["dev", hop.next_hop_interface]
    if full and hop.onlink:
        words.append("onlink")
    return words


def _metric_words(route: Route) -> list[str]:
    words = []
    for name in METRIC_FIELDS:
        value = getattr(route, name)
        if value is not None:
            words += [name, str(value)]
    if route.quickack:
        words += ["quickack", "1"]
    if route.congctl is not None:
        words += ["congctl", route.congctl]
    return words
