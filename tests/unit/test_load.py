"""The loader: problems come with FILE:LINE:COL, the key path, and what would be right."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from nlstate.load import LoadError, Problem, load_file, load_text

BAD = """\
interfaces:
- name: eth0
  type: ethernet
  mtuu: 9000
  ipv4:
    address:
    - ip: 192.0.2.999
      prefix-length: 24
routes:
  config:
  - destination: 10.0.0.1/8
    next-hop-adress: 192.0.2.1
  - metric: 5
"""


def problems(text: str, name: str = "f.yml") -> list[Problem]:
    with pytest.raises(LoadError) as caught:
        load_text(text, name)
    return list(caught.value.problems)


def test_every_problem_is_reported_with_its_place() -> None:
    found = [(p.line, p.column, p.path) for p in problems(BAD)]
    assert found == [
        (4, 3, "interfaces.0.mtuu"),
        (7, 7, "interfaces.0.ipv4.address.0.ip"),
        (11, 5, "routes.config.0.destination"),
        (12, 5, "routes.config.0.next-hop-adress"),
        (13, 5, "routes.config.1.destination"),
    ]


def test_messages_say_what_would_be_right() -> None:
    messages = {p.path: p.message for p in problems(BAD)}
    assert messages["interfaces.0.mtuu"] == "unknown key 'mtuu'; did you mean 'mtu'?"
    assert messages["routes.config.0.next-hop-adress"].endswith("did you mean 'next-hop-address'?")
    assert "the network is 10.0.0.0/8" in messages["routes.config.0.destination"]
    assert messages["routes.config.1.destination"] == "'destination' is required here"
    assert str(problems(BAD)[0]) == (
        "f.yml:4:3: interfaces.0.mtuu: unknown key 'mtuu'; did you mean 'mtu'?")


def test_unknown_key_far_from_any_lists_what_is_allowed() -> None:
    [problem] = problems("route-rules:\n  config:\n  - zzzzzz: 1\n")
    assert problem.message.startswith("unknown key 'zzzzzz'; expected one of: ")
    assert "ip-from" in problem.message


def test_yaml_syntax_error_has_a_position() -> None:
    [problem] = problems("interfaces:\n- name: a\n  bad: [1, 2\n")
    assert problem.line == 4
    assert problem.message.startswith("YAML: ")


def test_json_is_loaded_and_located_too() -> None:
    text = '{\n  "interfaces": [\n    {"name": "eth0", "mtu": 10}\n  ]\n}\n'
    [problem] = problems(text, "f.json")
    assert (problem.line, problem.path) == (3, "interfaces.0.mtu")
    [syntax] = problems('{"interfaces": [}', "g.json")
    assert syntax.line == 1 and syntax.column is not None


@pytest.mark.parametrize("text", ["", "# nothing\n", "interfaces: []\n"])
def test_empty_files_are_valid(text: str) -> None:
    assert load_text(text).interfaces == []


def test_a_file_must_be_a_mapping() -> None:
    [problem] = problems("- name: eth0\n")
    assert "mapping of sections" in problem.message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="No such file"):
        load_file(tmp_path / "nope.yml")


def test_validate_command_exit_codes_and_messages(tmp_path: Path) -> None:
    good = tmp_path / "good.yml"
    good.write_text(
        "routes:\n  config:\n  - destination: 10.0.0.0/8\n    next-hop-address: 192.0.2.1\n")
    bad = tmp_path / "bad.yml"
    bad.write_text(BAD)
    run = [sys.executable, "-m", "nlstate", "validate"]
    ok = subprocess.run([*run, str(good)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout == ""
    assert "valid (0 interfaces, 1 route" in ok.stderr
    failed = subprocess.run([*run, str(good), str(bad)], capture_output=True, text=True)
    assert failed.returncode == 1
    assert f"{bad}:4:3: interfaces.0.mtuu: unknown key 'mtuu'" in failed.stderr
