"""Canonical text forms, so that equal things compare equal: compressed IPv6, network
prefixes without host bits, upper-case MAC addresses, named tables and protocols."""

from __future__ import annotations

import ipaddress
import socket

from nlstate.rtnl import consts as rc

PROTOCOL_NUMBERS = {name: number for number, name in rc.ROUTE_PROTOCOLS.items()}
SCOPE_NUMBERS = {name: number for number, name in rc.SCOPES.items()}
ROUTE_TYPE_NUMBERS = {name: number for number, name in rc.ROUTE_TYPES.items()}


def ip_address(text: str) -> str:
    """'2001:DB8:0::1' -> '2001:db8::1'; raises ValueError for a bad address."""
    return str(ipaddress.ip_address(text.strip()))


def ip_prefix(text: str) -> str:
    """'10.0.0.0/24' stays, '2001:db8:0::/64' -> '2001:db8::/64', a bare address gets /32 or
    /128. Host bits set are an error: the kernel refuses such a route."""
    text = text.strip()
    try:
        return str(ipaddress.ip_network(text, strict=True))
    except ValueError as exc:
        if "host bits set" in str(exc):
            network = ipaddress.ip_network(text, strict=False)
            raise ValueError(f"{text} has host bits set; the network is {network}") from None
        raise


def mac_address(text: str) -> str:
    """'aa:bb:cc:dd:ee:ff' / 'aa-bb-...' -> 'AA:BB:CC:DD:EE:FF' (nmstate's form)."""
    digits = text.strip().replace("-", ":").split(":")
    if not digits or any(len(d) not in (1, 2) for d in digits):
        raise ValueError(f"{text!r} is not a link-layer address (hex bytes separated by ':')")
    try:
        return ":".join(f"{int(d, 16):02X}" for d in digits)
    except ValueError:
        raise ValueError(f"{text!r} is not a link-layer address") from None


def protocol_name(number: int) -> str:
    return rc.ROUTE_PROTOCOLS.get(number, str(number))


def protocol_number(name: str) -> int:
    if name.isdigit():
        return int(name)
    if name not in PROTOCOL_NUMBERS:
        raise ValueError(f"unknown protocol {name!r}; one of {sorted(PROTOCOL_NUMBERS)} or 0-255")
    return PROTOCOL_NUMBERS[name]


def is_ipv6(text: str) -> bool:
    return ":" in text


def default_scope(family: int, route_type: int, has_next_hop: bool) -> int:
    """The scope the kernel gets when none is asked for (what iproute2 sends): host for
    local/nat, link for broadcast/multicast/anycast and for unicast routes with no gateway
    or nexthop, else global. IPv6 routes always report global."""
    if family == socket.AF_INET6:
        return rc.RT_SCOPE_UNIVERSE
    if route_type in (rc.RTN_LOCAL, rc.RTN_NAT):
        return rc.RT_SCOPE_HOST
    if route_type in (rc.RTN_BROADCAST, rc.RTN_MULTICAST, rc.RTN_ANYCAST):
        return rc.RT_SCOPE_LINK
    if route_type in (rc.RTN_UNICAST, rc.RTN_UNSPEC) and not has_next_hop:
        return rc.RT_SCOPE_LINK
    return rc.RT_SCOPE_UNIVERSE
