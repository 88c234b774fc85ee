"""The interfaces part of a plan: link and address changes as steps, in the order the kernel
needs them.

Deletes, children first: addresses, then links on top of others before those (deleting a
link deletes the vlans and macvlans on it, so theirs would fail after); one request for a
veth pair. Then, parents first:
1. creates: links are created down, without controller or alias; a veth's create makes
   its peer too;
2. changes in place (mtu, MAC, alias, kind data, controller), then each controller's ports
   (enslave, release, port settings), on what the kernel has then (for a link just created:
   what its create made); every link's alternative names removed before the changes, added
   after them (a name may move from one link to another);
3. admin state (up/down);
4. addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any, NamedTuple

from nlstate.diff_links import (
    COMING,
    GOING,
    AddressChange,
    InterfaceAddress,
    LinkChange,
    controllers_moved,
    created_state,
    peer_created_state,
)
from nlstate.kinds import MTU_FOLLOWS_PORTS
from nlstate.model.interface import Interface
from nlstate.netlink.message import Request
from nlstate.objects import RecordType
from nlstate.requests import RequestError
from nlstate.requests.addresses import address_command, address_request
from nlstate.requests.links import (
    NO_INDEXES,
    AltNameAction,
    alt_name_changes,
    alt_name_command,
    alt_name_request,
    link_change,
    link_change_commands,
    link_create,
    link_create_commands,
    link_delete,
    link_delete_command,
    link_differences,
    link_down,
    link_up,
    port_commands,
    port_requests,
)
from nlstate.steps import LINK_OPS, LinkOp, Names, Step

ADDRESSES = RecordType(
    "interfaces", "interfaces", key=lambda record: record,
    build=lambda action, records, names: address_request(
        action, records[0].interface, records[0].entry, names),
    command=lambda action, records: address_command(
        action, records[0].interface, records[0].entry), noun="address")


class PlanError(ValueError):
    """The changes cannot be ordered (a cycle among links)."""


# ---------------------------------------------------------------------------- deletes

def address_delete_steps(changes: Sequence[AddressChange]) -> list[Step]:
    return [Step("delete", ADDRESSES, (change.before,), _address_reason(change),
                 disruptive=change.op == "recreate")
            for change in changes if change.op in GOING and change.before is not None]


def link_delete_steps(changes: Sequence[LinkChange]) -> list[Step]:
    going = {change.name: change for change in changes if change.op in GOING}
    links = {name: change.before for name, change in going.items() if change.before}
    depth = _depths(links, veth_pairs=True)
    steps: list[Step] = []
    deleted: set[str] = set()
    for name in sorted(links, key=lambda name: -depth[name]):
        peer = _peer(links[name])
        if peer in deleted:
            continue  # deleting the other end took it
        deleted.add(name)
        reason = going[name].reason
        if peer is not None and peer in going:
            reason += f"; its veth peer {peer} goes with it"
        steps.append(_link_step(name, "delete", partial(_single, link_delete, name),
                                link_delete_command(name), reason, disruptive=True))
    return steps


# ---------------------------------------------------------------------------- creates

class LinkSteps(NamedTuple):
    setup: list[Step]  # creates, then changes in place and ports
    down: list[Step]  # links set down: before the addresses (the kernel drops a link's IPv6
    # addresses as it goes down, so those the file gives go on after)
    up: list[Step]  # links set up: after the addresses (cheaper for the kernel to add to a
    # link not up yet: their routes come once, as it goes up)


def link_steps(changes: Sequence[LinkChange], indexes: Names = NO_INDEXES) -> LinkSteps:
    """Creates, then changes and ports, and apart the admin states; parents first. Links
    created get the ifindexes `indexes` names (a rollback's: those they had)."""
    targets = {c.name: c.after for c in changes if c.after is not None}
    befores = {c.name: c.before for c in changes if c.before is not None}
    by_name = {c.name: c for c in changes}
    depth = _depths(targets, veth_pairs=False, controllers=True, before=befores)
    order = sorted(targets, key=depth.__getitem__)
    creates: list[Step] = []
    create = partial(link_create, indexes=indexes)
    after_create: dict[str, Interface] = {}  # what the kernel has once the creates are done
    as_said: set[str] = set()  # made by a create of their own: all the file says but
    # controller and alias (and ports, addresses, admin state: steps of their own)
    for name in order:
        change = by_name[name]
        if change.op not in COMING:
            continue
        link = targets[name]
        peer = _peer(link)
        if peer is not None and peer in after_create and _peer(after_create[peer]) == name:
            after_create[name] = peer_created_state(name, peer)  # made by the peer's create
            continue
        bare = link.replaced(controller=None, description=None)
        if link.type in MTU_FOLLOWS_PORTS:
            bare = bare.replaced(mtu=None)  # set after the ports
        [command] = link_create_commands(bare)
        creates.append(_link_step(name, "create", partial(_single, create, bare), command,
                                  change.reason, disruptive=change.op == "recreate",
                                  creates=(name,) if peer is None else (name, peer)))
        after_create[name] = created_state(bare)
        as_said.add(name)
    in_place: list[Step] = []
    # every link's alternative names removed before any is added: a name may move
    alt_names_removed: list[Step] = []
    alt_names_added: list[Step] = []
    ports: list[Step] = []
    mtus: list[Step] = []  # of links whose MTU follows their ports: after the ports
    keyed_moves: dict[str, str] | None = None  # worked out when a bridge has an MTU to keep
    admin: dict[str, list[Step]] = {"down": [], "up": []}
    for name in order:
        change = by_name[name]
        have = after_create.get(name, change.before)
        assert have is not None
        want = targets[name]
        if (want.type or have.type) in MTU_FOLLOWS_PORTS and want.mtu is not None:
            if keyed_moves is None:
                keyed_moves = controllers_moved(changes)
            mtus += _mtu_after_ports(have, want, want.name in keyed_moves, change)
            want = want.replaced(mtu=have.mtu)
        if not _made_as_said(name, want, as_said):
            in_place += _change_steps(have, want, change)
        removed, added = _alt_name_steps(have, want)
        alt_names_removed += removed
        alt_names_added += added
        ports += _port_steps(have, want)
        if want.state in admin:
            admin[want.state] += _admin_steps(have, want)
    return LinkSteps(creates + alt_names_removed + in_place + alt_names_added + ports + mtus,
                     admin["down"], admin["up"])


def address_steps(changes: Sequence[AddressChange]) -> list[Step]:
    steps = []
    for change in changes:
        if change.after is None:
            continue
        action = "replace" if change.op == "update" else "create"
        steps.append(Step(action, ADDRESSES, (change.after,), _address_reason(change),
                          disruptive=change.op == "recreate"))
    return steps


def _change_steps(have: Interface, want: Interface, change: LinkChange) -> list[Step]:
    """The link's own settings in place (not its ports, not its admin state)."""
    in_place = _without_ports(want).replaced(state=None, alt_names=None)
    commands = link_change_commands(have, in_place)
    if not commands:
        return []
    differences = link_differences(have, in_place)
    fields = ", ".join(differences)
    moves_up_link = have.state == "up" and bool({"mtu", "mac-address"} & set(differences))
    leaves_controller = "controller" in differences and have.controller is not None
    disruptive = moves_up_link or leaves_controller
    reason = (f"differs from the file: {fields}" if change.op == "update"
              else f"{change.op}d link {want.name}: {fields}")
    build = partial(_single, link_change, have, in_place)
    return [_link_step(want.name, "change", build, commands[0], reason,
                       disruptive=disruptive)]


def _alt_name_steps(have: Interface, want: Interface) -> tuple[list[Step], list[Step]]:
    """(the step removing the link's alternative names, the one adding), each a request
    (or none)."""
    adds, removes = alt_name_changes(have, want)
    return (_alt_name_step(want.name, "del", removes, "state: absent in alt-names"),
            _alt_name_step(want.name, "add", adds, "listed in alt-names"))


def _alt_name_step(link: str, action: AltNameAction, alt_names: list[str],
                   reason: str) -> list[Step]:
    if not alt_names:
        return []
    build = partial(_single, alt_name_request, link, action, alt_names)
    return [_link_step(link, "change", build, alt_name_command(link, action, alt_names),
                       reason, disruptive=False)]


def _made_as_said(name: str, want: Interface, as_said: set[str]) -> bool:
    """Whether a link's create leaves nothing to change in place: what _change_steps would
    find on created_state(want) (a shortcut: 2000 links created take a third of the plan's
    time there; a test holds the two in step)."""
    return name in as_said and not want.controller and want.description is None


def _mtu_after_ports(have: Interface, want: Interface, keyed_move: bool,
                     change: LinkChange) -> list[Step]:
    """The MTU of a link whose MTU follows its ports (MTU_FOLLOWS_PORTS), set after them:
    when it differs, or when a port joins or leaves (which may move it), by the link's port
    list or (`keyed_move`) by a port's own controller key."""
    listed = want.bridge is not None and want.bridge.port is not None
    moved = keyed_move or (
        listed and {port for _, port in have.ports()} != {port for _, port in want.ports()})
    if want.mtu == have.mtu and not moved:
        return []
    unknown = have.replaced(mtu=None)  # so that the request carries the MTU either way
    mtu = unknown.replaced(mtu=want.mtu)
    [command] = link_change_commands(unknown, mtu)
    said = change.reason if change.op == "update" else f"{change.op}d link {want.name}"
    return [_link_step(want.name, "change", partial(_single, link_change, unknown, mtu),
                       command, f"{said}: mtu, set after its ports (a port joining or "
                       "leaving moves a bridge's MTU)",
                       disruptive=have.state == "up" and have.mtu != want.mtu)]


def _port_steps(have: Interface, want: Interface) -> list[Step]:
    """Enslave, release, port settings: what the controller's port list says."""
    steps = []
    key = next((key for key, _ in want.sections()), "")
    wording = {"enslave": "listed in", "release": "not in", "settings": "port settings in"}
    for index, (action, command) in enumerate(port_commands(want, have)):
        build = partial(_nth_port_request, want, have, index)
        steps.append(_link_step(want.name, "change", build, command,
                                f"{wording[action]} {want.name}'s {key}.port",
                                disruptive=action == "release"))
    return steps


def _admin_steps(have: Interface, want: Interface) -> list[Step]:
    if want.state not in ("up", "down") or want.state == have.state:
        return []
    up = want.state == "up"
    return [_link_step(want.name, "change",
                       partial(_single, link_up if up else link_down, want.name),
                       f"ip link set {want.name} {want.state}",
                       f"state: {want.state}", disruptive=not up)]


# ---------------------------------------------------------------------------- helpers

def _link_step(link: str, action: str, build: Callable[[Names], Request], command: str,
               reason: str, *, disruptive: bool, creates: tuple[str, ...] = ()) -> Step:
    return Step(action, LINK_OPS, (LinkOp(link, build, command, creates),), reason,
                disruptive)


def _single(make: Callable[..., list[Request]], *args: Any) -> Request:
    """partial(_single, f, *args)(names): the one request f(*args, names) makes."""
    [request] = make(*args)
    return request


def _nth_port_request(controller: Interface, have: Interface, index: int,
                      names: Names) -> Request:
    return port_requests(controller, names, have)[index]


def _without_ports(link: Interface) -> Interface:
    """The link without its port lists: ports are steps of their own."""
    update = {}
    for key, section in link.sections():
        if "port" in type(section).model_fields:
            update[key.replace("-", "_")] = section.replaced(port=None)
    return link.replaced(**update)


def _peer(link: Interface | None) -> str | None:
    return link.veth.peer if link is not None and link.veth is not None else None


def _parents(link: Interface, controllers: bool) -> Iterable[str]:
    for loc, name in link.lower_links():
        if loc[0] != "veth":
            yield name
    if controllers and link.controller:  # "" is none
        yield link.controller


def _depths(links: dict[str, Interface], *, veth_pairs: bool, controllers: bool = False,
            before: Mapping[str, Interface] | None = None) -> dict[str, int]:
    """How many links each one sits on, among `links` (0: on none of them), by what each
    says or, for what it leaves out, what it was `before`; with veth_pairs the two ends of
    a pair count as one. A cycle is a PlanError naming it."""
    earlier = before or {}
    depth: dict[str, int] = {}
    visiting: list[str] = []

    def visit(name: str) -> int:
        if name in depth:
            return depth[name]
        if name in visiting:
            cycle = [*visiting[visiting.index(name):], name]
            raise PlanError(f"links depend on each other in a cycle: {' -> '.join(cycle)}")
        visiting.append(name)
        said = list(_parents(links[name], controllers))
        if name in earlier and next(links[name].sections(), None) is None:
            said += _parents(earlier[name], controllers)
        parents = [p for p in said if p in links]
        level = max((visit(parent) + 1 for parent in parents), default=0)
        visiting.pop()
        depth[name] = level
        return level

    for name in links:
        visit(name)
    if veth_pairs:
        for name, link in links.items():
            peer = _peer(link)
            if peer in depth:
                depth[name] = depth[peer] = max(depth[name], depth[peer])
    return depth


def _address_reason(change: AddressChange) -> str:
    if change.fields:
        return f"{change.reason}: {', '.join(change.fields)}"
    return change.reason


__all__ = ["ADDRESSES", "InterfaceAddress", "PlanError", "RequestError", "address_delete_steps",
           "address_steps", "link_delete_steps", "link_steps"]
