"""diff(desired, current) -> the changes that make current what desired says.

Semantics (nmstate's, plus nlstate's ownership policy):
- An object is the records with one key (a multipath route: one record per hop).
- Only what the file says is compared: a field left unset (None) is "don't care" and keeps
  the kernel's value. Defaults matter only when an object is created.
- Objects the file does not list are left alone unless an absent entry or a purge selector
  of their section matches them and no protect selector does; kernel-owned objects are
  never removed. When only some hops of a route match, only those hops go.
- A listed object that differs from a protected one is a conflict, not a change.
- Interfaces (links and their addresses) are diff_links' part; routes, neighbours and
  nexthops on links that it deletes or recreates are compared as if already gone, and the
  links that objects to create name must exist once applied.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import chain, compress, repeat
from operator import attrgetter, itemgetter, ne, not_
from typing import Any, Literal, NamedTuple

from nlstate.collector import paused_gc
from nlstate.diff_links import AddressChange, LinkChange, diff_interfaces
from nlstate.model import State
from nlstate.model.state import Ownership
from nlstate.objects import RECORD_TYPES, RecordType

Op = Literal["create", "update", "delete"]


class Change(NamedTuple):  # a NamedTuple: diffs make these by the hundred thousand
    op: Op
    section: str
    key: Hashable
    before: tuple[Any, ...]  # the kernel's records of the object (none for create)
    after: tuple[Any, ...]  # the records it should have: desired, unset fields kept
    fields: tuple[str, ...] = ()  # what differs, for an update
    reason: str = ""


@dataclass
class Diff:
    changes: list[Change] = field(default_factory=list)
    links: list[LinkChange] = field(default_factory=list)
    addresses: list[AddressChange] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)  # the file against ownership
    errors: list[str] = field(default_factory=list)  # what no plan can do

    def __bool__(self) -> bool:
        return bool(self.changes or self.links or self.addresses)


class Desired:
    """The file's side of diffs against several states (apply diffs the file once to plan,
    then again to verify), worked out once per record type."""

    def __init__(self, state: State) -> None:
        self.state = state
        self._sides: dict[str, _Side] = {}

    def preparation(self) -> Iterator[None]:
        """Work out what later diffs will need of the file's side, a record type per step
        (apply takes the steps while the kernel carries out the plan)."""
        for kind in RECORD_TYPES:
            self.side(kind).uniform  # noqa: B018 (a cached property, computed here)
            yield

    def side(self, kind: RecordType) -> _Side:
        side = self._sides.get(kind.section)
        if side is None:
            records = kind.records(self.state)
            keys = kind.keys_of(records)
            side = self._sides[kind.section] = _Side(records, keys,
                                                     dict(zip(keys, records, strict=True)))
        return side


@dataclass
class _Side:
    records: Sequence[Any]
    keys: Sequence[Hashable]
    one: dict[Hashable, Any]  # key -> record: fewer than records when objects have several

    @cached_property
    def uniform(self) -> tuple[Callable[[Any], Any], list[Any]] | None:
        """When every record sets the same fields (as a file's mostly do): the projection on
        them (a tuple even of one field) and the records projected; else None."""
        records = list(self.one.values())
        if not records:
            return None
        given = [index for index, value in enumerate(records[0]) if value is not None]
        if not given:
            return None
        counts = list(map(tuple.count, records, repeat(None)))
        project = itemgetter(*given, *given[:1])  # twice one field: always a tuple
        projected = list(map(project, records))
        if counts.count(counts[0]) != len(counts) or None in chain.from_iterable(projected):
            return None  # as many fields set, but others (or not as many)
        return project, projected


def diff(desired: State | Desired, current: State, *, allow_recreate: bool = False,
         skip: Collection[str] = ()) -> Diff:
    """The changes; `allow_recreate` lets links be deleted and created again where they
    cannot change in place (else those are errors). `desired` as Desired is worked out
    once for several diffs. `skip`: sections of records (routes, ...) not compared, which
    the caller has checked otherwise."""
    with paused_gc():
        return _diff(desired if isinstance(desired, Desired) else Desired(desired), current,
                     allow_recreate, skip)


def _diff(desired: Desired, current: State, allow_recreate: bool,
          skip: Collection[str]) -> Diff:
    interfaces = diff_interfaces(desired.state, current, allow_recreate)
    result = Diff(links=interfaces.links, addresses=interfaces.addresses,
                  errors=interfaces.errors)
    for kind in RECORD_TYPES:
        if kind.section in skip:
            continue
        ownership = desired.state.ownership.get(kind.section, Ownership())
        present = kind.records(current)
        taken: dict[Hashable, str] = {}  # objects on links that go: key -> the link
        if interfaces.gone and kind.interface_fields:
            keys = kind.keys_of(present)
            for key, record in zip(keys, present, strict=True):
                link = next((n for n in kind.interfaces(record) if n in interfaces.gone), None)
                if link is not None:
                    taken[key] = link
            present = [record for key, record in zip(keys, present, strict=True)
                       if key not in taken]
        first = len(result.changes)
        _diff_type(kind, desired.side(kind), present, ownership, result)
        for index in range(first, len(result.changes)) if taken else ():
            change = result.changes[index]
            if change.key in taken:
                result.changes[index] = change._replace(
                    reason=f"listed in the file; it goes with link {taken[change.key]}"
                                   ", which is deleted or recreated")
        if current.interfaces:  # a saved state without interfaces says nothing of links
            _check_interfaces(kind, result.changes[first:], interfaces.known, result)
    return result


def _check_interfaces(kind: RecordType, changes: Sequence[Change], known: set[str],
                      result: Diff) -> None:
    if not kind.interface_fields:
        return
    records = list(chain.from_iterable(map(_AFTER, changes)))  # in C calls
    named: set[str | None] = set()
    for name in kind.interface_fields:  # column by column: 100k routes pass here
        named.update(map(attrgetter(name), records))
    if not named - known - {None}:
        return
    for change in changes:
        for record in change.after:
            missing = [name for name in kind.interfaces(record) if name not in known]
            if missing:
                result.errors.append(f"{kind.label(change.after)}: no link {missing[0]} in "
                                     "the kernel, and the file creates none")
                break


def _grouped(keys: Sequence[Hashable], records: Sequence[Any]) -> dict[Hashable, list[Any]]:
    groups: dict[Hashable, list[Any]] = {}
    for key, record in zip(keys, records, strict=True):
        groups.setdefault(key, []).append(record)
    return groups


def _diff_type(kind: RecordType, desired: _Side, current: Sequence[Any],
               ownership: Ownership, result: Diff) -> None:
    present_keys = kind.keys_of(current)
    present_one = dict(zip(present_keys, current, strict=True))
    one_record_each = len(desired.one) == len(desired.records)  # no multipath route
    if one_record_each and not current and not ownership.absent:
        # nothing of the type in the kernel (100k routes into an empty namespace): all new
        _add_creates(kind, desired.keys, desired.records, result)
        return
    if one_record_each and len(present_one) == len(current) and not ownership.absent:
        # every object one record: compare record to record
        changed = list(_changed(desired, present_one))
        there = list(map(present_one.__contains__, map(itemgetter(0), changed)))
        new = list(compress(changed, map(not_, there)))
        _add_creates(kind, map(itemgetter(0), new), map(itemgetter(1), new), result)
        wanted = {key: [record] for key, record in compress(changed, there)}
        present = {key: [present_one[key]] for key in wanted}
        if ownership.purge:  # the unlisted objects, for purge to pick from
            present.update((key, [record]) for key, record in present_one.items()
                           if key not in desired.one)
    else:
        wanted = _grouped(desired.keys, desired.records)
        present = _grouped(present_keys, current)
    for key, records in wanted.items():
        for selector in ownership.absent:
            if any(selector.matches(record) for record in records):
                result.conflicts.append(
                    f"{kind.label(records)} is listed and also removed by the absent entry "
                    f"{selector.describe()}")
        before = present.get(key)
        if before == records:  # the common case (a file made from `show`): nothing to compare
            continue
        if before is None:
            result.changes.append(Change("create", kind.section, key, (), tuple(records),
                                         reason=_CREATE_REASON))
            continue
        after, fields = _merge(kind, records, before)
        if not fields:
            continue
        if ownership.protect and any(ownership.protects(record) for record in before):
            result.conflicts.append(
                f"{kind.label(before)} is protected by a protect selector, but the file "
                f"changes {', '.join(name.replace('_', '-') for name in fields)}")
            continue
        result.changes.append(Change("update", kind.section, key, tuple(before), after,
                                     fields, reason="differs from the file"))
    if not (ownership.absent or ownership.purge):
        return  # nothing unlisted goes
    for key, records in present.items():
        if key in wanted or key in desired.one or any(
                kind.kernel_owned(record) for record in records):
            continue
        _remove(kind, key, records, ownership, result)


def _add_creates(kind: RecordType, keys: Iterable[Hashable], records: Iterable[Any],
                 result: Diff) -> None:
    """Create changes of objects of one record each, in C calls: 100k routes into an empty
    namespace pass here."""
    result.changes.extend(map(tuple.__new__, repeat(Change), zip(
        repeat("create"), repeat(kind.section), keys, repeat(()), zip(records), repeat(()),
        repeat(_CREATE_REASON))))


_CREATE_REASON = "listed in the file, not in the kernel"
_AFTER = attrgetter("after")  # of a Change


def _changed(desired: _Side, present: dict[Hashable, Any]) -> Iterable[tuple[Hashable, Any]]:
    """The wanted records (key, record) that are not in present, or differ from their
    present record on a field they set. When all set the same fields, by one C-level
    projection (itemgetter): 100k of them take milliseconds."""
    wanted = desired.one
    if not present:  # all new: nothing to compare
        return wanted.items()
    uniform = desired.uniform
    if uniform is None:
        return _changed_one_by_one(wanted, present)
    project, projected = uniform
    missing = (_MISSING,) * len(next(iter(wanted.values())))
    haves = map(present.get, wanted, repeat(missing))
    return compress(wanted.items(), list(map(ne, projected, map(project, haves))))


def _changed_one_by_one(wanted: dict[Hashable, Any], present: dict[Hashable, Any],
                        ) -> Iterator[tuple[Hashable, Any]]:
    project: Callable[[Any], Any] = tuple  # until the first record sets the mask
    nones = -1
    for key, record in wanted.items():
        have = present.get(key)
        if have is None or have == record:
            if have is None:
                yield key, record
            continue
        if record.count(None) != nones or None in _as_tuple(project(record)):
            nones = record.count(None)
            given = [index for index, value in enumerate(record) if value is not None]
            project = itemgetter(*given) if given else _nothing
        if project(record) != project(have):  # a scalar when one field is given: fine
            yield key, record


_MISSING = object()  # a field of a record that is not there: equal to no value


def _nothing(record: Any) -> tuple[()]:
    return ()


def _as_tuple(value: Any) -> tuple[Any, ...]:
    return value if type(value) is tuple else (value,)


def _merge(kind: RecordType, desired: Sequence[Any], current: Sequence[Any],
           ) -> tuple[tuple[Any, ...], tuple[str, ...]]:
    """The records the object should have (the file's values over the kernel's, hop by hop)
    and the names of the fields that differ."""
    if len(desired) == 1 and len(current) == 1:  # one record each: field by field
        record, base = desired[0], current[0]
        # _differs, its first two tests inline (most fields are not given): 10k routes
        # that change pass here
        differing = tuple(name for name, value, have in zip(record._fields, record, base,
                                                             strict=True)
                          if value is not None and value != have
                          and _differs(kind, record, name, value, have))
        if not differing:
            return (base,), ()
        given = {name: getattr(record, name) for name in differing}
        return (base._replace(**given),), differing
    after = []
    changed: list[str] = []
    unmatched = list(current)
    for record in desired:
        base = _matching_hop(kind, record, unmatched)
        if base is not None:
            unmatched.remove(base)
        else:  # a new hop: the object's other fields come from its first record
            base = current[0]
            changed += [name for name in kind.hop_fields if name not in changed
                        and getattr(record, name) not in (None, getattr(base, name))]
        given = {name: value for name, value in zip(record._fields, record, strict=True)
                 if value is not None}
        changed += [name for name, value in given.items() if name not in changed
                    and _differs(kind, record, name, value, getattr(base, name))]
        after.append(base._replace(**given))
    if len(current) != len(desired):
        changed += [name for name in kind.hop_fields if name not in changed]
    return tuple(after), tuple(changed)


def _differs(kind: RecordType, record: Any, name: str, value: Any, have: Any) -> bool:
    """Whether the file's value of a field (None: not given) differs from the kernel's."""
    return value is not None and value != have and not (
        have is None and kind.reported_as_unset(record, name, value))


def _matching_hop(kind: RecordType, record: Any, candidates: Sequence[Any]) -> Any | None:
    """The current record this desired one describes: equal on the hop fields it sets."""
    wanted = [(name, value) for name, value in zip(kind.hop_fields, kind.hop(record),
                                                   strict=True) if value is not None]
    for candidate in candidates:
        if all(getattr(candidate, name) == value for name, value in wanted):
            return candidate
    return None


def _remove(kind: RecordType, key: Hashable, records: Sequence[Any], ownership: Ownership,
            result: Diff) -> None:
    going = [record for record in records if ownership.removes(record)]
    if not going:
        return
    reason = _removal_reason(ownership, going[0])
    if len(going) == len(records):
        result.changes.append(Change("delete", kind.section, key, tuple(records), (),
                                     reason=reason))
        return
    staying = tuple(record for record in records if record not in going)
    result.changes.append(Change("update", kind.section, key, tuple(records), staying,
                                 kind.hop_fields, reason=reason + " (some hops)"))


def _removal_reason(ownership: Ownership, record: Any) -> str:
    for selector in ownership.absent:
        if selector.matches(record):
            return f"absent entry matches: {selector.describe()}"
    for selector in ownership.purge:
        if selector.matches(record):
            return f"not in the file, and purge matches: {selector.describe()}"
    return "removed"
