"""Static neighbours -> RTM_NEWNEIGH / RTM_DELNEIGH requests (the inverse of dump_neighbors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlstate.model.records import Neighbor
from nlstate.netlink.message import Request
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.neigh import NTF_PROXY, NTF_ROUTER, NUD_NONE, NUD_PERMANENT, NUD_STATES

from .common import IP_VERBS, NEW_FLAGS, Action, RequestError, family_of, ifindex

__all__ = ["neighbor_command", "neighbor_key", "neighbor_request"]

STATE_NUMBERS = {name: number for number, name in NUD_STATES.items()} | {"none": NUD_NONE}


def neighbor_key(neighbor: Neighbor) -> tuple[str, str]:
    """(interface, destination): one entry per address and interface."""
    return neighbor.interface, neighbor.destination


def neighbor_request(action: Action, neighbor: Neighbor, names: Mapping[str, int]) -> Request:
    """Create (CREATE|EXCL), replace (CREATE|REPLACE) or delete the entry; state None is
    permanent. A proxy entry (proxy: true) is a different table: it has no state nor lladdr."""
    label = "neighbour " + _describe(neighbor)
    header: dict[str, Any] = {
        "ndm-family": family_of(neighbor.destination),
        "ndm-ifindex": ifindex(names, neighbor.interface, label),
        "ndm-flags": NTF_PROXY if neighbor.proxy else 0,
    }
    attrs: dict[str | int, Any] = {"dst": neighbor.destination}
    if action == "delete":
        return build_request(rc.RTM_DELNEIGH, header, attrs, label=label)
    if neighbor.router:
        header["ndm-flags"] |= NTF_ROUTER
    if not neighbor.proxy:
        header["ndm-state"] = _state(neighbor, label)
    if neighbor.link_layer_address is not None:
        attrs["lladdr"] = neighbor.link_layer_address
    return build_request(rc.RTM_NEWNEIGH, header, attrs, NEW_FLAGS[action], label)


def neighbor_command(action: Action, neighbor: Neighbor) -> str:
    """The `ip neigh` command that does what neighbor_request(action, ...) does."""
    words = [f"ip neigh {IP_VERBS[action]}", _describe(neighbor, lladdr=action != "delete")]
    if action != "delete":
        if neighbor.router:
            words.append("router")
        if not neighbor.proxy:
            words.append(f"nud {neighbor.state or 'permanent'}")
    return " ".join(words)


def _state(neighbor: Neighbor, label: str) -> int:
    if neighbor.state is None:
        return NUD_PERMANENT
    if neighbor.state not in STATE_NUMBERS:
        raise RequestError(f"{label}: unknown state {neighbor.state!r}")
    return STATE_NUMBERS[neighbor.state]


def _describe(neighbor: Neighbor, *, lladdr: bool = True) -> str:
    words = ["proxy"] if neighbor.proxy else []
    words.append(neighbor.destination)
    if lladdr and neighbor.link_layer_address is not None and not neighbor.proxy:
        words += ["lladdr", neighbor.link_layer_address.lower()]
    words += ["dev", neighbor.interface]
    return " ".join(words)
