"""Checks across the objects of a state file: duplicates, controllers and their ports,
reference loops. Each returns Findings located from the file's root (StateFile raises them).

What a state says must be possible at once: one entry per object, a port in at most one
controller, no link that ends up below itself. What is not in the file (a controller that
exists only in the kernel) is checked when planning, not here.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from operator import itemgetter
from typing import Any

from nlstate.values.errors import Finding, Loc

from .interface import Interface
from .neighbors import NeighborConfig
from .nexthops import NexthopConfig
from .routes import RouteConfig
from .rules import RouteRuleConfig

# What may be another link's controller: what has ports, and kinds nlstate does not know
# (observed openvswitch or team controllers are "unknown").
CONTROLLER_TYPES = frozenset({"linux-bridge", "bond", "vrf", "hsr", "unknown"})


def duplicate_interfaces(interfaces: Sequence[Interface]) -> Iterator[Finding]:
    first: dict[str, int] = {}
    for index, interface in enumerate(interfaces):
        if interface.name in first:
            yield Finding(("interfaces", index, "name"), f"{interface.name} is given again "
                          f"(first at interfaces[{first[interface.name]}]); give each "
                          "interface once", interface.name)
        else:
            first[interface.name] = index


def alt_names(interfaces: Sequence[Interface]) -> Iterator[Finding]:
    """An alternative name is one more name of one link: not another listed link's name,
    nor another's alternative name (the kernel refuses both: EEXIST)."""
    names = {interface.name: index for index, interface in enumerate(interfaces)}
    taken: dict[str, str] = {}
    for index, interface in enumerate(interfaces):
        for position, entry in enumerate(interface.alt_names or ()):
            if entry.state is not None:
                continue
            where = ("interfaces", index, "alt-names", position, "name")
            if entry.name in names and entry.name != interface.name:  # its own: the model's
                yield Finding(where, f"{entry.name} is the name of another link "
                              f"(interfaces[{names[entry.name]}])", entry.name)
            elif entry.name in taken and taken[entry.name] != interface.name:
                yield Finding(where, f"{entry.name} is already an alternative name of "
                              f"{taken[entry.name]}; a name names one link", entry.name)
            taken.setdefault(entry.name, interface.name)


def controllers(interfaces: Sequence[Interface]) -> Iterator[Finding]:
    """Ports named by two controllers, a port's controller key against the controller's port
    list, controllers that cannot have ports or are being removed."""
    by_name = {i.name: i for i in interfaces}
    listed: dict[str, tuple[str, Loc]] = {}  # port -> (controller, where it is listed)
    for index, interface in enumerate(interfaces):
        if interface.state == "absent":
            continue
        for loc, port in interface.ports():
            where = ("interfaces", index, *loc)
            if port in listed and listed[port][0] != interface.name:
                yield Finding(where, f"{port} is already a port of {listed[port][0]}; a link "
                              "has one controller", port)
            else:
                listed.setdefault(port, (interface.name, where))
    for index, interface in enumerate(interfaces):
        controller = interface.controller
        if controller is None or interface.state == "absent":
            continue
        where = ("interfaces", index, "controller")
        if controller == "":
            if interface.name in listed:
                yield Finding(where, f"{interface.name} says controller '' (none) but is "
                              f"listed as a port of {listed[interface.name][0]}", controller)
            continue
        if interface.name in listed and listed[interface.name][0] != controller:
            yield Finding(where, f"{interface.name} says controller {controller} but is listed "
                          f"as a port of {listed[interface.name][0]}", controller)
            continue
        owner = by_name.get(controller)
        if owner is None:
            continue
        if owner.state == "absent":
            yield Finding(where, f"controller {controller} is being removed (state: absent); "
                          f"release {interface.name} or keep {controller}", controller)
        elif owner.type is not None and owner.type not in CONTROLLER_TYPES:
            yield Finding(where, f"{controller} is type {owner.type}, which has no ports; a "
                          "controller is a linux-bridge, bond or vrf", controller)
        elif interface.name not in listed and owner.lists_ports():
            yield Finding(where, f"{interface.name} says controller {controller}, but "
                          f"{controller}'s port list leaves it out; add it there (the list "
                          "is complete) or drop controller", controller)


def loops(interfaces: Sequence[Interface]) -> Iterator[Finding]:
    """A link that would sit below itself: through controllers (port -> controller) and
    lower links (vlan -> base-iface)."""
    edges: dict[str, list[tuple[str, Loc]]] = {}
    for index, interface in enumerate(interfaces):
        if interface.state == "absent":
            continue
        out = edges.setdefault(interface.name, [])
        if interface.controller:  # "" is none
            out.append((interface.controller, ("interfaces", index, "controller")))
        for loc, lower in interface.lower_links():
            if loc[0] != "veth":  # a veth pair names each other by design
                out.append((lower, ("interfaces", index, *loc)))
        for loc, port in interface.ports():
            edges.setdefault(port, []).append((interface.name, ("interfaces", index, *loc)))
    for cycle, loc in _cycles(edges):
        path = " -> ".join([*cycle, cycle[0]])
        yield Finding(loc, f"reference loop: {path}; each of these would sit below itself (as "
                      "a port of its controller or on its base-iface)")


def _cycles(edges: dict[str, list[tuple[str, Loc]]]) -> Iterator[tuple[list[str], Loc]]:
    """Each loop once (depth-first search; a loop is an edge back into the current path).
    A link naming itself is left to Interface's own check."""
    done: set[str] = set()
    for root in edges:
        if root in done:
            continue
        path = [root]
        on_path = {root}
        stack = [iter(edges.get(root, ()))]
        while stack:
            step = next(stack[-1], None)
            if step is None:
                stack.pop()
                on_path.discard(node := path.pop())
                done.add(node)
                continue
            target, loc = step
            if target in on_path:
                cycle = path[path.index(target):]
                if len(cycle) > 1:
                    yield cycle, loc
            elif target not in done:
                path.append(target)
                on_path.add(target)
                stack.append(iter(edges.get(target, ())))


def veth_peers(interfaces: Sequence[Interface]) -> Iterator[Finding]:
    peers = {i.name: i.veth.peer for i in interfaces if i.veth is not None}
    for index, interface in enumerate(interfaces):
        if interface.veth is None:
            continue
        peer = interface.veth.peer
        if peer in peers and peers[peer] != interface.name:
            yield Finding(("interfaces", index, "veth", "peer"), f"{interface.name}'s peer is "
                          f"{peer}, but {peer}'s peer is {peers[peer]}; a veth pair names "
                          "each other", peer)


# read from a RouteConfig's __dict__ (cheaper than its attributes, at 100k routes)
_DESTINATION = itemgetter("destination")
_ROUTE_KEY = itemgetter("destination", "table_id", "metric", "tos", "next_hop_address",
                        "next_hop_interface", "next_hop_id", "state")


def duplicate_routes(routes: Sequence[RouteConfig]) -> Iterator[Finding]:
    """Two routes with one key (destination, table, metric, tos) and the same next hop; a
    multipath route is several entries with one key and different next hops. Unset table
    and metric are the kernel's defaults (main; 0 for IPv4, 1024 for IPv6)."""
    fields = list(map(vars, routes))
    if len(set(map(_DESTINATION, fields))) == len(fields):
        return  # no destination given twice, no key either (the common case, checked in C)
    first: dict[tuple[Any, ...], int] = {}
    for index, (destination, table, metric, tos, gateway, device, nexthop, state) in enumerate(
            map(_ROUTE_KEY, fields)):
        if state is not None or destination is None:
            continue
        if metric is None:
            metric = 1024 if ":" in destination else 0
        key = (destination, table or 254, metric, tos or 0, gateway, device, nexthop)
        where = first.setdefault(key, index)
        if where != index:
            yield Finding(("routes", "config", index), f"route {destination} (table {key[1]}, "
                          f"metric {metric}) with this next hop is already at "
                          f"routes.config[{where}]; give each route once")


def duplicate_rules(rules: Sequence[RouteRuleConfig]) -> Iterator[Finding]:
    first: dict[tuple[Any, ...], int] = {}
    for index, rule in enumerate(rules):
        if rule.state == "absent":
            continue
        key = rule.record()
        if key in first:
            yield Finding(("route-rules", "config", index), "this rule is already at "
                          f"route-rules.config[{first[key]}]; give each rule once")
        else:
            first[key] = index


def duplicate_neighbors(neighbors: Sequence[NeighborConfig]) -> Iterator[Finding]:
    first: dict[tuple[Any, ...], int] = {}
    for index, neighbor in enumerate(neighbors):
        if neighbor.state == "absent":
            continue
        key = (neighbor.interface, neighbor.destination, bool(neighbor.proxy))
        if key in first:
            yield Finding(("neighbors", "config", index), f"a neighbour {neighbor.destination} "
                          f"on {neighbor.interface} is already at neighbors.config"
                          f"[{first[key]}]; give each neighbour once")
        else:
            first[key] = index


def nexthops(entries: Sequence[NexthopConfig]) -> Iterator[Finding]:
    """Ids given once; a group's members are single nexthops (the kernel nests no groups)."""
    first: dict[int, int] = {}
    groups = {n.id for n in entries if n.group is not None and n.state != "absent"}
    for index, nexthop in enumerate(entries):
        if nexthop.state == "absent":
            continue
        if nexthop.id in first:
            yield Finding(("nexthops", "config", index, "id"), f"nexthop {nexthop.id} is "
                          f"already at nexthops.config[{first[nexthop.id]}]; give each id once",
                          nexthop.id)
        else:
            first[nexthop.id] = index
        for member_index, member in enumerate(nexthop.group or ()):
            if member.id in groups:
                yield Finding(("nexthops", "config", index, "group", member_index, "id"),
                              f"nexthop {member.id} is a group; a group's members are single "
                              "nexthops", member.id)
