"""What the kernel owns: objects it creates by itself, hidden by `show` unless --all and
never touched by a plan."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Sequence

from nlstate.model.records import Neighbor, Route, RouteRule
from nlstate.rtnl import consts as rc

KERNEL_ROUTE_TYPES = frozenset({"local", "broadcast", "multicast", "anycast"})
DEFAULT_RULE_PRIORITIES = {(0, rc.RT_TABLE_LOCAL), (32766, rc.RT_TABLE_MAIN),
                           (32767, rc.RT_TABLE_DEFAULT)}
LEARNED_NEIGHBOR_STATES = frozenset({"reachable", "stale", "delay", "probe", "failed",
                                     "incomplete", "none"})


_KERNEL_PREFIXES = ("fe80::", "ff00::", "224.0.0.0")  # link-local and multicast: any length
_KERNEL_DESTINATIONS = tuple(f"{prefix}/" for prefix in _KERNEL_PREFIXES)
_KERNEL_TYPE_NUMBERS = frozenset(number for number, name in rc.ROUTE_TYPES.items()
                                 if name in KERNEL_ROUTE_TYPES)
_KERNEL_PACKED = frozenset(socket.inet_pton(socket.AF_INET6 if ":" in prefix else socket.AF_INET,
                                            prefix) for prefix in _KERNEL_PREFIXES)


def route_is_kernel_owned(route: Route) -> bool:
    """proto kernel routes, the local table, multicast and link-local routes."""
    return (
        route.protocol == "kernel"
        or route.table_id == rc.RT_TABLE_LOCAL
        or route.route_type in KERNEL_ROUTE_TYPES
        or (route.destination or "").startswith(_KERNEL_DESTINATIONS)
    )


def may_hold_kernel_owned(protocols: Sequence[int], tables: Sequence[int],
                          types: Sequence[int], destinations: Sequence[bytes]) -> bool:
    """Whether any of a run of route messages, given as columns of their raw values, can be
    kernel-owned (route_is_kernel_owned); False only when none is. A column is looked at in
    one C call: a dump of 100k routes passes here. `destinations`: the packed RTA_DST of
    each (none for default routes)."""
    return (rc.RTPROT_KERNEL in protocols  # the one number named "kernel"
            or rc.RT_TABLE_LOCAL in tables
            or not _KERNEL_TYPE_NUMBERS.isdisjoint(types)
            or not _KERNEL_PACKED.isdisjoint(destinations))


def rule_is_kernel_owned(rule: RouteRule) -> bool:
    """The default rules every namespace starts with (local, main, default tables)."""
    return (
        rule.action is None
        and (rule.priority or 0, rule.route_table) in DEFAULT_RULE_PRIORITIES
        and rule.ip_from is None and rule.ip_to is None and rule.fwmark is None
        and rule.iif is None and rule.oif is None
        and rule.protocol in (None, "kernel", "unspec")
    )


def neighbor_is_kernel_owned(neighbor: Neighbor) -> bool:
    """Entries the kernel learned (ARP/NDP) or made for multicast groups, as opposed to
    static ones."""
    if neighbor.state in LEARNED_NEIGHBOR_STATES:
        return True
    return neighbor.state == "noarp" and ipaddress.ip_address(neighbor.destination).is_multicast
