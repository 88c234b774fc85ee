"""YAML state files: yaml-rs fast, PyYAML as the referee, both reading YAML 1.2's core schema.

Imported only when a text is YAML or YAML is written (PyYAML and yaml-rs take some 20 ms to
import, which a JSON file's apply need not pay); parse.py says what the reading is.

- yaml-rs (a dependency, used when installed): Rust, ~40x faster than PyYAML's C loader on
  a 100k-route file;
- `StateFileLoader`: PyYAML (its C parser when present) with the same resolvers. It is the
  fallback when yaml-rs is missing, and the referee whenever yaml-rs refuses a text: its
  error, with the position, is the one reported (or its result is used, should it accept
  the text), so errors do not depend on which parser is installed.

Where the two still differ, none of it matters for a state file (each is tested in
tests/unit/test_parse.py): a list or mapping used as a key (yaml-rs: a tuple; PyYAML: an
error), an anchor defined twice or named with characters other than [-_0-9A-Za-z], a plain
scalar starting with '?' or ':' inside [...] or {...}, an empty `|` or `>` block scalar
that ends the file ("\\n" against ""), and tags on a node of the wrong kind. Texts with
characters YAML forbids, or with NEL/LS/PS (line breaks only to PyYAML), always go to
PyYAML. Nesting deeper than 255 levels is refused (yaml-rs's limit; PyYAML's C composer
crashes at some ten thousand).

`StateFileDumper` writes YAML that reads back the same here, in nmstate and in YAML 1.1
tools: it quotes strings such as '1e3' and '0o14' that PyYAML's own dumper leaves bare.
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable
from types import ModuleType
from typing import Any

import yaml

from .parse import ParseError, line_column

try:
    from yaml import CSafeDumper as _SafeDumper
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # PyYAML built without libyaml
    from yaml import SafeDumper as _SafeDumper  # type: ignore[assignment]
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

yaml_rs: ModuleType | None
try:
    import yaml_rs
except ImportError:
    yaml_rs = None

__all__ = ["StateFileDumper", "StateFileLoader", "dump_yaml", "fast_yaml_version",
           "parse_reference", "parse_yaml"]

# A document marker at the start of a line: a text with one may hold several documents.
_DOC_MARKER = re.compile(r"^(?:---|\.\.\.)(?=[ \t\r\n]|$)", re.MULTILINE)
# Characters YAML does not allow in a stream, or that it reads as line breaks only in 1.1
# (NEL, LS, PS): a text holding any goes to PyYAML, which names the first with its position.
_ASCII_CONTROLS = tuple(chr(c) for c in (*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F))
_TOO_DEEP = "recursion limit exceeded"
_MAX_DEPTH = 255  # yaml-rs's limit
_BRACKETS = re.compile(r"[\[\]{}]")
_FAST_POSITION = re.compile(r"at line (\d+), column (\d+)")
_NOT_PLAIN = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def fast_yaml_version() -> str | None:
    """yaml-rs's version when it is installed (and so used), else None."""
    return getattr(yaml_rs, "__version__", None) if yaml_rs is not None else None


def parse_yaml(text: str, filename: str = "<text>", *, fast: bool = True) -> Any:
    """YAML 1.2 core schema, one document; yaml-rs when installed and `fast`."""
    if fast and yaml_rs is not None and _plain_characters(text):
        try:
            data = yaml_rs.loads(text, parse_datetime=False)
        except ValueError as exc:  # yaml_rs.YAMLDecodeError: the referee decides and locates
            _refuse_deep_nesting(str(exc), filename)
            return parse_reference(text, filename)
        if isinstance(data, list) and _DOC_MARKER.search(text):
            # yaml-rs returns the documents of a stream as a list; one is allowed.
            return parse_reference(text, filename)
        return data
    return parse_reference(text, filename)


def _refuse_deep_nesting(message: str, filename: str) -> None:
    """yaml-rs stops at 255 levels of nesting; PyYAML's C composer would crash (segfault)
    at some ten thousand, so the referee is not asked: refused at yaml-rs's position."""
    if _TOO_DEEP not in message:
        return
    where = _FAST_POSITION.search(message)
    line, column = (int(where[1]), int(where[2])) if where else (None, None)
    raise ParseError(filename, line, column, f"YAML: nested more than {_MAX_DEPTH} levels deep")


def _refuse_deep_flow(text: str, filename: str) -> None:
    """The same guard for PyYAML, on flow collections ([ and {) only, brackets in quoted
    strings counted too: a guess that errs on the side of refusing."""
    if text.count("[") + text.count("{") <= _MAX_DEPTH:
        return
    depth = 0
    for bracket in _BRACKETS.finditer(text):
        depth += 1 if bracket[0] in "[{" else -1
        if depth > _MAX_DEPTH:
            line, column = line_column(text, bracket.start())
            raise ParseError(filename, line, column,
                             f"YAML: nested more than {_MAX_DEPTH} levels deep")


def _plain_characters(text: str) -> bool:
    if text.isascii():
        return not any(ch in text for ch in _ASCII_CONTROLS)
    return _NOT_PLAIN.search(text) is None


def parse_reference(text: str, filename: str) -> Any:
    """The text read by PyYAML with StateFileLoader: the referee, and the parser where
    yaml-rs is missing. Raises ParseError with the position."""
    _refuse_deep_flow(text, filename)
    try:
        return yaml.load(text, Loader=StateFileLoader)  # a safe loader
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, text, filename) from None
    except yaml.reader.ReaderError as exc:
        line, column = line_column(text, exc.position)
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        message = f"YAML: character U+{code:04X} is not allowed ({exc.reason})"
        raise ParseError(filename, line, column, message) from None
    except yaml.YAMLError as exc:
        raise ParseError(filename, None, None, f"YAML: {exc}") from None


def _yaml_error(exc: yaml.MarkedYAMLError, text: str, filename: str) -> ParseError:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return ParseError(filename, None, None, f"YAML: {exc.problem or exc.context}")
    return ParseError(filename, mark.line + 1, mark.column + 1,
                      f"YAML: {_yaml_message(exc, mark, text)}")


def _yaml_message(exc: yaml.MarkedYAMLError, mark: yaml.Mark, text: str) -> str:
    if exc.problem == "but found another document":
        return "a second document starts here; a state file is one YAML document"
    problem = exc.problem or exc.context or "not valid YAML"
    if "tab" not in problem and _char_at(text, mark.line, mark.column) == "\t":
        problem += " (a tab: YAML indents with spaces only)"
    where = exc.context_mark
    if exc.context and exc.problem:
        context = exc.context
        if where is not None and (where.line, where.column) != (mark.line, mark.column):
            context += f" at line {where.line + 1}, column {where.column + 1}"
        problem += f" ({context})"
    return problem


def _char_at(text: str, line: int, column: int) -> str:
    """The character at a 0-based line and column (lines end at '\\n')."""
    start = 0
    for _ in range(line):
        start = text.find("\n", start) + 1
        if start == 0:
            return ""
    return text[start + column:start + column + 1]


# --------------------------------------------------------------------------- the referee

_CORE = "tag:yaml.org,2002:"
_NULLS = ("", "~", "null", "Null", "NULL")
_BOOLS = {"true": True, "True": True, "TRUE": True,
          "false": False, "False": False, "FALSE": False}
_NULL_RE = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL_RE = re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")
# yaml-rs's rules (a superset of the 1.2 core schema): an optional sign; 0x/0o/0b prefixes
# in either case; '_' allowed anywhere among the digits, as long as one digit is there.
_INT_RE = re.compile(r"""^[-+]?(?:0[xX][0-9a-fA-F_]*[0-9a-fA-F][0-9a-fA-F_]*
                               |0[oO][0-7_]*[0-7][0-7_]*
                               |0[bB][01_]*[01][01_]*
                               |[0-9_]*[0-9][0-9_]*)$""", re.VERBOSE)
# A float needs a '.' or an exponent, and a digit before the exponent.
_FLOAT_RE = re.compile(r"""^(?:[-+]?(?=[_.]*[0-9])
                                (?:[0-9_]*\.[0-9_]*(?:[eE][-+]?[0-9_]*[0-9][0-9_]*)?
                                  |[0-9_]+[eE][-+]?[0-9_]*[0-9][0-9_]*)
                              |[-+]?\.[iI][nN][fF]
                              |\.[nN][aA][nN])$""", re.VERBOSE)
_RADIX = {"x": 16, "o": 8, "b": 2}


def yaml_int(text: str) -> int:
    """The integer a scalar matching the int rule stands for ('0x_30' -> 48, '014' -> 14)."""
    digits = text.replace("_", "")
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    radix = _RADIX.get(digits[1:2].lower(), 10) if digits.startswith("0") else 10
    return sign * int(digits[2:] if radix != 10 else digits, radix)


def yaml_float(text: str) -> float:
    digits = text.replace("_", "").lower()
    if digits.endswith(".nan"):
        return math.nan
    if digits.endswith(".inf"):
        return -math.inf if digits.startswith("-") else math.inf
    return float(digits)


def _scalar(loader: StateFileLoader, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode):
        found = type(node).__name__
        raise yaml.constructor.ConstructorError(
            None, None, f"expected a scalar for {node.tag}, found a {found}", node.start_mark)
    return str(loader.construct_scalar(node))


def _bad_value(node: yaml.Node, kind: str) -> yaml.constructor.ConstructorError:
    return yaml.constructor.ConstructorError(
        None, None, f"{node.value!r} is not a valid !!{kind}", node.start_mark)


def _construct_int(loader: StateFileLoader, node: yaml.Node) -> int:
    value = _scalar(loader, node)
    if not _INT_RE.match(value):
        raise _bad_value(node, "int")
    return yaml_int(value)


def _construct_float(loader: StateFileLoader, node: yaml.Node) -> float:
    value = _scalar(loader, node)
    if _FLOAT_RE.match(value):
        return yaml_float(value)
    if _INT_RE.match(value):
        return float(yaml_int(value))
    raise _bad_value(node, "float")


def _construct_bool(loader: StateFileLoader, node: yaml.Node) -> bool:
    value = _scalar(loader, node)
    if value not in _BOOLS:
        raise _bad_value(node, "bool")
    return _BOOLS[value]


def _construct_null(loader: StateFileLoader, node: yaml.Node) -> None:
    if _scalar(loader, node) not in _NULLS:
        raise _bad_value(node, "null")


def _construct_str(loader: StateFileLoader, node: yaml.Node) -> str:
    return _scalar(loader, node)


def _construct_unsupported(loader: StateFileLoader, node: yaml.Node) -> Any:
    raise yaml.constructor.ConstructorError(
        None, None, f"unsupported tag {node.tag!r}", node.start_mark)


def _construct_untagged(loader: StateFileLoader, suffix: str, node: yaml.Node) -> Any:
    """A tag yaml-rs ignores: the node as if untagged (a local tag's scalar stays a string)."""
    if isinstance(node, yaml.MappingNode):
        return loader.construct_mapping(node, deep=True)
    if isinstance(node, yaml.SequenceNode):
        return loader.construct_sequence(node, deep=True)
    return _scalar(loader, node)


def _construct_core_collection(loader: StateFileLoader, suffix: str, node: yaml.Node) -> Any:
    """An unknown !!tag: yaml-rs ignores it on a collection and refuses it on a scalar."""
    if isinstance(node, yaml.ScalarNode):
        return _construct_unsupported(loader, node)
    return _construct_untagged(loader, suffix, node)


class StateFileLoader(_SafeLoader):
    """PyYAML's safe loader (C parser when present) reading YAML 1.2's core schema the way
    yaml-rs does, with duplicate keys refused. Also for composing node trees that must
    agree with the fast parser."""

    yaml_implicit_resolvers: dict[Any, Any] = {}  # PyYAML's class registry

    def construct_mapping(self, node: yaml.MappingNode,
                          deep: bool = False) -> dict[Hashable, Any]:
        if not isinstance(node, yaml.MappingNode):
            raise yaml.constructor.ConstructorError(
                None, None, f"expected a mapping, found a {type(node).__name__}", node.start_mark)
        mapping: dict[Hashable, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    "a list or mapping cannot be a key", key_node.start_mark)
            if key in mapping:
                raise yaml.constructor.ConstructorError(
                    "while constructing a mapping", node.start_mark,
                    f"duplicate key {key!r}", key_node.start_mark)
            mapping[key] = self.construct_object(value_node, deep=deep)
        return mapping


class StateFileDumper(_SafeDumper):
    """PyYAML's safe dumper that quotes every string YAML 1.1 or 1.2 would read as something
    else: PyYAML's own dumper writes '1e3', '0o14' or '0X30' bare, which this module (and
    nmstate) read back as numbers."""

    yaml_implicit_resolvers: dict[Any, Any] = {
        first: list(resolvers) for first, resolvers in _SafeDumper.yaml_implicit_resolvers.items()
    }  # YAML 1.1's, then 1.2's added below


_RESOLVERS = (("null", _NULL_RE, ["~", "n", "N", ""]),
              ("bool", _BOOL_RE, list("tTfF")),
              ("float", _FLOAT_RE, list("-+0123456789._")),
              ("int", _INT_RE, list("-+0123456789_")))  # yaml-rs's order


def _register() -> None:
    for kind, regexp, first in _RESOLVERS:
        StateFileLoader.add_implicit_resolver(_CORE + kind, regexp, first)
        StateFileDumper.add_implicit_resolver(_CORE + kind, regexp, first)
    constructors = {"int": _construct_int, "float": _construct_float, "bool": _construct_bool,
                    "null": _construct_null, "str": _construct_str, "binary": _construct_str,
                    "timestamp": _construct_unsupported,
                    "omap": StateFileLoader.construct_yaml_seq,
                    "pairs": StateFileLoader.construct_yaml_seq}
    for kind, constructor in constructors.items():
        StateFileLoader.add_constructor(_CORE + kind, constructor)
    StateFileLoader.add_multi_constructor(_CORE, _construct_core_collection)
    StateFileLoader.add_multi_constructor("", _construct_untagged)


_register()

def dump_yaml(document: Any) -> str:
    """A document as block-style YAML that reads back the same (see StateFileDumper)."""
    return str(yaml.dump(document, Dumper=StateFileDumper, sort_keys=False,
                         default_flow_style=False, allow_unicode=True))
