"""observe: the kernel's state of a namespace as a State, with as few dumps as possible."""

from __future__ import annotations

import logging
import socket
from collections.abc import Collection

from nlstate import rtnl
from nlstate.collector import paused_gc
from nlstate.model import Interface, State
from nlstate.model.interface import OBSERVED
from nlstate.netlink import DumpInterruptedError, NetlinkSocket
from nlstate.rtnl import consts as rc

from .links import collect_links, interface_document
from .objects import dump_neighbors, dump_nexthops, dump_rules
from .owned import neighbor_is_kernel_owned, rule_is_kernel_owned
from .routes import dump_routes

log = logging.getLogger(__name__)

ATTEMPTS = 5
SECTIONS = ("routes", "route-rules", "neighbors", "nexthops")  # of records: skip's words

__all__ = ["observe", "observe_indexed", "observe_with"]


def observe(netns: str | None = None, *, include_kernel: bool = True) -> State:
    """Dump namespace `netns` (None: our own). include_kernel=False leaves out what the kernel
    owns (local table, proto kernel routes, link-local addresses, default rules, ...)."""
    with rtnl.open_socket(netns) as sock:
        return observe_with(sock, include_kernel=include_kernel)


def observe_with(sock: NetlinkSocket, *, include_kernel: bool = True) -> State:
    return observe_indexed(sock, include_kernel=include_kernel)[0]


def observe_indexed(sock: NetlinkSocket, *, include_kernel: bool = True,
                    skip: Collection[str] = ()) -> tuple[State, dict[str, int]]:
    """observe_with, and every link's ifindex by name (what requests need). `skip`:
    sections of records, by their keys in the state file (SECTIONS), not dumped: left
    empty."""
    unknown = set(skip) - set(SECTIONS)
    if unknown:
        raise ValueError(f"no section {sorted(unknown)[0]!r} to leave out; "
                         f"there are {', '.join(SECTIONS)}")
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with paused_gc():
                return _observe_once(sock, include_kernel, skip)
        except DumpInterruptedError as exc:
            log.info("state changed while dumping (%s); dumping again (%d/%d)",
                     exc, attempt, ATTEMPTS)
    raise DumpInterruptedError(f"the state kept changing during {ATTEMPTS} dumps")


def _observe_once(sock: NetlinkSocket, include_kernel: bool, skip: Collection[str],
                  ) -> tuple[State, dict[str, int]]:
    links = list(sock.dump(rtnl.link_dump_request(), rtnl.LINK_OBSERVED))
    addresses = list(sock.dump(rtnl.build_request(rc.RTM_GETADDR)))
    views = collect_links(links, addresses)
    names = {index: view.name for index, view in views.items()}
    interfaces = [
        Interface.model_validate(interface_document(view, views, names, include_kernel),
                                 context=OBSERVED)
        for view in views.values()
    ]
    routes = [] if "routes" in skip else dump_routes(sock, names, include_kernel=include_kernel)
    rules = [] if "route-rules" in skip else dump_rules(sock)
    neighbors = [] if "neighbors" in skip else [
        n for family in (socket.AF_INET, socket.AF_INET6)
        for n in dump_neighbors(sock, family, names)]
    nexthops = [] if "nexthops" in skip else dump_nexthops(sock, names)
    if not include_kernel:
        rules = [r for r in rules if not rule_is_kernel_owned(r)]
        neighbors = [n for n in neighbors if not neighbor_is_kernel_owned(n)]
    state = State(interfaces=interfaces, routes=routes, route_rules=rules, neighbors=neighbors,
                  nexthops=nexthops)
    return state, {name: index for index, name in names.items()}
