"""Undo: what an apply may change, recorded before its first write, and the plan that puts
it back.

Rather than inverting each step (which cannot know what a half-finished batch, a kernel
side effect, or a link deleted with its routes did), the undo is the observed state before
the apply plus the objects the apply's diff touches: the links it creates, changes or
deletes (with those that go along, and those the kernel changes with them: links on top,
controllers), their addresses, the routes, rules, neighbours and nexthops it changes, and
those on any of those links (the kernel drops a route when its link goes down or loses the
address its gateway is reached through). Rolling back plans from the state now
to that snapshot, restricted to those objects: what others changed meanwhile is left be.
The snapshot is plain data (a state document and keys), so `--confirm-within` can store it
and a separate process can roll back.
"""

from __future__ import annotations

import json
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import Any

from nlstate.diff import Diff, diff
from nlstate.model import State
from nlstate.model.interface import AltNameEntry, Interface
from nlstate.model.state import Ownership
from nlstate.objects import RECORD_TYPES
from nlstate.observe.exact import EVERYTHING, exact_link
from nlstate.plan import Plan, make_plan

_SECTION, _KEY = attrgetter("section"), attrgetter("key")  # of a Change

@dataclass
class Snapshot:
    before: State
    links: set[str] = field(default_factory=set)  # links whose settings or addresses go back
    keys: dict[str, set[Hashable]] = field(default_factory=dict)  # section -> object keys
    # the ifindexes the links had: one the apply deleted comes back with its own
    indexes: dict[str, int] = field(default_factory=dict)

    @classmethod
    def of(cls, before: State, changes: Diff, indexes: Mapping[str, int]) -> Snapshot:
        links = {change.name for change in changes.links}
        links |= {address.interface for change in changes.addresses
                  for address in (change.before, change.after) if address is not None}
        # a controller a link joins changes with it (a bridge takes its new port's MAC)
        links |= {change.after.controller for change in changes.links
                  if change.after is not None and change.after.controller}  # "": none
        links |= _followers(before, links)
        # links whose carrier goes with the touched ones' (a veth's peer, what is stacked on
        # that): the kernel flushes the nexthops on a link that loses its carrier
        affected = links | _followers(before, links, through_veth=True)
        keys: dict[str, set[Hashable]] = {}
        # by runs of one section (the diff's order), in C calls: 100k routes pass here
        for section, run in groupby(changes.changes, key=_SECTION):
            keys.setdefault(section, set()).update(map(_KEY, run))
        for kind in RECORD_TYPES:
            if not affected or not kind.interface_fields:
                continue
            # objects on affected links: the kernel removes them when their link goes, goes
            # down, loses its carrier, or loses the address their gateway was reached by
            records = kind.records(before)
            for key, record in zip(kind.keys_of(records), records, strict=True):
                if any(name in affected for name in kind.interfaces(record)):
                    keys.setdefault(kind.section, set()).add(key)
        return cls(before, links, keys, {name: index for name, index in indexes.items()
                                         if name in links})

    def restore_plan(self, now: State) -> Plan:
        """The plan that gives the snapshot's objects back their state from before."""
        present = {iface.name: iface for iface in self.before.interfaces}
        current = {iface.name: iface for iface in now.interfaces}
        interfaces = [_with_alt_names_gone(exact_link(present[name]), current.get(name))
                      if name in present else
                      Interface.model_validate({"name": name, "state": "absent"})
                      for name in sorted(self.links)]
        desired = State(interfaces=interfaces, ownership={
            kind.section: Ownership(purge=(EVERYTHING,)) for kind in RECORD_TYPES})
        for kind in RECORD_TYPES:
            touched = self.keys.get(kind.section, set())
            records = kind.records(self.before)
            kind.records(desired).extend(
                record for key, record in zip(kind.keys_of(records), records, strict=True)
                if key in touched)
        changes = diff(desired, now, allow_recreate=True)
        changes.changes = [c for c in changes.changes
                           if c.key in self.keys.get(c.section, ())]
        changes.conflicts = []
        return make_plan(changes, now, indexes=self.indexes)

    def document(self) -> dict[str, Any]:
        """As JSON-able data (stored under /run/nlstate for --confirm-within)."""
        return {"before": self.before.document(), "links": sorted(self.links),
                "keys": {section: [_plain(key) for key in keys]
                         for section, keys in self.keys.items()},
                "indexes": self.indexes}

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> Snapshot:
        return cls(State.from_document(document["before"]), set(document["links"]),
                   {section: {_hashable(key) for key in keys}
                    for section, keys in document["keys"].items()},
                   dict(document.get("indexes", {})))


def _with_alt_names_gone(link: Interface, now: Interface | None) -> Interface:
    """The link with `state: absent` for the alternative names it has now and had not
    (alt-names lists only add and remove: the names a list leaves out stay)."""
    if now is None or not now.alt_names:
        return link
    had = {entry.name for entry in link.alt_names or ()}
    added = sorted({entry.name for entry in now.alt_names} - had)
    if not added:
        return link
    gone = [AltNameEntry.model_validate({"name": name, "state": "absent"}) for name in added]
    return link.replaced(alt_names=[*(link.alt_names or ()), *gone])


def _followers(before: State, touched: set[str], *, through_veth: bool = False) -> set[str]:
    """Links the kernel changes when touched ones change: those on top of them (a macvlan
    takes a lower MTU of its base) and their controllers (a bridge follows its ports' MTU),
    and so on; `through_veth`: a veth's peer too (its carrier goes with the veth's state)."""
    followers: dict[str, list[str]] = {}
    for link in before.interfaces:
        for loc, base in link.lower_links():
            if through_veth or loc[0] != "veth":
                followers.setdefault(base, []).append(link.name)
        if link.controller is not None:
            followers.setdefault(link.name, []).append(link.controller)
    found: set[str] = set()
    pending = list(touched)
    while pending:
        for name in followers.get(pending.pop(), ()):
            if name not in touched and name not in found:
                found.add(name)
                pending.append(name)
    return found


def _plain(key: Hashable) -> Any:
    return json.loads(json.dumps(key))


def _hashable(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    return value  # type: ignore[no-any-return]
