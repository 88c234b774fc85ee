"""nlstate's state model: pydantic file models (the YAML contract) and pipeline records."""

from .interface import AddressEntry, Interface, IPConfig
from .records import Neighbor, Nexthop, NexthopMember, Route, RouteRule
from .state import State, StateFile

__all__ = [
    "AddressEntry", "IPConfig", "Interface", "Neighbor", "Nexthop", "NexthopMember", "Route",
    "RouteRule", "State", "StateFile",
]  # fmt: skip
