"""Interface addresses -> RTM_NEWADDR / RTM_DELADDR requests (the inverse of observe/links.py's
address entries).

What is sent, and why:
- IFA_LOCAL and IFA_ADDRESS: both the address itself, or IFA_ADDRESS the peer of a
  point-to-point address; as `ip addr add` sends them.
- IPv4 with a prefix shorter than /31: IFA_BROADCAST, the prefix's last address, as
  `ip addr add ... brd +` (and NetworkManager) do; without it the kernel gives the address
  no broadcast at all. A /31 or /32 has none (RFC 3021).
- IPv6: IFA_F_NODAD. A tentative address (during duplicate address detection, about a
  second) cannot be a route's source ("Invalid prefsrc address") nor be bound to, so the
  later steps of one apply (routes with src, nexthops, services) would fail or race; nlstate
  manages statically assigned addresses, whose uniqueness is the file author's business.
- IFA_F_NOPREFIXROUTE when the entry says noprefixroute.
- The flags travel in IFA_FLAGS (u32; the u8 ifa_flags cannot hold NOPREFIXROUTE) and, for
  the low eight bits, in ifa_flags too.
A replace (NLM_F_CREATE|REPLACE) of an IPv6 address updates its flags in place; the IPv4
replace (inet_rtm_newaddr) updates only the metric, protocol and lifetimes of the address it
finds, keeping its flags, and finds it by local address, mask *and* peer (IFA_ADDRESS): a
new peer is another address. address_recreate_fields says when a change needs delete and
create. A delete names the key: prefix length, IFA_LOCAL and IFA_ADDRESS.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from typing import Any

from nlstate.model.interface import AddressEntry
from nlstate.netlink.message import Request
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.addr import IFA_F_NODAD, IFA_F_NOPREFIXROUTE

from .common import IP_VERBS, NEW_FLAGS, Action, family_of, ifindex

__all__ = ["address_command", "address_key", "address_recreate_fields", "address_request"]

IPV6_FLAGS = IFA_F_NODAD


def address_key(ifname: str, entry: AddressEntry) -> tuple[str, str]:
    """(interface, 'address/prefix'): an interface has each address with a prefix once."""
    return ifname, f"{entry.ip}/{entry.prefix_length}"


def address_request(action: Action, ifname: str, entry: AddressEntry,
                    names: Mapping[str, int]) -> Request:
    """Create (CREATE|EXCL), replace (CREATE|REPLACE) or delete the address on `ifname`."""
    label = "address " + _describe(ifname, entry)
    family = family_of(entry.ip)
    attrs: dict[str | int, Any] = {"local": entry.ip, "address": entry.peer or entry.ip}
    header: dict[str, Any] = {"ifa-family": family, "ifa-prefixlen": entry.prefix_length,
                              "ifa-index": ifindex(names, ifname, label)}
    if action == "delete":
        return build_request(rc.RTM_DELADDR, header, attrs, label=label)
    flags = _flags(entry, family)
    header["ifa-flags"] = flags & 0xFF
    broadcast = _broadcast(entry, family)
    if broadcast is not None:
        attrs["broadcast"] = broadcast
    attrs["flags"] = flags
    return build_request(rc.RTM_NEWADDR, header, attrs, NEW_FLAGS[action], label)


def address_recreate_fields(current: AddressEntry, desired: AddressEntry) -> list[str]:
    """The fields of an address (same key) that a replace cannot change: IPv4's peer and
    noprefixroute; such a change is a delete and a create."""
    if family_of(desired.ip) == socket.AF_INET6:
        return []
    fields = []
    if (desired.peer or desired.ip) != (current.peer or current.ip):
        fields.append("peer")
    if desired.noprefixroute is not None and bool(desired.noprefixroute) != bool(
            current.noprefixroute):
        fields.append("noprefixroute")
    return fields


def address_command(action: Action, ifname: str, entry: AddressEntry) -> str:
    """The `ip addr` command that does what address_request(action, ...) does."""
    words = [f"ip addr {IP_VERBS[action]}", _describe(ifname, entry)]
    if action != "delete":
        family = family_of(entry.ip)
        if _broadcast(entry, family) is not None:
            words.append("brd +")
        if family == socket.AF_INET6:
            words.append("nodad")
        if entry.noprefixroute:
            words.append("noprefixroute")
    return " ".join(words)


def _flags(entry: AddressEntry, family: int) -> int:
    flags = IPV6_FLAGS if family == socket.AF_INET6 else 0
    if entry.noprefixroute:
        flags |= IFA_F_NOPREFIXROUTE
    return flags


def _broadcast(entry: AddressEntry, family: int) -> str | None:
    if family != socket.AF_INET or entry.peer is not None or entry.prefix_length >= 31:
        return None
    network = ipaddress.IPv4Network(f"{entry.ip}/{entry.prefix_length}", strict=False)
    return str(network.broadcast_address)


def _describe(ifname: str, entry: AddressEntry) -> str:
    if entry.peer is not None:
        return f"{entry.ip} peer {entry.peer}/{entry.prefix_length} dev {ifname}"
    return f"{entry.ip}/{entry.prefix_length} dev {ifname}"
