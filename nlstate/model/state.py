"""The whole state: the file model (StateFile, pydantic) and the pipeline's State (records)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import Field, ValidationError, ValidatorFunctionWrapHandler, model_validator

from nlstate.values.base import FileModel, kebab
from nlstate.values.errors import check

from . import checks, refused
from .interface import Interface
from .neighbors import NeighborConfig
from .nexthops import NexthopConfig
from .records import Neighbor, Nexthop, Route, RouteRule
from .routes import RouteConfig
from .rules import RouteRuleConfig
from .selectors import Selector, selector_model, to_selector

RouteSelector = selector_model(RouteConfig, "RouteSelector")
RouteRuleSelector = selector_model(RouteRuleConfig, "RouteRuleSelector")
NeighborSelector = selector_model(NeighborConfig, "NeighborSelector")
NexthopSelector = selector_model(NexthopConfig, "NexthopSelector")

PURGE = ("Ownership: objects of this section that the file does not list and that match one "
         "of these selectors are removed (a selector is a partial object; `{}` matches all). "
         "Without purge, unlisted objects are left alone.")
PROTECT = ("Ownership: objects that match one of these selectors are never removed or "
           "replaced, whatever purge or an absent entry says (e.g. `protocol: bird` to leave "
           "a routing daemon's routes be). Kernel-owned objects are always protected.")


# An object section's three keys, the same in every section (a Field is a default that
# each class copies). Not a generic Section[Config, Selector]: pydantic builds a generic
# model's schema when it is first parametrized: some 20 ms of every command's start.
CONFIG: Any = Field(default_factory=list,
                    description="The objects to have; an entry with `state: absent` removes "
                                "what it matches instead.")
PURGE_FIELD = Field(None, description=PURGE)
PROTECT_FIELD = Field(None, description=PROTECT)


class RoutesSection(FileModel):
    """`routes:` routes (nmstate's `running` report is not desired state)."""

    config: list[RouteConfig] = CONFIG
    purge: list[RouteSelector] | None = PURGE_FIELD  # type: ignore[valid-type]
    protect: list[RouteSelector] | None = PROTECT_FIELD  # type: ignore[valid-type]


class RouteRulesSection(FileModel):
    """`route-rules:` policy routing rules."""

    config: list[RouteRuleConfig] = CONFIG
    purge: list[RouteRuleSelector] | None = PURGE_FIELD  # type: ignore[valid-type]
    protect: list[RouteRuleSelector] | None = PROTECT_FIELD  # type: ignore[valid-type]


class NeighborsSection(FileModel):
    """`neighbors:` static neighbour entries."""

    config: list[NeighborConfig] = CONFIG
    purge: list[NeighborSelector] | None = PURGE_FIELD  # type: ignore[valid-type]
    protect: list[NeighborSelector] | None = PROTECT_FIELD  # type: ignore[valid-type]


class NexthopsSection(FileModel):
    """`nexthops:` nexthop objects and groups."""

    config: list[NexthopConfig] = CONFIG
    purge: list[NexthopSelector] | None = PURGE_FIELD  # type: ignore[valid-type]
    protect: list[NexthopSelector] | None = PROTECT_FIELD  # type: ignore[valid-type]


ObjectSection = RoutesSection | RouteRulesSection | NeighborsSection | NexthopsSection


@dataclass(frozen=True)
class Ownership:
    """What a desired state says about objects of one section beyond those it lists:
    removals (`state: absent` entries), `purge` and `protect` selectors."""

    absent: tuple[Selector, ...] = ()
    purge: tuple[Selector, ...] = ()
    protect: tuple[Selector, ...] = ()

    @classmethod
    def of(cls, section: ObjectSection | None, absent: Sequence[FileModel] = ()) -> Ownership:
        """The section's policy; `absent`: its `state: absent` entries."""
        if section is None:
            return cls()
        return cls(
            absent=tuple(map(to_selector, absent)),
            purge=tuple(map(to_selector, section.purge or ())),
            protect=tuple(map(to_selector, section.protect or ())),
        )

    def __bool__(self) -> bool:
        return bool(self.absent or self.purge or self.protect)

    def protects(self, record: tuple[Any, ...]) -> bool:
        return any(selector.matches(record) for selector in self.protect)

    def removes(self, record: tuple[Any, ...]) -> bool:
        """Whether an existing object that the file does not list goes: an absent entry or a
        purge selector matches it, and no protect selector does. (The caller keeps
        kernel-owned objects out.)"""
        if self.protects(record):
            return False
        return any(s.matches(record) for s in self.absent) or any(
            s.matches(record) for s in self.purge)


def _split(section: ObjectSection | None) -> tuple[list[Any], list[FileModel]]:
    """(the records of the entries that say what should be there, the absent entries), in
    one pass over the entries (100k routes)."""
    if section is None:
        return [], []
    entries: list[Any] = section.config
    states = [entry.state for entry in entries]
    if "absent" not in states:
        return [entry.record() for entry in entries], []
    listed = [entry.record() for entry, state in zip(entries, states, strict=True)
              if state != "absent"]
    return listed, [entry for entry, state in zip(entries, states, strict=True)
                    if state == "absent"]


class StateFile(FileModel):
    """A desired-state file (or `nlstate show` output): nmstate's keys plus nlstate's
    neighbors and nexthops. What the file does not mention is left alone."""

    interfaces: list[Interface] | None = Field(None, description="Links and their addresses.")
    routes: RoutesSection | None = Field(None, description="Routes (`config:` list).")
    route_rules: RouteRulesSection | None = Field(
        None, description="Policy routing rules (`config:` list).")
    neighbors: NeighborsSection | None = Field(
        None, description="Static neighbour entries (`config:` list).")
    nexthops: NexthopsSection | None = Field(
        None, description="Nexthop objects and groups (`config:` list).")

    @model_validator(mode="wrap")
    @classmethod
    def _explain_refusals(cls, data: Any, handler: ValidatorFunctionWrapHandler) -> StateFile:
        """Keys and values outside what nlstate manages get their own message (refused.py)
        instead of pydantic's "Extra inputs are not permitted"."""
        try:
            result: StateFile = handler(data)
        except ValidationError as exc:
            explained = refused.explain(exc.errors())
            if explained is None:
                raise
            raise ValidationError.from_exception_data(exc.title, explained) from None
        return result

    @model_validator(mode="after")
    def _consistent(self) -> StateFile:
        """Checks across objects (checks.py), each located at the entry it is about."""
        interfaces = self.interfaces or []
        check(type(self).__name__, [
            *checks.duplicate_interfaces(interfaces),
            *checks.alt_names(interfaces),
            *checks.controllers(interfaces),
            *checks.loops(interfaces),
            *checks.veth_peers(interfaces),
            *checks.duplicate_routes(self.routes.config if self.routes else []),
            *checks.duplicate_rules(self.route_rules.config if self.route_rules else []),
            *checks.duplicate_neighbors(self.neighbors.config if self.neighbors else []),
            *checks.nexthops(self.nexthops.config if self.nexthops else []),
        ])
        return self


def _record_document(record: tuple[Any, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in zip(record._fields, record, strict=True):  # type: ignore[attr-defined]
        if value is None:
            continue
        if isinstance(value, tuple) and value and hasattr(value[0], "_fields"):
            value = [_record_document(item) for item in value]
        out[kebab(name)] = value
    return out


@dataclass
class State:
    """What the pipeline works on. Objects keep the kernel's dump order."""

    interfaces: list[Interface] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    route_rules: list[RouteRule] = field(default_factory=list)
    neighbors: list[Neighbor] = field(default_factory=list)
    nexthops: list[Nexthop] = field(default_factory=list)
    # per section key (routes, route-rules, neighbors, nexthops); empty for observed states
    ownership: dict[str, Ownership] = field(default_factory=dict)

    @classmethod
    def from_file(cls, model: StateFile) -> State:
        sections: dict[str, ObjectSection | None] = {
            "routes": model.routes, "route-rules": model.route_rules,
            "neighbors": model.neighbors, "nexthops": model.nexthops,
        }
        split = {key: _split(section) for key, section in sections.items()}
        return cls(
            interfaces=list(model.interfaces or []),
            routes=split["routes"][0],
            route_rules=split["route-rules"][0],
            neighbors=split["neighbors"][0],
            nexthops=split["nexthops"][0],
            ownership={key: own for key, section in sections.items()
                       if (own := Ownership.of(section, split[key][1]))},
        )

    @classmethod
    def from_document(cls, document: dict[str, Any]) -> State:
        return cls.from_file(StateFile.model_validate(document))

    def document(self) -> dict[str, Any]:
        """The state as a file says it (what `nlstate show` prints)."""
        doc: dict[str, Any] = {"interfaces": [i.document() for i in self.interfaces]}
        for key, records in (("routes", self.routes), ("route-rules", self.route_rules),
                             ("neighbors", self.neighbors), ("nexthops", self.nexthops)):
            doc[key] = {"config": [_record_document(r) for r in records]}
        return doc
