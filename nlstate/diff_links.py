"""The interfaces part of diff: links and their addresses.

- A listed link that the kernel lacks is created (for the types nlstate can create);
  `state: absent` deletes one; `state: ignore` leaves it be; unlisted links are left alone.
- A listed link that exists changes in place, on the fields the file says. A field that no
  request can change (requests.links.immutable_changes: the type, a vxlan's id, a veth's
  peer, ...) makes the link *recreated* — deleted and created again with the file's values
  over the kernel's — when --allow-recreate or the interface's `allow-recreate` says so;
  otherwise the diff refuses it with the reason.
- Deleting or recreating a link takes with it the links on top of it (vlan, macvlan, ...):
  they are recreated after it (or deleted, when it goes for good). A veth takes its peer:
  one request deletes or creates both ends. Routes, neighbours and nexthops on links that
  go are taken out of the current state the other sections are compared with, so those the
  file lists are created again.
- An interface's ipv4/ipv6 `address` list, when given, is complete for that family;
  `enabled: false` means no addresses of it. Kernel-made addresses (link-local) are not
  managed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from nlstate.kinds import MTU_FOLLOWS_PORTS
from nlstate.model import State
from nlstate.model.interface import AddressEntry, Interface
from nlstate.requests import RequestError
from nlstate.requests.addresses import address_key, address_recreate_fields
from nlstate.requests.links import (
    SECTION_BY_KEY,
    immutable_changes,
    link_create_commands,
    link_differences,
)

GOING = ("delete", "recreate")  # link changes that delete the link first
COMING = ("create", "recreate")  # link changes that create it
UNDELETABLE = {"ethernet": "a NIC's link belongs to its driver",
               "loopback": "every namespace has its loopback"}


class InterfaceAddress(NamedTuple):
    """One address of one interface: the record the addresses part of a plan works on."""

    interface: str
    entry: AddressEntry


@dataclass(frozen=True)
class LinkChange:
    """What happens to one link: create, update (in place), delete or recreate. `before`
    is the kernel's link (None for create); `after` the link to have (None for delete)."""

    op: str
    name: str
    before: Interface | None
    after: Interface | None
    fields: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class AddressChange:
    op: str  # create, update (replace in place), delete, recreate (delete and create)
    before: InterfaceAddress | None
    after: InterfaceAddress | None
    fields: tuple[str, ...] = ()
    reason: str = ""


@dataclass
class InterfacesDiff:
    links: list[LinkChange] = field(default_factory=list)
    addresses: list[AddressChange] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    gone: set[str] = field(default_factory=set)  # links deleted or recreated
    known: set[str] = field(default_factory=set)  # links there will be once applied


def diff_interfaces(desired: State, current: State, allow_recreate: bool) -> InterfacesDiff:
    present = {iface.name: iface for iface in current.interfaces}
    listed = {iface.name: iface for iface in desired.interfaces}
    result = InterfacesDiff()
    changes: dict[str, LinkChange] = {}
    kept: dict[str, Interface] = {}  # listed links that exist and stay: the file's view
    for iface in desired.interfaces:
        have = present.get(iface.name)
        if iface.state == "ignore" or (iface.state == "absent" and have is None):
            continue
        if iface.state == "absent":
            assert have is not None
            _delete(have, "state: absent", changes, result)
            continue
        target = _target(iface, listed, present, result)
        if target is None:
            continue
        if have is None:
            _create(target, changes, result)
            continue
        refused = immutable_changes(have, target)
        if not refused:
            kept[have.name] = target
            fields = link_differences(have, target)
            if fields:
                changes[have.name] = LinkChange("update", have.name, have, target,
                                                tuple(fields), "differs from the file")
        elif allow_recreate or iface.allow_recreate:
            changes[have.name] = LinkChange(
                "recreate", have.name, have, merged(have, target), tuple(refused),
                f"{', '.join(refused)} cannot change on an existing link")
        else:
            result.errors.append(
                f"link {have.name}: {', '.join(refused)} cannot change on an existing link; "
                "it must be deleted and created again, which interrupts its traffic: allow "
                "that with --allow-recreate, or `allow-recreate: true` on the interface")
    _follow_dependents(present, {**listed, **kept}, changes, result)
    _keep_mtus_as_ports_move(present, kept, changes)
    result.links = list(changes.values())
    result.gone = {name for name, change in changes.items() if change.op in GOING}
    for name, target in kept.items():
        if name not in result.gone:
            _diff_addresses(present[name], target, result)
    for change in result.links:
        if change.op in COMING and change.after is not None:
            _add_all_addresses(change.after, f"the link is {change.op}d", result)
    for change in result.links:
        for peer in _veth_peer(change.after):
            if change.op in COMING and peer in present and peer not in result.gone:
                result.errors.append(f"link {change.name}: its veth peer {peer} would be "
                                     "created with it, but a link of that name exists")
    _check_mtus(result.links, present, result)
    result.known = {name for name in present if name not in result.gone}
    result.known |= {change.name for change in result.links if change.op != "delete"}
    result.known |= {peer for change in result.links if change.op in COMING
                     for peer in _veth_peer(change.after)}
    _check_references(result)
    return result


def merged(have: Interface, want: Interface) -> Interface:
    """The link to create when recreating: the file's values over the kernel's (a kind
    section merged key by key; a list the file gives replaces the kernel's)."""
    document = have.document()
    if want.type is not None and want.type != have.type:
        for key, _ in have.sections():  # another kind: the kernel's section is not its
            document.pop(key)
    for key, value in want.document().items():
        if isinstance(value, dict) and isinstance(document.get(key), dict):
            document[key] = {**document[key], **value}
            if key in ("ipv4", "ipv6"):  # the file's enabled and addresses go together
                if value.get("address") and "enabled" not in value:
                    document[key]["enabled"] = True
                elif value.get("enabled") is False and "address" not in value:
                    document[key].pop("address", None)
        else:
            document[key] = value
    document.pop("allow-recreate", None)
    if want.alt_names:  # the kernel's names and the file's, less those it removes
        gone = {entry.name for entry in want.alt_names if entry.state == "absent"}
        kept = {entry.name for entry in (*(have.alt_names or ()), *want.alt_names)} - gone
        document["alt-names"] = [{"name": name} for name in sorted(kept)]
    return Interface.model_validate(document)


def created_state(link: Interface) -> Interface:
    """The link as the kernel has it right after its create request: down, not a port,
    without alias, ports or addresses (those are steps of their own)."""
    update: dict[str, Any] = {"state": "down", "controller": None, "description": None,
                              "ipv4": None, "ipv6": None, "alt_names": None}
    for key, section in link.sections():
        if "port" in type(section).model_fields:
            update[key.replace("-", "_")] = section.replaced(port=None)
    return link.replaced(**update)


def peer_created_state(name: str, peer: str) -> Interface:
    """The far end of a veth that the create of `peer` made."""
    return Interface.model_validate({"name": name, "type": "veth", "state": "down",
                                     "veth": {"peer": peer}})


def _veth_peer(link: Interface | None) -> Iterator[str]:
    if link is not None and link.veth is not None:
        yield link.veth.peer


def _target(iface: Interface, listed: dict[str, Interface], present: dict[str, Interface],
            result: InterfacesDiff) -> Interface | None:
    """The interface as the plan should make it: copy-mac-from resolved, and a port's
    controller left to the controller's port list when that list names it (or, for a
    release, when the list of the controller it has leaves it out)."""
    update: dict[str, Any] = {"allow_recreate": None}
    if iface.copy_mac_from is not None:
        source = iface.copy_mac_from
        mac = next((i.mac_address for i in (listed.get(source), present.get(source))
                    if i is not None and i.mac_address is not None), None)
        if mac is None:
            result.errors.append(f"link {iface.name}: copy-mac-from {source}, whose MAC "
                                 "address is not known (it is neither in the kernel nor "
                                 "given in the file)")
            return None
        update.update(mac_address=mac, copy_mac_from=None)
    controller = listed.get(iface.controller or "")
    if controller is not None and iface.name in {name for _, name in controller.ports()}:
        update["controller"] = None
    if iface.controller == "":
        have = present.get(iface.name)
        leaving = listed.get(have.controller or "") if have is not None else None
        if leaving is not None and leaving.lists_ports():
            update["controller"] = None
    return iface.replaced(**update)


def _create(target: Interface, changes: dict[str, LinkChange], result: InterfacesDiff,
            ) -> None:
    if target.type in UNDELETABLE:
        result.errors.append(
            f"link {target.name} is not in the kernel, and a link of type {target.type} "
            f"cannot be created ({UNDELETABLE[target.type]}): check the name")
        return
    try:
        link_create_commands(target)
    except RequestError as exc:
        result.errors.append(str(exc))
        return
    if target.state is None:
        target = target.replaced(state="up")  # a new link is up unless said
    changes[target.name] = LinkChange("create", target.name, None, target, (),
                                      "listed in the file, not in the kernel")


def _delete(have: Interface, reason: str, changes: dict[str, LinkChange],
            result: InterfacesDiff) -> None:
    if have.type in UNDELETABLE:
        result.errors.append(f"link {have.name} is of type {have.type} and cannot be "
                             f"deleted ({UNDELETABLE[have.type]}); set state: down instead")
        return
    changes[have.name] = LinkChange("delete", have.name, have, None, (), reason)


def _follow_dependents(present: dict[str, Interface], wanted: dict[str, Interface],
                       changes: dict[str, LinkChange], result: InterfacesDiff) -> None:
    """Links on top of a link that goes go with it: they are recreated after it (with the
    file's values over their own) when it comes back, else deleted. A veth's peer goes and
    comes back with it (one request each way, see plan_links)."""
    pending = [name for name, change in changes.items() if change.op in GOING]
    while pending:
        name = pending.pop()
        change = changes[name]
        peers = [peer for peer in _veth_peer(present.get(name)) if peer in present]
        uppers = [link.name for link in present.values() if name in _bases(link)]
        for other in [*peers, *uppers]:
            if other in changes and changes[other].op in GOING:
                continue
            # a veth's old peer comes back only if the recreated veth still names it
            coming_back = change.op == "recreate" and (
                other not in peers or other in _veth_peer(change.after))
            why = (f"the veth peer of {name}" if other in peers
                   else f"on top of {name}")
            entry = wanted.get(other)
            if coming_back and (entry is None or entry.state != "absent"):
                changes[other] = LinkChange(
                    "recreate", other, present[other],
                    merged(present[other], entry if entry is not None and _still_wanted(entry)
                           else present[other]),
                    (), f"{why}, which is recreated")
            elif _still_wanted(entry):
                result.errors.append(f"link {other} is listed, but it is {why}, which is "
                                     "deleted (and takes it along)")
            else:
                changes[other] = LinkChange("delete", other, present[other], None, (),
                                            f"{why}, which is deleted")
            if other in changes:
                pending.append(other)


def controllers_moved(changes: Iterable[LinkChange]) -> dict[str, str]:
    """The controllers that a link joins or leaves by its own `controller` key, each with
    one such link."""
    moved: dict[str, str] = {}
    for change in changes:
        had = change.before.controller if change.before is not None else None
        new = change.after.controller if change.after is not None else None
        if new is not None and new != had:
            moved.update((controller, change.name) for controller in (new, had) if controller)
    return moved


def _keep_mtus_as_ports_move(present: dict[str, Interface], kept: dict[str, Interface],
                             changes: dict[str, LinkChange]) -> None:
    """A link whose MTU follows its ports (a bridge) and whose MTU the file gives changes too
    when a link joins or leaves it by its own controller key: its MTU is set again after
    the ports (plan_links), as the kernel moves it."""
    for name, port in controllers_moved(list(changes.values())).items():
        target = kept.get(name)
        if (name not in changes and target is not None and target.mtu is not None
                and (target.type or present[name].type) in MTU_FOLLOWS_PORTS):
            changes[name] = LinkChange("update", name, present[name], target, ("mtu",),
                                       f"{port} joins or leaves it")


def _still_wanted(iface: Interface | None) -> bool:
    return iface is not None and iface.state not in ("absent", "ignore")


def _bases(link: Interface) -> list[str]:
    """The links this one is on top of (a veth's peer is not one: see _veth_peer)."""
    return [name for loc, name in link.lower_links() if loc[0] != "veth"]


# ---------------------------------------------------------------------------- addresses

def _families(link: Interface) -> Iterator[tuple[str, list[AddressEntry] | None]]:
    """(family key, the complete address list the file gives, or None: don't care)."""
    for key in ("ipv4", "ipv6"):
        config = getattr(link, key)
        if config is None:
            yield key, None
        elif config.address is not None:
            yield key, list(config.address)
        else:
            yield key, [] if config.enabled is False else None


def _add_all_addresses(link: Interface, reason: str, result: InterfacesDiff) -> None:
    for _, entries in _families(link):
        for entry in entries or ():
            result.addresses.append(AddressChange(
                "create", None, InterfaceAddress(link.name, entry), (), reason))


def _diff_addresses(have: Interface, want: Interface, result: InterfacesDiff) -> None:
    current = dict(_families(have))
    # the kernel drops a link's IPv6 addresses as it goes down (unless keep_addr_on_down is
    # set): those the file keeps are given again after (a replace: there or not, it holds)
    going_down = have.state == "up" and want.state == "down"
    for key, wanted in _families(want):
        if wanted is None:
            continue
        present = {address_key(have.name, e): e for e in current.get(key) or ()}
        for entry in wanted:
            before = present.pop(address_key(have.name, entry), None)
            after = InterfaceAddress(have.name, entry)
            if before is None:
                result.addresses.append(AddressChange(
                    "create", None, after, (), "listed in the file, not in the kernel"))
                continue
            fields = _address_differences(before, entry)
            if not fields and going_down and key == "ipv6":
                result.addresses.append(AddressChange(
                    "update", InterfaceAddress(have.name, before), after, (),
                    f"{have.name} goes down, and the kernel then drops its IPv6 addresses"))
                continue
            if fields:
                recreate = address_recreate_fields(before, entry)
                result.addresses.append(AddressChange(
                    "recreate" if recreate else "update", InterfaceAddress(have.name, before),
                    after, tuple(fields), "differs from the file"))
        for entry in present.values():
            result.addresses.append(AddressChange(
                "delete", InterfaceAddress(have.name, entry), None, (),
                f"not in the file's {key} address list"))


def _address_differences(have: AddressEntry, want: AddressEntry) -> list[str]:
    fields = []
    if (want.peer or want.ip) != (have.peer or have.ip):
        fields.append("peer")
    if want.noprefixroute is not None and want.noprefixroute != bool(have.noprefixroute):
        fields.append("noprefixroute")
    return fields


# ---------------------------------------------------------------------------- references

def _base_of(link: Interface) -> str | None:
    """The base link of a vlan, macvlan or ipvlan, as the link's section says it."""
    for key, model in link.sections():
        if SECTION_BY_KEY[key].base_link:
            base = model.document().get("base-iface")
            return str(base) if base else None
    return None


def _check_mtus(links: list[LinkChange], present: dict[str, Interface],
                result: InterfacesDiff) -> None:
    """A link on a base link (vlan, macvlan, ipvlan) cannot have a larger MTU than its base:
    the kernel refuses it, or lowers it when the base's MTU goes down."""
    targets = {change.name: change.after for change in links if change.after is not None}
    for name, link in targets.items():
        base = _base_of(link) or (_base_of(present[name]) if name in present else None)
        if link.mtu is None or base is None:
            continue
        source = targets.get(base) or present.get(base)
        base_mtu = source.mtu if source is not None else None
        if base_mtu is not None and link.mtu > base_mtu:
            result.errors.append(f"link {name}: mtu {link.mtu} is more than its base link "
                                 f"{base}'s {base_mtu}; a link on a base link can have at "
                                 "most the base's MTU")


def _check_references(result: InterfacesDiff) -> None:
    """Every link a link to have names (base, controller, ports) exists once applied."""
    for change in result.links:
        link = change.after
        if link is None:
            continue
        named = [*((loc, name) for loc, name in link.lower_links() if loc[0] != "veth"),
                 *link.ports()]
        if link.controller:  # "" is none
            named.append((("controller",), link.controller))
        for loc, name in named:
            if name not in result.known:
                where = ".".join(str(part) for part in loc)
                result.errors.append(f"link {link.name}: {where} names {name}, which is "
                                     "neither in the kernel nor created by the file")
