"""Diff -> Plan: ordered steps, each one netlink request (steps.Step), with the reason and
the equivalent `ip` command.

Order: deletes first, dependents before what they depend on: rules, routes, neighbours,
nexthops (groups before their members), addresses, then links (children first); then
creates and changes, parents first: links (create, change, ports; see plan_links),
addresses, links' admin state, nexthops (members before groups), routes, neighbours, rules.
An object that cannot be replaced in place (a rule, an IPv4 address's peer) is deleted in
the first phase and created in the second. Routes come after the addresses their gateway or
source need, since all addresses come first.
"""

from __future__ import annotations

import hashlib
import json
import marshal
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import compress, groupby, repeat
from operator import attrgetter, itemgetter
from typing import Any, NamedTuple

from nlstate.collector import paused_gc
from nlstate.diff import Change, Diff
from nlstate.model import State
from nlstate.objects import NEIGHBORS, NEXTHOPS, ROUTES, RULES, RecordType
from nlstate.plan_links import (
    PlanError,
    address_delete_steps,
    address_steps,
    link_delete_steps,
    link_steps,
)
from nlstate.steps import Step

__all__ = ["Plan", "PlanError", "Step", "fingerprint", "make_plan"]

DELETE_ORDER: tuple[RecordType, ...] = (RULES, ROUTES, NEIGHBORS, NEXTHOPS)
CREATE_ORDER: tuple[RecordType, ...] = (NEXTHOPS, ROUTES, NEIGHBORS, RULES)
SYMBOLS = {"create": "+", "replace": "~", "change": "~", "delete": "-"}
COUNTED = {"create": "create", "replace": "change", "change": "change", "delete": "delete"}
_ACTION, _DISRUPTIVE = itemgetter(0), itemgetter(4)  # of a Step
_ACTION_KIND = itemgetter(0, 1)
_OP, _SECTION = itemgetter(0), itemgetter(1)  # of a Change


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    made_against: State | None = field(default=None, repr=False, compare=False)

    @cached_property
    def fingerprint(self) -> str:
        """Of the state the plan was made against (computed when asked: a saved plan needs
        it, an apply does not)."""
        return fingerprint(self.made_against) if self.made_against is not None else ""

    def counts(self) -> dict[str, int]:
        return _counted(Counter(map(_ACTION, self.steps)))

    def summary(self) -> str:
        return self._summary(Counter(map(_ACTION, self.steps)), sum(map(_DISRUPTIVE, self.steps)))

    def _summary(self, actions: Mapping[str, int], disruptive: int) -> str:
        if not self.steps:
            return "No changes."
        counts = _counted(actions)
        text = (f"Plan: {counts['create']} to create, {counts['change']} to change, "
                f"{counts['delete']} to delete.")
        return text + (f" {disruptive} disruptive (!)." if disruptive else "")

    def document(self) -> dict[str, Any]:
        return {"steps": [step.describe() for step in self.steps],
                "fingerprint": self.fingerprint, "conflicts": self.conflicts}

    def outline(self) -> str:
        """The plan by action and type of object, for a plan too long to read step by step
        (`text` lists every step)."""
        # in C calls, without a list of 100k (action, kind) pairs: making it took half the
        # outline's time
        by_kind = Counter(map(_ACTION_KIND, self.steps))
        flags = list(map(_DISRUPTIVE, self.steps))
        disruptive = _by_noun(Counter(compress(map(_ACTION_KIND, self.steps), flags))
                              if any(flags) else Counter())
        lines = [f"{SYMBOLS[action]} {action} {noun}: {count}"
                 + (f" ({disruptive[action, noun]} disruptive !)"
                    if (action, noun) in disruptive else "")
                 for (action, noun), count in _by_noun(by_kind).items()]
        actions: Counter[str] = Counter()
        for (action, _), count in by_kind.items():
            actions[action] += count
        lines.append(self._summary(actions, sum(disruptive.values())))
        lines += [f"conflict: {conflict}" for conflict in self.conflicts]
        return "\n".join(lines) + "\n"

    def text(self, highlight: bool = False) -> str:
        """One line per step with its `ip` command, the reason under it; disruptive steps
        end in `!` (and are red with highlight, for a terminal)."""
        lines = []
        for number, step in enumerate(self.steps, start=1):
            line = f"{number:>4} {SYMBOLS[step.action]} {step.command}"
            if step.disruptive:
                line = f"\033[1;31m{line} !\033[0m" if highlight else f"{line} !"
            lines.append(line)
            lines.append(f"       ({step.reason})")
        lines.append(self.summary())
        lines += [f"conflict: {conflict}" for conflict in self.conflicts]
        return "\n".join(lines) + "\n"


def _counted(actions: Mapping[str, int]) -> dict[str, int]:
    """Steps by action as the summary counts them: create, change, delete."""
    counts = dict.fromkeys(("create", "change", "delete"), 0)
    for action, number in actions.items():
        counts[COUNTED[action]] += number
    return counts


def _by_noun(counts: Counter[tuple[str, RecordType]]) -> dict[tuple[str, str], int]:
    """Counts by (action, type of step) as counts by (action, noun), first seen first."""
    merged: dict[tuple[str, str], int] = {}
    for (action, kind), count in counts.items():
        merged[action, kind.noun] = merged.get((action, kind.noun), 0) + count
    return merged


def make_plan(diff: Diff, current: State, *, indexes: Mapping[str, int] | None = None,
              ) -> Plan:
    """The plan; PlanError when the diff has errors (all of them named) or the links
    cannot be ordered. `indexes`: ifindexes for links it creates, by name (a rollback's)."""
    with paused_gc():
        return _make_plan(diff, current, indexes or {})


def _make_plan(diff: Diff, current: State, indexes: Mapping[str, int]) -> Plan:
    if diff.errors:
        raise PlanError("\n".join(diff.errors))
    by_section: dict[str, list[Change]] = {}
    for section, run in groupby(diff.changes, key=_SECTION):  # a run per section, in C
        by_section.setdefault(section, []).extend(run)
    split = {kind.section: _split(kind, by_section.get(kind.section, []))
             for kind in DELETE_ORDER}
    steps: list[Step] = []
    for kind in DELETE_ORDER:
        going = split[kind.section].going
        steps += _ordered(kind, [_delete_step(kind, c) for c in going], groups_first=True)
    steps += address_delete_steps(diff.addresses)
    steps += link_delete_steps(diff.links)
    links = link_steps(diff.links, indexes)
    steps += links.setup
    steps += links.down
    steps += address_steps(diff.addresses)
    steps += links.up
    for kind in CREATE_ORDER:
        _, replaces, creates = split[kind.section]
        steps += _ordered(kind, [*map(_replace_step, repeat(kind), replaces),
                                 *_create_steps(kind, creates)], groups_first=False)
    return Plan(steps, list(diff.conflicts), current)


class _Split(NamedTuple):
    going: list[Change]  # deleted in the first phase
    replaces: list[Change]  # replaced in place
    creates: list[Change]  # created in the second phase (an update of what is not
    # replaceable: deleted in the first)


def _split(kind: RecordType, changes: list[Change]) -> _Split:
    """A section's changes by what becomes of them; when all are creates (100k routes into
    an empty namespace), told in C calls."""
    ops = list(map(_OP, changes))
    if ops.count("create") == len(ops):
        return _Split([], [], changes)
    deleted_too = "update" if not kind.replaceable else ""
    return _Split([c for c in changes if c.op in ("delete", deleted_too)],
                  [c for c in changes if c.op == "update" and kind.replaceable],
                  [c for c in changes if c.op in ("create", deleted_too)])


def _delete_step(kind: RecordType, change: Change) -> Step:
    return Step("delete", kind, change.before, change.reason)


def _create_steps(kind: RecordType, changes: Sequence[Change]) -> Iterator[Step]:
    """The create steps, in C calls: 100k routes into an empty namespace pass here."""
    return map(tuple.__new__, repeat(Step), zip(
        repeat("create"), repeat(kind), map(attrgetter("after"), changes),
        map(attrgetter("reason"), changes), repeat(False)))


def _replace_step(kind: RecordType, change: Change) -> Step:
    return Step("replace", kind, change.after,
                f"{change.reason}: {', '.join(f.replace('_', '-') for f in change.fields)}")


def _ordered(kind: RecordType, steps: list[Step], *, groups_first: bool) -> list[Step]:
    """Within a type, objects that refer to others of it (higher tier) are created after and
    deleted before them; otherwise the diff's order stays (sorted() is stable)."""
    tier = kind.tier
    if tier is None:
        return steps
    sign = -1 if groups_first else 1
    return sorted(steps, key=lambda step: sign * tier(step.records[0]))


def fingerprint(state: State) -> str:
    """Identifies the state a plan was made against: applying a saved plan to a namespace
    whose state has changed since is refused. The records go through marshal (C, and exact
    for the str/int/bool/None/tuple values they hold): 100k routes in tens of ms."""
    digest = hashlib.sha256()
    interfaces = [iface.document() for iface in state.interfaces]
    digest.update(json.dumps(interfaces, sort_keys=True).encode())
    for records in (state.routes, state.route_rules, state.neighbors):
        digest.update(marshal.dumps(list(map(tuple, records))))
    digest.update(marshal.dumps([tuple(map(_plain, nexthop)) for nexthop in state.nexthops]))
    return digest.hexdigest()[:16]


def _plain(value: Any) -> Any:
    """A nexthop group's members as plain tuples (marshal takes no NamedTuple)."""
    return tuple(map(tuple, value)) if type(value) is tuple else value
