"""Loading state files: parse, validate, and on failure say where and why.

Every command that reads a desired state (validate, plan, apply, watch, the Ansible module)
goes through load_file / load_text. Parsing and validation take the fast path; positions
are worked out only for the problems found.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from nlstate.model import State, StateFile

from .locate import Locator
from .messages import describe, key_path
from .problems import LoadError, Problem

__all__ = ["LoadError", "Problem", "load_document", "load_file", "load_text"]

_YAML_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_file(path: str | Path) -> State:
    """The State a file describes; LoadError with every problem otherwise."""
    name = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise LoadError([Problem(name, None, None, "", exc.strerror or str(exc))]) from None
    except UnicodeDecodeError as exc:
        raise LoadError([Problem(name, None, None, "", f"not UTF-8 text: {exc.reason}")]) from None
    return load_text(text, name)


def load_text(text: str, filename: str = "<text>") -> State:
    return State.from_file(load_document(text, filename))


def load_document(text: str, filename: str = "<text>") -> StateFile:
    """Parse and validate; the file model (for callers that want the file's own view)."""
    document = _parse(text, filename)
    if document is None:
        document = {}
    if not isinstance(document, dict):
        raise LoadError([Problem(filename, 1, 1, "", "a state file is a mapping of sections "
                                 "(interfaces, routes, route-rules, neighbors, nexthops)")])
    try:
        return StateFile.model_validate(document)
    except ValidationError as exc:
        raise LoadError(_problems(exc, text, filename)) from None


def _parse(text: str, filename: str) -> Any:
    if filename.endswith(".json") or text.lstrip().startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError([Problem(filename, exc.lineno, exc.colno, "", exc.msg)]) from None
    try:
        return yaml.load(text, Loader=_YAML_LOADER)  # a safe loader (C if present)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (None, None)
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise LoadError([Problem(filename, line, column, "", f"YAML: {message}")]) from None
    except yaml.YAMLError as exc:
        raise LoadError([Problem(filename, None, None, "", f"YAML: {exc}")]) from None


def _problems(exc: ValidationError, text: str, filename: str) -> list[Problem]:
    locator = Locator(text)
    problems = []
    for error in exc.errors(include_url=False):
        loc = error["loc"]
        position = locator.find(loc)
        line, column = position if position else (None, None)
        problems.append(Problem(filename, line, column, key_path(loc), describe(error)))
    return sorted(problems, key=lambda p: (p.line or 0, p.column or 0))
