"""The record types the pipeline works on, declared once: which State list holds them, their
identity, which fields vary between the records of one object (the hops of a multipath
route), and which the kernel owns. diff and plan loop over RECORD_TYPES and name no type."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from nlstate.model import State
from nlstate.observe.owned import (
    neighbor_is_kernel_owned,
    route_is_kernel_owned,
    rule_is_kernel_owned,
)
from nlstate.requests import neighbor_key, nexthop_key, route_key, rule_key


@dataclass(frozen=True)
class RecordType:
    section: str  # the state file's key, e.g. "route-rules"
    attribute: str  # the State attribute, e.g. "route_rules"
    key: Callable[[Any], Hashable]
    hop_fields: tuple[str, ...] = ()  # identity of one record within an object
    kernel_owned: Callable[[Any], bool] = lambda record: False

    def records(self, state: State) -> list[Any]:
        records: list[Any] = getattr(state, self.attribute)
        return records

    def hop(self, record: Any) -> tuple[Any, ...]:
        return tuple(getattr(record, name) for name in self.hop_fields)


ROUTES = RecordType("routes", "routes", route_key,
                    ("next_hop_address", "next_hop_interface"), route_is_kernel_owned)
RULES = RecordType("route-rules", "route_rules", rule_key, (), rule_is_kernel_owned)
NEIGHBORS = RecordType("neighbors", "neighbors", neighbor_key, (), neighbor_is_kernel_owned)
NEXTHOPS = RecordType("nexthops", "nexthops", nexthop_key)

RECORD_TYPES: tuple[RecordType, ...] = (NEXTHOPS, ROUTES, RULES, NEIGHBORS)
