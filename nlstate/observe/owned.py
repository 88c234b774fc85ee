"""What the kernel owns: objects it creates by itself, hidden by `show` unless --all and
never touched by a plan."""

from __future__ import annotations

import ipaddress

from nlstate.model.records import Neighbor, Route, RouteRule
from nlstate.rtnl import consts as rc

KERNEL_ROUTE_TYPES = frozenset({"local", "broadcast", "multicast", "anycast"})
DEFAULT_RULE_PRIORITIES = {(0, rc.RT_TABLE_LOCAL), (32766, rc.RT_TABLE_MAIN),
                           (32767, rc.RT_TABLE_DEFAULT)}
LEARNED_NEIGHBOR_STATES = frozenset({"reachable", "stale", "delay", "probe", "failed",
                                     "incomplete", "none"})


def route_is_kernel_owned(route: Route) -> bool:
    """proto kernel routes, the local table, multicast and link-local routes."""
    return (
        route.protocol == "kernel"
        or route.table_id == rc.RT_TABLE_LOCAL
        or route.route_type in KERNEL_ROUTE_TYPES
        or (route.destination or "").startswith(("fe80::/", "ff00::/", "224.0.0.0/"))
    )


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
