"""Loading state files: parse, validate, and on failure say where and why.

Every command that reads a desired state (validate, plan, apply, watch, the Ansible module)
goes through load_file / load_text. Parsing and validation take the fast path; positions
are worked out only for the problems found.
"""

from __future__ import annotations

import sys
from itertools import repeat
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nlstate.collector import paused_gc
from nlstate.model import State, StateFile
from nlstate.model.records import Route
from nlstate.model.routes import RouteConfig, routes_to_check
from nlstate.model.state import RoutesSection

from .bulk import BulkValidator, validated_by_fields
from .messages import describe, key_path
from .parse import ParseError, parse_text
from .problems import LoadError, Problem

__all__ = ["STDIN", "LoadError", "Problem", "file_name", "load_document", "load_file",
           "load_text", "read_file", "to_state", "validate_document"]


STDIN = "-"  # as a file name: standard input


def load_file(path: str | Path) -> State:
    """The State a file describes ("-": standard input); LoadError with every problem
    otherwise."""
    return load_text(read_file(path), file_name(path))


def read_file(path: str | Path) -> str:
    """A state file's text ("-": standard input); LoadError naming it when it cannot be
    read."""
    name = file_name(path)
    try:
        if str(path) == STDIN:
            return sys.stdin.read()
        return Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError([Problem(name, None, None, "", exc.strerror or str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise LoadError([Problem(name, None, None, "", f"not UTF-8 text: {exc.reason}")]) from None


def file_name(path: str | Path) -> str:
    """How messages name a file."""
    return "<stdin>" if str(path) == STDIN else str(path)


def load_text(text: str, filename: str = "<text>") -> State:
    document = _parsed(text, filename)
    with paused_gc():
        state = _with_route_records(document)
    if state is not None:
        return state
    return to_state(_validated(document, text, filename))


def load_document(text: str, filename: str = "<text>") -> StateFile:
    """Parse and validate; the file model (for callers that want the file's own view)."""
    return _validated(_parsed(text, filename), text, filename)


def _parsed(text: str, filename: str) -> dict[str, Any]:
    try:
        document = parse_text(text, filename)
    except ParseError as exc:
        raise LoadError([Problem(filename, exc.line, exc.column, "", exc.message)]) from None
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise LoadError([Problem(filename, 1, 1, "", "a state file is a mapping of sections "
                                 "(interfaces, routes, route-rules, neighbors, nexthops)")])
    return document


def _validated(document: dict[str, Any], text: str, filename: str) -> StateFile:
    try:
        return validate_document(document)
    except ValidationError as exc:
        raise LoadError(_problems(exc, text, filename)) from None


def _with_route_records(document: dict[str, Any]) -> State | None:
    """The State of a document with many routes, their records made straight from their
    validated values (RouteConfig models only for the few routes its checks need to see: a
    third of the time at 100k routes), the rest validated as usual; None when that does not
    apply or something is wrong (the usual path then validates everything and says what)."""
    routes = document.get("routes")
    if not isinstance(routes, dict) or not isinstance(routes.get("config"), list):
        return None
    entries = routes["config"]
    columns = _ROUTES.columns(entries)
    to_check = routes_to_check(columns) if columns is not None else None
    if columns is None or to_check is None:
        return None
    destinations = columns["destination"]
    if len(set(destinations)) != len(destinations):
        return None  # a multipath route, or a route given twice: left to the usual path
    try:
        for index in to_check:  # what the plain routes need not: RouteConfig's own checks
            RouteConfig.model_validate(entries[index])
        rest = StateFile.model_validate({**document, "routes": {**routes, "config": []}})
    except ValidationError:
        return None
    state = State.from_file(rest)
    unset = [None] * len(destinations)
    state.routes = list(map(tuple.__new__, repeat(Route), zip(
        *(columns.get(name, unset) for name in Route._fields), strict=True)))
    return state


def validate_document(document: Any) -> StateFile:
    """StateFile.model_validate, with the garbage collector held (a third faster at 100k
    routes); pydantic's ValidationError as it is.

    Routes are validated in bulk first (bulk.py; less time and memory at 100k routes): when
    every entry passes, StateFile gets them as models and validates the rest. Should
    anything be wrong, the document is validated as it is, for the usual errors."""
    with paused_gc():
        prevalidated = _with_bulk_routes(document)
        if prevalidated is not None:
            try:
                return StateFile.model_validate(prevalidated)
            except ValidationError:
                pass
        return StateFile.model_validate(document)


_ROUTES = BulkValidator(RouteConfig)
# pydantic checks each model of a list it is given (half a microsecond apiece), though it
# keeps them as they are; a section that checks nothing itself is validated without its
# entries and given them afterwards.
_SECTION_CHECKS_NOTHING = (validated_by_fields(RoutesSection)
                           and not RoutesSection.__pydantic_decorators__.model_validators)


def _with_bulk_routes(document: Any) -> dict[str, Any] | None:
    """The document with its route entries replaced by their RouteConfig models (which
    StateFile takes as they are), or None when bulk validation does not apply."""
    if not isinstance(document, dict):
        return None
    routes = document.get("routes")
    if not isinstance(routes, dict) or not isinstance(routes.get("config"), list):
        return None
    models = _ROUTES.validate(routes["config"])
    if models is None:
        return None
    if not _SECTION_CHECKS_NOTHING:
        return {**document, "routes": {**routes, "config": models}}
    try:
        section = RoutesSection.model_validate({**routes, "config": []})
    except ValidationError:
        return None
    return {**document, "routes": section.model_copy(update={"config": models})}


def to_state(model: StateFile) -> State:
    with paused_gc():
        return State.from_file(model)


def _problems(exc: ValidationError, text: str, filename: str) -> list[Problem]:
    from .locate import Locator  # PyYAML's composer: imported when something is wrong only

    locator = Locator(text)
    problems = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        position = locator.find(loc)
        line, column = position if position else (None, None)
        problems.append(Problem(filename, line, column, key_path(loc), describe(error)))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
