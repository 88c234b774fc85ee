"""Nexthop objects and groups -> RTM_NEWNEXTHOP / RTM_DELNEXTHOP (the inverse of dump_nexthops)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any

from nlstate.model.records import Nexthop
from nlstate.netlink.message import Request
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.nexthop import GROUP_TYPES

from .common import IP_VERBS, NEW_FLAGS, Action, RequestError, family_of, ifindex, protocol_number

__all__ = ["nexthop_command", "nexthop_key", "nexthop_request"]

FAMILIES = rc.FAMILY_NUMBERS
GROUP_TYPE_NUMBERS = {name: number for number, name in GROUP_TYPES.items()}
# A resilient group needs its bucket count on creation ("Number of buckets not specified for
# nexthop group insertion"), and it cannot change afterwards; the record has no field for it.
RESILIENT_BUCKETS = 128


def nexthop_key(nexthop: Nexthop) -> int:
    return nexthop.id


def nexthop_request(action: Action, nexthop: Nexthop,
                    names: Mapping[str, int] | None = None) -> Request:
    """Create (CREATE|EXCL), replace (CREATE|REPLACE: the kernel swaps it in place, routes
    that use it follow) or delete the nexthop. A resilient group is created with
    RESILIENT_BUCKETS buckets; a replace leaves its bucket count as it is."""
    label = "nexthop " + _describe(nexthop)
    attrs: dict[str | int, Any] = {"id": nexthop.id}
    if action == "delete":
        return build_request(rc.RTM_DELNEXTHOP, {}, attrs, label=label)
    header = {"nh-family": _family(nexthop), "nh-protocol": protocol_number(nexthop.protocol),
              "nh-flags": rc.RTNH_F_ONLINK if nexthop.onlink else 0}
    if nexthop.group is not None:
        attrs["group"] = [{"id": member.id, "weight": member.weight}
                          for member in nexthop.group]
        attrs["group-type"] = _group_type(nexthop, label)
        if nexthop.group_type == "resilient" and action == "create":
            attrs["res-group"] = {"buckets": RESILIENT_BUCKETS}
    if nexthop.blackhole:
        attrs["blackhole"] = True
    if nexthop.next_hop_interface is not None:
        resolver = names if names is not None else {}
        attrs["oif"] = ifindex(resolver, nexthop.next_hop_interface, label)
    if nexthop.next_hop_address is not None:
        attrs["gateway"] = nexthop.next_hop_address
    if nexthop.fdb:
        attrs["fdb"] = True
    return build_request(rc.RTM_NEWNEXTHOP, header, attrs, NEW_FLAGS[action], label)


def nexthop_command(action: Action, nexthop: Nexthop) -> str:
    """The `ip nexthop` command that does what nexthop_request(action, ...) does."""
    if action == "delete":
        return f"ip nexthop del id {nexthop.id}"
    six = "-6 " if nexthop.family == "ipv6" and nexthop.next_hop_address is None else ""
    words = [f"ip {six}nexthop {IP_VERBS[action]}", _describe(nexthop)]
    if nexthop.onlink:
        words.append("onlink")
    words.append(f"proto {nexthop.protocol or 'static'}")
    return " ".join(words)


def _family(nexthop: Nexthop) -> int:
    """nh_family: a group's is AF_UNSPEC (the kernel refuses any other: "Invalid family for
    group"); else as said, else the gateway's; a device-only or blackhole nexthop that says
    none is IPv4 (the kernel wants one of the two)."""
    if nexthop.group is not None:
        return socket.AF_UNSPEC
    if nexthop.family is not None:
        return FAMILIES[nexthop.family]
    if nexthop.next_hop_address is not None:
        return family_of(nexthop.next_hop_address)
    return socket.AF_INET


def _group_type(nexthop: Nexthop, label: str) -> int:
    name = nexthop.group_type or "mpath"
    if name not in GROUP_TYPE_NUMBERS:
        raise RequestError(f"{label}: unknown group type {name!r}")
    return GROUP_TYPE_NUMBERS[name]


def _describe(nexthop: Nexthop) -> str:
    words = ["id", str(nexthop.id)]
    if nexthop.group is not None:
        members = "/".join(f"{m.id},{m.weight}" if m.weight != 1 else str(m.id)
                           for m in nexthop.group)
        words += ["group", members]
        if nexthop.group_type is not None:
            words += ["type", nexthop.group_type]
        if nexthop.group_type == "resilient":
            words += ["buckets", str(RESILIENT_BUCKETS)]
    if nexthop.blackhole:
        words.append("blackhole")
    if nexthop.next_hop_address is not None:
        words += ["via", nexthop.next_hop_address]
    if nexthop.next_hop_interface is not None:
        words += ["dev", nexthop.next_hop_interface]
    if nexthop.fdb:
        words.append("fdb")
    return " ".join(words)
