"""Apply's verification: observe again and diff against the file; what still differs is
reported by object and field.

A file of links only, each described plainly (by what a link dump says directly), is first
checked against a narrow dump (link_proof.py): 0.04 s for 3000 links, where observing and
diffing them take 0.13 s. Routes are first looked up as the bytes a dump reports
(requests/route_reports.py): 0.01 s for 100k on top of the dump, where decoding and diffing
them take 0.17 s. Those bytes are worked out in slices while the kernel carries out the
plan. Only when they do not prove every route the file lists (routes whose report is not
known there, a route reported otherwise) are the routes decoded and diffed with the rest.
What is not proven so is observed and diffed, which also names what differs.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from operator import attrgetter
from typing import Any

from pydantic import BaseModel

from nlstate.diff import Desired, Diff, diff
from nlstate.model.state import Ownership
from nlstate.netlink.socket import NetlinkSocket
from nlstate.objects import RECORD_TYPES, ROUTES
from nlstate.observe import observe_indexed
from nlstate.observe.routes import all_reported
from nlstate.requests.links import alt_name_changes
from nlstate.requests.route_reports import reported_bodies
from nlstate.values.base import kebab

from .link_proof import LinkProof

SHOWN_DIFFERENCES = 10
ROUTES_PER_SLICE = 4096  # of the preparation: a few ms, less than a part takes the kernel


class VerifyError(RuntimeError):
    """After applying, the kernel's state still differs from the file."""


class Verification:
    """Checks the kernel's state against the file once the plan is carried out.
    `names`: the links' ifindexes by name before the plan (routes through a link whose
    index is not the same at the check are decoded)."""

    def __init__(self, desired: Desired, names: Mapping[str, int]) -> None:
        self.desired = desired
        self._names = names
        self._route_bodies: set[bytes] | None = None
        self._indexes_used: dict[str, int] = {}
        self._link_proof: LinkProof | None = None

    def preparation(self) -> Iterator[None]:
        """The file's side worked out, a slice per step (taken while the kernel is busy)."""
        yield from self.desired.preparation()
        if len(self._unsaid_sections()) == len(RECORD_TYPES):  # a file of links only
            self._link_proof = LinkProof.of(self.desired.state)
            return
        side = self.desired.side(ROUTES)
        ownership = self.desired.state.ownership.get(ROUTES.section, Ownership())
        if not side.records or len(side.one) != len(side.records) or (
                ownership.absent or ownership.purge):
            return  # multipath routes, or routes to be removed: decoded and diffed
        bodies: set[bytes] = set()  # as many as routes: each reports its key
        for first in range(0, len(side.records), ROUTES_PER_SLICE):
            part = reported_bodies(side.records[first:first + ROUTES_PER_SLICE], self._names)
            if part is None:
                return
            bodies.update(part)
            yield
        self._route_bodies = bodies
        used = set(map(attrgetter("next_hop_interface"), side.records))
        self._indexes_used = {name: self._names[name] for name in used}

    def check(self, sock: NetlinkSocket) -> None:
        """Raise VerifyError naming what differs from the file."""
        if self._link_proof is not None and self._link_proof.holds(sock):
            return
        unsaid = self._unsaid_sections()
        # allow_recreate: what cannot change in place (a veth's peer) is named as differing,
        # where an apply's diff refuses it
        left = None
        if self._route_bodies is not None:
            skip = (*unsaid, ROUTES.section)
            after, indexes = observe_indexed(sock, include_kernel=False, skip=skip)
            if self._routes_proven(sock, indexes, self._route_bodies):
                left = diff(self.desired, after, allow_recreate=True, skip=skip)
        if left is None:  # observed (again) with the routes, which are diffed too
            after, _ = observe_indexed(sock, include_kernel=False, skip=unsaid)
            left = diff(self.desired, after, allow_recreate=True, skip=unsaid)
        problems = differences(left)
        if problems:
            more = len(problems) - SHOWN_DIFFERENCES
            shown = problems[:SHOWN_DIFFERENCES] + ([f"... and {more} more"] if more > 0
                                                    else [])
            raise VerifyError("the kernel's state differs from the file after applying:\n  "
                              + "\n  ".join(shown))

    def _unsaid_sections(self) -> tuple[str, ...]:
        """The sections of records the file says nothing of (no object, no absent, purge or
        protect): nothing the kernel has there can differ from it, so they are not dumped
        (a file of links only: 0.01 s less for 3000 links)."""
        state = self.desired.state
        return tuple(kind.section for kind in RECORD_TYPES
                     if not kind.records(state) and not state.ownership.get(kind.section))

    def _routes_proven(self, sock: NetlinkSocket, indexes: Mapping[str, int],
                       bodies: set[bytes]) -> bool:
        if any(indexes.get(name) != index for name, index in self._indexes_used.items()):
            return False  # a link recreated or renamed: its old index says nothing now
        return all_reported(sock, bodies)


def differences(changes: Diff) -> list[str]:
    """What a diff that should be empty still says, one line per object and field."""
    lines = []
    for change in changes.changes:
        label = _label(change.section, change.after or change.before)
        if change.op == "create":
            lines.append(f"{label}: missing")
        elif change.op == "delete":
            lines.append(f"{label}: still there")
        else:
            for name in change.fields:
                wanted = getattr(change.after[0], name)
                found = getattr(change.before[0], name)
                lines.append(f"{label}: {name.replace('_', '-')} wanted {wanted}, "
                             f"found {found}")
    for link in changes.links:
        for name in link.fields or (link.op,):
            wanted, found = _field(link.after, name), _field(link.before, name)
            if name == "alt-names" and link.before is not None and link.after is not None:
                missing, left = alt_name_changes(link.before, link.after)
                lines += [f"link {link.name}: alternative name {alt} missing" for alt in missing]
                lines += [f"link {link.name}: alternative name {alt} still there (state: "
                          "absent)" for alt in left]
            elif link.before is not None and link.after is not None and wanted is not _NO_FIELD:
                told = _given_differences(name, wanted, found)
                if not told and name.endswith(".port"):  # the ports' settings differ, kept
                    key = name.removesuffix(".port")  # beside the list (a bond's ports-config)
                    told = _given_differences(key, _field(link.after, key),
                                              _field(link.before, key))
                lines += [f"link {link.name}: {text}"
                          for text in told or [_wanted_found(name, wanted, found)]]
            else:
                lines.append(f"link {link.name}: {name} ({link.reason})")
    for address in changes.addresses:
        record = address.after or address.before
        if record is not None:
            lines.append(f"address {record.entry.ip}/{record.entry.prefix_length} on "
                         f"{record.interface}: {address.op} ({address.reason})")
    return list(dict.fromkeys(lines))  # a kind's section and its ports can say one thing


def _field(model: Any, path: str) -> Any:
    """A link's value by the file's key (`mtu`, `bridge.port`); _NO_FIELD if it has none."""
    for key in path.split("."):
        model = getattr(model, key.replace("-", "_"), _NO_FIELD)
        if model is _NO_FIELD or model is None:
            break
    return model


_NO_FIELD = object()


def _given_differences(path: str, wanted: Any, found: Any) -> list[str]:
    """What differs of the values the file gives, down through the sections of a link kind
    (`bridge.options.stp.enabled wanted ..., found ...`) and their lists: a list of names,
    or of named entries (a bridge's ports), by name; another list item by item."""
    if isinstance(wanted, BaseModel) and isinstance(found, BaseModel):
        return [line for name in type(wanted).model_fields
                if getattr(wanted, name) is not None
                for line in _given_differences(f"{path}.{kebab(name)}", getattr(wanted, name),
                                               getattr(found, name, None))]
    if isinstance(wanted, list) and isinstance(found, list):
        wanted_names, found_names = _names(wanted), _names(found)
        if wanted_names is not None and found_names is not None:
            return _named_differences(path, dict(zip(wanted_names, wanted, strict=True)),
                                      dict(zip(found_names, found, strict=True)))
        if len(wanted) == len(found):
            return [line for position, (value, have) in enumerate(zip(wanted, found,
                                                                       strict=True))
                    for line in _given_differences(f"{path}[{position}]", value, have)]
    return [_wanted_found(path, wanted, found)] if wanted != found else []


def _named_differences(path: str, wanted: dict[str, Any], found: dict[str, Any]) -> list[str]:
    lines = [f"{path}: {name} missing" for name in wanted if name not in found]
    for name, value in wanted.items():
        if name in found and value != name:  # an entry with settings: setting by setting
            lines += _given_differences(f"{path}[{name}]", value, found[name])
    if path.endswith(".port"):  # a port list is complete: what it leaves out differs too
        lines += [f"{path}: {name} not in the file's list" for name in found
                  if name not in wanted]
    return lines


def _names(entries: list[Any]) -> list[str] | None:
    """The names of a list of names or of named entries (a model with a `name`), when each
    is there once; else None."""
    names: list[str] = []
    for entry in entries:
        name = entry if isinstance(entry, str) else getattr(entry, "name", None)
        if not isinstance(name, str):
            return None
        names.append(name)
    return names if len(set(names)) == len(names) else None


def _wanted_found(path: str, wanted: Any, found: Any) -> str:
    return f"{path} wanted {_shown(wanted)}, found {_shown(found)}"


def _shown(value: object) -> object:
    """A value for a message: '' (a controller released) as itself, not as nothing."""
    return "''" if value == "" else value


def _label(section: str, records: tuple[Any, ...]) -> str:
    kind = next(kind for kind in RECORD_TYPES if kind.section == section)
    return kind.label(records)
