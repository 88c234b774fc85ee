"""The whole state: the file model (StateFile, pydantic) and the pipeline's State (records)."""

from __future__ import annotations

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


class RoutesSection(FileModel):
    """`routes:` the routes to have (nmstate's `running` report is not desired state)."""

    config: list[RouteConfig] = Field(default_factory=list, description="Routes.")


class RouteRulesSection(FileModel):
    """`route-rules:` the policy rules to have."""

    config: list[RouteRuleConfig] = Field(default_factory=list, description="Policy rules.")


class NeighborsSection(FileModel):
    """`neighbors:` static neighbour entries."""

    config: list[NeighborConfig] = Field(default_factory=list, description="Static neighbours.")


class NexthopsSection(FileModel):
    """`nexthops:` nexthop objects and groups."""

    config: list[NexthopConfig] = Field(default_factory=list, description="Nexthop objects.")


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

    @classmethod
    def from_file(cls, model: StateFile) -> State:
        return cls(
            interfaces=list(model.interfaces or []),
            routes=[r.record() for r in (model.routes.config if model.routes else [])],
            route_rules=[r.record() for r in
                         (model.route_rules.config if model.route_rules else [])],
            neighbors=[n.record() for n in (model.neighbors.config if model.neighbors else [])],
            nexthops=[n.record() for n in (model.nexthops.config if model.nexthops else [])],
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
