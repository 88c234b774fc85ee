"""The record types the pipeline works on, declared once: which State list holds them, their
identity, which fields vary between the records of one object (the hops of a multipath
route), and which the kernel owns. diff and plan loop over RECORD_TYPES and name no type."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlstate.model import State
from nlstate.netlink.message import Request
from nlstate.observe.owned import (
    neighbor_is_kernel_owned,
    route_is_kernel_owned,
    rule_is_kernel_owned,
)
from nlstate.observe.routes import reported_as_unset
from nlstate.requests import (
    Action,
    neighbor_command,
    neighbor_key,
    neighbor_request,
    nexthop_command,
    nexthop_key,
    nexthop_request,
    route_command,
    route_key,
    route_keys,
    route_request,
    route_requests,
    rule_command,
    rule_key,
    rule_request,
)
from nlstate.requests.rules import REPORTED_AS_UNSET

Build = Callable[[Action, Sequence[Any], Mapping[str, int]], Request]
Command = Callable[[Action, Sequence[Any]], str]
BuildMany = Callable[[Action, Sequence[Sequence[Any]], Mapping[str, int]], list[Request]]


@dataclass(frozen=True, eq=False)  # one object per type: compared and hashed by identity (in C)
class RecordType:
    section: str  # the state file's key, e.g. "route-rules"
    attribute: str  # the State attribute, e.g. "route_rules"
    key: Callable[[Any], Hashable]
    build: Build  # the request for an action on an object (its records)
    command: Command  # the equivalent ip command, for people
    hop_fields: tuple[str, ...] = ()  # identity of one record within an object
    kernel_owned: Callable[[Any], bool] = lambda record: False
    replaceable: bool = True  # else an update is a delete and a create
    # objects that refer to others of this type (nexthop groups to their members) have a
    # higher tier: created after, deleted before (None: all of one tier)
    tier: Callable[[Any], int] | None = None
    interface_fields: tuple[str, ...] = ()  # fields naming a link the object goes with
    # the keys of many records at once, for the diff (equal to key's or another identity
    # function of the same fields, used on both sides)
    keys: Callable[[Sequence[Any]], Sequence[Hashable]] | None = None
    # the requests of many objects at once, for sending: unlabelled, else as build's
    build_many: BuildMany | None = None
    noun: str = "object"  # one object in words, for outlines: "route"
    # (record, field, value): whether observe reports this value as unset (None), the
    # kernel's default, so that a file giving it matches
    reported_as_unset: Callable[[Any, str, Any], bool] = lambda record, name, value: False

    def records(self, state: State) -> list[Any]:
        records: list[Any] = getattr(state, self.attribute)
        return records

    def keys_of(self, records: Sequence[Any]) -> Sequence[Hashable]:
        return self.keys(records) if self.keys is not None else list(map(self.key, records))

    def interfaces(self, record: Any) -> Iterator[str]:
        for name in self.interface_fields:
            value = getattr(record, name)
            if value is not None:
                yield value

    def hop(self, record: Any) -> tuple[Any, ...]:
        return tuple(getattr(record, name) for name in self.hop_fields)

    def label(self, records: Sequence[Any]) -> str:
        """The object in words, e.g. "route 10.0.0.0/8 via 192.0.2.1 dev eth0 table 100"."""
        return self.build("create", records, ANY_INDEX).label


def _unset_when(**values: Any) -> Callable[[Any, str, Any], bool]:
    """reported_as_unset for a type whose observe reports these fields as unset when they
    have these values (flags reported as true or unset: False)."""
    return lambda record, name, value: (name in values and value is not None
                                        and value == values[name])


class _AnyIndex(dict[str, int]):
    """Interface names -> 0: enough to describe an object or a step before applying."""

    def __missing__(self, name: str) -> int:
        return 0


ANY_INDEX: Mapping[str, int] = _AnyIndex()


ROUTES = RecordType(
    "routes", "routes", route_key, route_request, route_command,
    ("next_hop_address", "next_hop_interface"), route_is_kernel_owned,
    interface_fields=("next_hop_interface",), keys=route_keys, build_many=route_requests,
    noun="route", reported_as_unset=reported_as_unset)
RULES = RecordType(
    "route-rules", "route_rules", rule_key,
    lambda action, records, names: rule_request(action, records[0]),  # type: ignore[arg-type]
    lambda action, records: rule_command(action, records[0]),  # type: ignore[arg-type]
    (), rule_is_kernel_owned, replaceable=False, noun="rule",
    reported_as_unset=_unset_when(**REPORTED_AS_UNSET))
NEIGHBORS = RecordType(
    "neighbors", "neighbors", neighbor_key,
    lambda action, records, names: neighbor_request(action, records[0], names),
    lambda action, records: neighbor_command(action, records[0]),
    (), neighbor_is_kernel_owned, interface_fields=("interface",), noun="neighbour",
    reported_as_unset=_unset_when(router=False, proxy=False))
NEXTHOPS = RecordType(
    "nexthops", "nexthops", nexthop_key,
    lambda action, records, names: nexthop_request(action, records[0], names),
    lambda action, records: nexthop_command(action, records[0]),
    tier=lambda nexthop: 1 if nexthop.group else 0, interface_fields=("next_hop_interface",),
    noun="nexthop", reported_as_unset=_unset_when(blackhole=False, onlink=False, fdb=False))

RECORD_TYPES: tuple[RecordType, ...] = (NEXTHOPS, ROUTES, RULES, NEIGHBORS)
