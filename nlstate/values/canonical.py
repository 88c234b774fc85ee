"""Canonical forms of protocols and scopes (addresses: nlstate.values.addresses)."""

from __future__ import annotations

import socket

from nlstate.rtnl import consts as rc

__all__ = ["default_scope", "protocol_name", "protocol_number"]

PROTOCOL_NUMBERS = {name: number for number, name in rc.ROUTE_PROTOCOLS.items()}
SCOPE_NUMBERS = {name: number for number, name in rc.SCOPES.items()}
ROUTE_TYPE_NUMBERS = {name: number for number, name in rc.ROUTE_TYPES.items()}


def protocol_name(number: int) -> str:
    return rc.ROUTE_PROTOCOLS.get(number, str(number))


def protocol_number(name: str) -> int:
    if name.isdigit():
        return int(name)
    if name not in PROTOCOL_NUMBERS:
        raise ValueError(f"unknown protocol {name!r}; one of {sorted(PROTOCOL_NUMBERS)} or 0-255")
    return PROTOCOL_NUMBERS[name]


def default_scope(family: int, route_type: int, has_next_hop: bool) -> int:
    """The scope the kernel gets when none is asked for (what iproute2 sends): host for
    local, link for broadcast/multicast/anycast and for unicast routes with no gateway or
    nexthop, else global. IPv6 routes always report global. A nat route (a leftover entry
    type: the kernel stopped translating in 2.6) is taken only with scope nowhere (iproute2
    sends host, which the kernel refuses: "Invalid scope")."""
    if family == socket.AF_INET6:
        return rc.RT_SCOPE_UNIVERSE
    if route_type == rc.RTN_NAT:
        return rc.RT_SCOPE_NOWHERE
    if route_type == rc.RTN_LOCAL:
        return rc.RT_SCOPE_HOST
    if route_type in (rc.RTN_BROADCAST, rc.RTN_MULTICAST, rc.RTN_ANYCAST):
        return rc.RT_SCOPE_LINK
    if route_type in (rc.RTN_UNICAST, rc.RTN_UNSPEC) and not has_next_hop:
        return rc.RT_SCOPE_LINK
    return rc.RT_SCOPE_UNIVERSE
