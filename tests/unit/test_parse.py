"""parse_text: the fast YAML path (yaml-rs) and the PyYAML referee read every text alike, and
both read what yaml.safe_load reads except where YAML 1.1 and 1.2 differ (listed here)."""

from __future__ import annotations

import datetime
import gc
import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.load import state_document
from nlstate import load
from nlstate.collector import paused_gc
from nlstate.load import yaml_text
from nlstate.load.parse import ParseError, detect_format, parse_text
from nlstate.load.yaml_text import StateFileDumper, StateFileLoader, fast_yaml_version
from nlstate.model import State, StateFile

REPO = Path(__file__).resolve().parents[2]
needs_fast = pytest.mark.skipif(fast_yaml_version() is None, reason="yaml-rs is not installed")
PATHS = [pytest.param(True, id="fast"), pytest.param(False, id="pyyaml")]
C_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
C_DUMPER: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def both(text: str, name: str = "f.yml") -> Any:
    """What both paths read (they must agree)."""
    fast, referee = parse_text(text, name), parse_text(text, name, fast=False)
    assert _same(fast, referee), (fast, referee)
    return fast


def _same(a: Any, b: Any) -> bool:
    return repr(a) == repr(b) and type(a) is type(b)


def error(text: str, fast: bool, name: str = "f.yml") -> ParseError:
    with pytest.raises(ParseError) as caught:
        parse_text(text, name, fast=fast)
    return caught.value


# --------------------------------------------------------------------------- differential


def _yaml_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("**/*.yml")) + sorted(folder.glob("**/*.yaml"))


@pytest.mark.parametrize("path", _yaml_files(REPO / "examples"), ids=lambda p: p.name)
def test_examples_read_as_safe_load_reads_them(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert both(text, str(path)) == yaml.safe_load(text)


def test_nmstate_examples_read_as_safe_load_reads_them(shared_dir: Path) -> None:
    files = _yaml_files(shared_dir / "nmstate-examples")
    assert len(files) > 50
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert both(text, str(path)) == yaml.safe_load(text), path


def test_generated_10k_routes_read_alike_in_yaml_and_json() -> None:
    document = state_document(10_000)
    text = yaml.dump(document, Dumper=C_DUMPER, sort_keys=False)
    assert len(text) > 1_000_000
    assert both(text) == yaml.load(text, Loader=C_LOADER) == document
    assert parse_text(json.dumps(document, indent=2), "f.json") == document


def test_flow_style_and_anchors() -> None:
    text = ("gw: &gw {next-hop-address: 192.0.2.1, next-hop-interface: eth0}\n"
            "routes: {config: [{destination: 10.0.0.0/8, metric: 5}, *gw]}\n")
    assert both(text) == yaml.safe_load(text)


# --------------------------------------------------------------------------- scalars

SCALARS = [
    ("0x30", 48), ("0X30", 48), ("0xFFFFFFFF", 0xFFFFFFFF), ("-0x10", -16), ("0o14", 12),
    ("014", 14), ("0b101", 5), ("1_000", 1000), ("+12", 12), ("-0", 0),
    ("18446744073709551616", 2**64),
    ("33:33:00:00:00:02", "33:33:00:00:00:02"), ("00:11:22:33:44:55", "00:11:22:33:44:55"),
    ("12:34:56:78:9a:bc", "12:34:56:78:9a:bc"), ("1:20", "1:20"), ("1000-2000", "1000-2000"),
    ("fe80::1", "fe80::1"), ("::1", "::1"), ("10.0.0.0/8", "10.0.0.0/8"),
    ("true", True), ("True", True), ("FALSE", False), ("tRue", "tRue"),
    ("yes", "yes"), ("no", "no"), ("on", "on"), ("off", "off"), ("y", "y"),
    ("~", None), ("null", None), ("Null", None), ("", None),
    ("1.5", 1.5), ("1e3", 1000.0), ("1.", 1.0), (".5", 0.5), ("-.inf", -math.inf),
    ("1.10", 1.1), ("1.2.3", "1.2.3"),
    ("2001-12-14", "2001-12-14"), ("=", "="), ("0x", "0x"), ("0b12", "0b12"),
    ("'0x30'", "0x30"), ('"yes"', "yes"), ("!!str 0x30", "0x30"), ("!!int '48'", 48),
    ("!!float 1", 1.0), ("!!binary aGk=", "aGk="),
]  # fmt: skip


@pytest.mark.parametrize(("scalar", "value"), SCALARS)
def test_scalars_read_as_yaml_1_2(scalar: str, value: Any) -> None:
    read = both(f"a: {scalar}\n")["a"]
    assert _same(read, value)


def test_nan() -> None:
    assert math.isnan(both("a: .NaN\n")["a"])


# What YAML 1.1 (safe_load) reads otherwise: nmstate, in Rust, reads YAML 1.2 as we do.
SAFE_LOAD_DIFFERS = [
    ("a: 33:33:00:00:00:02\n", {"a": "33:33:00:00:00:02"}, {"a": 33 * 60**5 + 33 * 60**4 + 2}),
    ("a: 1:20\n", {"a": "1:20"}, {"a": 80}),
    ("a: yes\n", {"a": "yes"}, {"a": True}),
    ("a: off\n", {"a": "off"}, {"a": False}),
    ("on: 1\n", {"on": 1}, {True: 1}),
    ("a: 014\n", {"a": 14}, {"a": 12}),
    ("a: 0o14\n", {"a": 12}, {"a": "0o14"}),
    ("a: 0X30\n", {"a": 48}, {"a": "0X30"}),
    ("a: 1e3\n", {"a": 1000.0}, {"a": "1e3"}),
    ("a: 2001-12-14\n", {"a": "2001-12-14"}, {"a": datetime.date(2001, 12, 14)}),
    ("a: =\n", {"a": "="}, yaml.constructor.ConstructorError),  # YAML 1.1's 'value' type
    ("x: &d {b: 1}\ny:\n  <<: *d\n", {"x": {"b": 1}, "y": {"<<": {"b": 1}}},
     {"x": {"b": 1}, "y": {"b": 1}}),  # merge keys are YAML 1.1 only
    ("a: !!binary aGk=\n", {"a": "aGk="}, {"a": b"hi"}),
    ("a: !!omap [x: 1]\n", {"a": [{"x": 1}]}, {"a": [("x", 1)]}),
    ("a: !local {b: 1}\n", {"a": {"b": 1}}, yaml.constructor.ConstructorError),
]


@pytest.mark.parametrize(("text", "ours", "safe_load"), SAFE_LOAD_DIFFERS)
def test_differences_from_safe_load(text: str, ours: Any, safe_load: Any) -> None:
    assert both(text) == ours
    if isinstance(safe_load, type):
        with pytest.raises(safe_load):
            yaml.safe_load(text)
    else:
        assert yaml.safe_load(text) == safe_load


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n",  # safe_load keeps the last
    "{a: 1, a: 2}\n",
    "1: x\ntrue: y\n",  # equal as Python keys
    "a: !!timestamp 2001-12-14\n",
    "a: !!bool yes\n",
    "a: !!int 1.5\n",
    "a: !!nonsense 1\n",
])
@pytest.mark.parametrize("fast", PATHS)
def test_refused_by_both_paths(text: str, fast: bool) -> None:
    error(text, fast)


@needs_fast
def test_known_differences_between_the_paths() -> None:
    """None occurs in a state file; the test notices when a new yaml-rs changes one."""
    complex_key = "? [1, 2]\n: x\n"  # a list as a key
    assert parse_text(complex_key) == {(1, 2): "x"}
    assert "key" in error(complex_key, fast=False).message
    redefined = "a: &x 1\nb: &x 2\nc: *x\n"  # YAML 1.2 allows an anchor to be re-defined
    assert parse_text(redefined) == {"a": 1, "b": 2, "c": 2}
    assert "anchor" in error(redefined, fast=False).message
    # An empty block scalar that ends the file: "" by the spec; yaml-rs says "\n".
    assert parse_text("a: |\n") == {"a": "\n"}
    assert parse_text("a: |\n", fast=False) == {"a": ""}
    assert both("a: |\nb: 1\n") == {"a": "", "b": 1}
    # YAML 1.2 anchor names take any non-space character; PyYAML's only [-_0-9A-Za-z].
    assert parse_text("a: &x? 1\n") == {"a": 1}
    assert error("a: &x? 1\n", fast=False).column == 6
    # In flow collections, YAML 1.2 reads '?x' as a plain scalar; PyYAML as a key '?'.
    assert parse_text("a: [?x]\n") == {"a": ["?x"]}
    assert parse_text("a: [?x]\n", fast=False) == {"a": [{"x": None}]}
    # A scalar's tag on a collection: yaml-rs ignores it, PyYAML refuses it.
    assert parse_text("a: !!str {b: 1}\n") == {"a": {"b": 1}}
    assert "expected a scalar" in error("a: !!str {b: 1}\n", fast=False).message


PLAIN = st.text(alphabet="0123456789_.eE+-xXoObBafinINFtrulsTRUEL~", min_size=1, max_size=10)


@needs_fast
@settings(max_examples=400, deadline=None)
@given(PLAIN)
def test_plain_scalars_resolve_alike(scalar: str) -> None:
    text = f"a: {scalar}\n"
    try:
        fast = parse_text(text, "f.yml")
    except ParseError as exc:
        assert str(error(text, fast=False)) == str(exc)
        return
    assert _same(fast, parse_text(text, "f.yml", fast=False))


STRINGS = st.text(alphabet="0123456789_.eE+-xXoObBafinINFtrulsTRUEyYnN~:/ ", min_size=1,
                  max_size=12)


@settings(max_examples=300, deadline=None)
@given(STRINGS)
def test_dumper_quotes_what_either_yaml_would_misread(value: str) -> None:
    text = yaml.dump({"a": value}, Dumper=StateFileDumper)
    assert both(text) == {"a": value}
    assert yaml.safe_load(text) == {"a": value}


def test_dumper_writes_numbers_and_addresses_bare() -> None:
    document = {"mtu": 1500, "fwmark": 48, "on": True, "mac": "33:33:00:00:00:02",
                "ip": "10.0.0.0/8", "x": "1e3", "y": None}
    text = yaml.dump(document, Dumper=StateFileDumper, sort_keys=False)
    assert text == ("mtu: 1500\nfwmark: 48\n'on': true\nmac: '33:33:00:00:00:02'\n"
                    "ip: 10.0.0.0/8\nx: '1e3'\ny: null\n")
    assert both(text) == document


# --------------------------------------------------------------------------- errors

BROKEN = [
    ("bad indentation",
     "routes:\n  config:\n  - destination: 10.0.0.0/8\n    metric: 5\n   table-id: 100\n",
     (5, 4), "did not find expected key"),
    ("tab indentation", "interfaces:\n- name: eth0\n  type: dummy\n  ipv4:\n  \tenabled: true\n",
     (5, 3), "tab"),
    ("tab after a scalar", "interfaces:\n- name: eth0\n\ttype: dummy\n", (3, 1), "tab"),
    ("unclosed bracket", "routes:\n  config: [{destination: 10.0.0.0/8}\ninterfaces: []\n",
     (3, 1), "flow sequence at line 2, column 11"),
    ("unclosed brace", "routes: {config: [\n", (2, 1), "flow node"),
    ("unclosed quote", "interfaces:\n- name: 'eth0\n  type: dummy\n", (4, 1),
     "quoted scalar at line 2, column 9"),
    ("duplicate key", "interfaces:\n- name: eth0\n  type: dummy\n  name: eth1\n", (4, 3),
     "duplicate key 'name'"),
    ("second document", "interfaces: []\n---\nroutes: {}\n", (2, 1), "one YAML document"),
    ("colon in a value", "interfaces:\n- name: eth0: x\n", (2, 13), "mapping values"),
    ("control character", "interfaces:\n- name: eth\x070\n", (2, 12), "U+0007"),
]


@pytest.mark.parametrize(("text", "where", "words"),
                         [pytest.param(*case[1:], id=case[0]) for case in BROKEN])
@pytest.mark.parametrize("fast", PATHS)
def test_yaml_errors_have_exact_positions(text: str, where: tuple[int, int], words: str,
                                          fast: bool) -> None:
    exc = error(text, fast, "state.yml")
    assert (exc.line, exc.column) == where
    assert words in exc.message
    assert str(exc).startswith(f"state.yml:{where[0]}:{where[1]}: YAML: ")


@pytest.mark.parametrize("fast", PATHS)
def test_too_deep_nesting_is_refused_not_crashed_on(fast: bool) -> None:
    exc = error("a: " + "[" * 20_000 + "\n", fast)
    assert exc.line == 1
    assert "nested more than 255 levels" in exc.message


def test_json_errors() -> None:
    broken = '{\n  "routes": {\n    "config": [\n      {"destination": "10.0.0.0/8",}\n'
    exc = error(broken, True, "f.json")
    assert (exc.line, exc.column, exc.message) == (
        4, 36, "JSON: Expecting property name enclosed in double quotes")
    exc = error('{\n  "routes": {"config": []},\n  "routes": {"config": []}\n}\n', True,
                "f.json")
    assert (exc.line, exc.column, exc.message) == (3, 3, "JSON: duplicate key 'routes'")
    assert "nested too deeply" in error("[" * 100_000, True, "f.json").message
    tabs = error('{\n\t"a": 1,\n\t"a": 2\n}\n', True, "f.json")  # tab-indented JSON
    assert (tabs.line, tabs.column, tabs.message) == (3, 2, "JSON: duplicate key 'a'")


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("name", "text", "fmt"), [
    ("a.json", "interfaces: []", "json"), ("a.JSON", "", "json"), ("a.yml", "{}", "yaml"),
    ("a.yaml", "{}", "yaml"), ("<stdin>", ' \n{"a": 1}', "json"), ("<stdin>", "a: 1", "yaml"),
    ("state", "[1]", "yaml"),
])
def test_detect_format(name: str, text: str, fmt: str) -> None:
    assert detect_format(text, name) == fmt


def test_json_looking_yaml_falls_back_to_yaml() -> None:
    assert parse_text("{a: 1, b: [x]}", "f.yml") == {"a": 1, "b": ["x"]}
    assert parse_text("{a: 0x30}") == {"a": 48}
    assert parse_text('{"a": 1}', "f.yml") == {"a": 1}
    assert error("{a: 1}", True, "f.json").message.startswith("JSON: ")


@pytest.mark.parametrize("fast", PATHS)
def test_bom_empty_and_comments(fast: bool) -> None:
    assert parse_text("\ufeffa: 1\n", fast=fast) == {"a": 1}
    assert parse_text('\ufeff{"a": 1}', "f.json", fast=fast) == {"a": 1}
    assert parse_text("", fast=fast) is None
    assert parse_text("# nothing\n", fast=fast) is None
    assert parse_text("---\na: 1\n...\n", fast=fast) == {"a": 1}


def test_without_yaml_rs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_text, "yaml_rs", None)
    assert fast_yaml_version() is None
    assert parse_text("a: 0x30\nb: 33:33:00:00:00:02\n") == {"a": 48, "b": "33:33:00:00:00:02"}


def test_a_json_file_is_loaded_without_importing_yaml() -> None:
    """PyYAML and yaml-rs cost some 20 ms to import: commands given JSON do not pay it."""
    script = ("import sys; from nlstate.cli import main; from nlstate.load import load_text; "
              "load_text('{\"routes\": {\"config\": []}}', 'x.json'); "
              "print(sorted(m for m in sys.modules if 'yaml' in m))")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    assert done.stdout == "[]\n"


def test_loader_composes_nodes_with_positions() -> None:
    node = yaml.compose("a:\n  b: 0x30\n", Loader=StateFileLoader)
    assert isinstance(node, yaml.MappingNode)
    value = node.value[0][1].value[0][1]
    assert (value.tag, value.start_mark.line, value.start_mark.column) == (
        "tag:yaml.org,2002:int", 1, 5)


def test_paused_gc_is_reentrant_and_restores() -> None:
    assert gc.isenabled()
    with paused_gc():
        with paused_gc():
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with paused_gc():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


# --------------------------------------------------------------------------- validation


def test_fast_validation_is_pydantic_validation() -> None:
    document = state_document(500)
    model = load.validate_document(document)
    assert model == StateFile.model_validate(document)
    assert load.to_state(model) == State.from_file(model)
    assert gc.isenabled()


def test_fast_validation_raises_pydantic_errors_unchanged() -> None:
    from pydantic import ValidationError

    document = state_document(3)
    document["routes"]["config"][1]["metrik"] = 5
    with pytest.raises(ValidationError) as plain:
        StateFile.model_validate(document)
    with pytest.raises(ValidationError) as fast:
        load.validate_document(document)
    assert fast.value.errors() == plain.value.errors()
    assert gc.isenabled()
