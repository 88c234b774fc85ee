"""A state file's text to Python objects: JSON or YAML, fast, with exact syntax-error positions.

YAML is read with the YAML 1.2 core schema, as nmstate's own (Rust) parser reads it: `yes`,
`no`, `on` and `off` are strings, `0x30` and `0o14` are integers, `014` is 14, a MAC address
such as 33:33:00:00:00:02 stays a string (YAML 1.1, and so PyYAML's safe_load, reads it as a
base-60 integer), dates stay strings, `<<` is an ordinary key, and a key given twice is an
error. Two parsers give exactly that reading (yaml_text.py): yaml-rs, fast, when installed,
and PyYAML with the same resolvers, its referee.

JSON (a name ending in .json, or a text starting with '{') is read by `json.loads`, with
duplicate keys refused; a text that only looks like JSON falls back to YAML.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from nlstate.collector import paused_gc

__all__ = [
    "FORMATS",
    "Format",
    "ParseError",
    "detect_format",
    "line_column",
    "parse_json",
    "parse_text",
]

Format = Literal["json", "yaml"]
FORMATS: tuple[Format, ...] = ("json", "yaml")

_BOM = "\ufeff"
_JSON_START = re.compile(r"[ \t\r\n]*\{")


class ParseError(ValueError):
    """A text that is not well-formed JSON or YAML. line and column are 1-based; None only
    where the parser cannot tell (JSON nested too deeply for Python's recursion limit)."""

    def __init__(self, filename: str, line: int | None, column: int | None,
                 message: str) -> None:
        where = filename if line is None else f"{filename}:{line}:{column or 1}"
        super().__init__(f"{where}: {message}")
        self.filename = filename
        self.line = line
        self.column = column
        self.message = message


def detect_format(text: str, filename: str = "<text>") -> Format:
    """json for a name ending in .json, or an unnamed/other text that starts with '{'."""
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith((".yml", ".yaml")):
        return "yaml"
    return "json" if _JSON_START.match(text) else "yaml"


def parse_text(text: str, filename: str = "<text>", *, fast: bool = True) -> Any:
    """The objects a state file's text holds (None for an empty YAML text).

    `fast=False` skips yaml-rs (tests and benchmarks compare the two). Raises ParseError."""
    if text.startswith(_BOM):
        text = text[1:]
    with paused_gc():
        if detect_format(text, filename) == "json" or _JSON_START.match(text):
            try:
                return parse_json(text, filename)
            except ParseError:
                if filename.lower().endswith(".json"):
                    raise
                # Not JSON after all: YAML's flow style also starts with '{'.
        from .yaml_text import parse_yaml  # PyYAML and yaml-rs: imported for YAML only

        return parse_yaml(text, filename, fast=fast)


# --------------------------------------------------------------------------- JSON


class _DuplicateKey(ValueError):
    pass


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    mapping = dict(pairs)
    if len(mapping) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return mapping


def parse_json(text: str, filename: str = "<text>") -> Any:
    try:
        return json.loads(text, object_pairs_hook=_unique_keys)
    except json.JSONDecodeError as exc:
        raise ParseError(filename, exc.lineno, exc.colno, f"JSON: {exc.msg}") from None
    except RecursionError:
        raise ParseError(filename, None, None, "JSON: nested too deeply") from None
    except _DuplicateKey as exc:
        raise _locate_duplicate(text, filename, str(exc)) from None


def _locate_duplicate(text: str, filename: str, key: str) -> ParseError:
    """JSON is YAML: PyYAML's node marks say where the second key is (unless PyYAML stops
    at something else first, such as a tab)."""
    from .yaml_text import parse_reference

    message = f"JSON: duplicate key {key!r}"
    try:
        parse_reference(text, filename)
    except ParseError as exc:
        if "duplicate key" in exc.message:
            return ParseError(filename, exc.line, exc.column, message)
    return ParseError(filename, None, None, message)


def line_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character index."""
    line_start = text.rfind("\n", 0, index) + 1
    return text.count("\n", 0, index) + 1, index - line_start + 1
