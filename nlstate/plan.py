"""Diff -> Plan: ordered steps, each one netlink request, with the reason and the equivalent
`ip` command. Requests are built when the plan is applied (`Step.request(names)`), because
interface indexes are known only then (links the plan creates get theirs from the kernel).

Order: deletes first, dependents before what they depend on (rules, routes, neighbours,
nexthops; nexthop groups before their members); then creates and replaces, parents first
(nexthop members, groups, routes, neighbours, rules). An object that cannot be replaced in
place (a rule) is deleted in the first phase and created in the second.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nlstate.diff import Change, Diff
from nlstate.model import State
from nlstate.netlink.consts import NLM_F_ACK, NLM_F_REQUEST, flag_names
from nlstate.netlink.message import Request, flag_context
from nlstate.objects import ANY_INDEX, NEIGHBORS, NEXTHOPS, ROUTES, RULES, RecordType
from nlstate.requests import Action

DELETE_ORDER: tuple[RecordType, ...] = (RULES, ROUTES, NEIGHBORS, NEXTHOPS)
CREATE_ORDER: tuple[RecordType, ...] = (NEXTHOPS, ROUTES, NEIGHBORS, RULES)
SYMBOLS = {"create": "+", "replace": "~", "delete": "-"}
SENT_FLAGS = NLM_F_REQUEST | NLM_F_ACK  # what the socket adds to every request of an apply


@dataclass(frozen=True)
class Step:
    action: Action
    kind: RecordType
    records: tuple[Any, ...]
    reason: str
    disruptive: bool = False

    def request(self, names: Mapping[str, int]) -> Request:
        """The netlink request, with interface names resolved to indexes."""
        return self.kind.build(self.action, self.records, names)

    @property
    def command(self) -> str:
        return self.kind.command(self.action, self.records)

    def describe(self) -> dict[str, Any]:
        """The step as data (the JSON plan)."""
        shown = self.request(ANY_INDEX)
        return {
            "action": self.action,
            "section": self.kind.section,
            "object": shown.label,
            "message": shown.name,
            "flags": flag_names(shown.flags | SENT_FLAGS, flag_context(shown.name)),
            "command": self.command,
            "disruptive": self.disruptive,
            "reason": self.reason,
        }


@dataclass
class Plan:
    steps: list[Step] = field(default_factory=list)
    fingerprint: str = ""
    conflicts: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SYMBOLS, 0)
        for step in self.steps:
            counts[step.action] += 1
        return counts

    def document(self) -> dict[str, Any]:
        return {"steps": [step.describe() for step in self.steps],
                "fingerprint": self.fingerprint, "conflicts": self.conflicts}

    def text(self) -> str:
        lines = []
        for number, step in enumerate(self.steps, start=1):
            mark = " !" if step.disruptive else ""
            lines.append(f"{number:>4} {SYMBOLS[step.action]} {step.command}{mark}")
            lines.append(f"       ({step.reason})")
        counts = self.counts()
        lines.append(f"Plan: {counts['create']} to create, {counts['replace']} to replace, "
                     f"{counts['delete']} to delete." if self.steps else "No changes.")
        lines += [f"conflict: {conflict}" for conflict in self.conflicts]
        return "\n".join(lines) + "\n"


def make_plan(diff: Diff, current: State) -> Plan:
    by_section: dict[str, list[Change]] = {}
    for change in diff.changes:
        by_section.setdefault(change.section, []).append(change)
    steps: list[Step] = []
    for kind in DELETE_ORDER:
        going = [c for c in by_section.get(kind.section, [])
                 if c.op == "delete" or (c.op == "update" and not kind.replaceable)]
        steps += _ordered(kind, [_delete_step(kind, c) for c in going], groups_first=True)
    for kind in CREATE_ORDER:
        coming = [c for c in by_section.get(kind.section, []) if c.op != "delete"]
        steps += _ordered(kind, [_create_step(kind, c) for c in coming], groups_first=False)
    return Plan(steps, fingerprint(current), list(diff.conflicts))


def _delete_step(kind: RecordType, change: Change) -> Step:
    return Step("delete", kind, change.before, change.reason)


def _create_step(kind: RecordType, change: Change) -> Step:
    if change.op == "create" or not kind.replaceable:
        return Step("create", kind, change.after, change.reason)
    return Step("replace", kind, change.after,
                f"{change.reason}: {', '.join(f.replace('_', '-') for f in change.fields)}")


def _ordered(kind: RecordType, steps: Sequence[Step], *, groups_first: bool) -> list[Step]:
    """Within a type, objects that refer to others of it (higher tier) are created after and
    deleted before them; otherwise the diff's order stays (sorted() is stable)."""
    sign = -1 if groups_first else 1
    return sorted(steps, key=lambda step: sign * kind.tier(step.records[0]))


def fingerprint(state: State) -> str:
    """Identifies the state a plan was made against: applying a saved plan to a namespace
    whose state has changed since is refused."""
    text = json.dumps(state.document(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
