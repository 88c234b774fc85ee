"""Desired objects -> netlink requests: the inverse of observe. Links and addresses are in
.links and .addresses; routes, rules, neighbours and nexthops here. Each type has
`<type>_request(action, record(s), names)` (the Request that creates, replaces or deletes
it), `<type>_command(action, ...)` (the equivalent `ip` command, for people) and
`<type>_key(record)` (its identity, defaults filled as observe reports them). `names` maps
interface names to ifindex; a name it lacks raises UnknownInterfaceError.
"""

from __future__ import annotations

from .common import Action, RequestError, UnknownInterfaceError
from .neighbors import neighbor_command, neighbor_key, neighbor_request
from .nexthops import nexthop_command, nexthop_key, nexthop_request
from .routes import (
    RouteKey,
    group_routes,
    route_command,
    route_key,
    route_keys,
    route_request,
    route_requests,
)
from .rules import RuleAction, rule_command, rule_key, rule_request

__all__ = [
    "Action", "RequestError", "RouteKey", "RuleAction", "UnknownInterfaceError",
    "group_routes", "neighbor_command", "neighbor_key", "neighbor_request", "nexthop_command",
    "nexthop_key", "nexthop_request", "route_command", "route_key", "route_keys", "route_request",
    "route_requests", "rule_command", "rule_key", "rule_request",
]  # fmt: skip
