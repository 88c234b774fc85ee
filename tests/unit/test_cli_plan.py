"""`nlstate plan FILE --current STATE.yml`: exit codes, text and JSON output, --out, errors
(planning against a saved state needs no kernel)."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from nlstate import cli
from nlstate.cli import main

CASES = Path(__file__).resolve().parents[1] / "cases"


def plan(capsys: pytest.CaptureFixture[str], case: str, *args: str) -> tuple[int, str, str]:
    directory = CASES / case
    code = main(["plan", str(directory / "desired.yml"), "--current",
                 str(directory / "current.yml"), *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_no_changes_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    assert plan(capsys, "noop-interfaces-from-show") == (0, "No changes.\n", "")


def test_changes_exit_2_with_the_golden_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = plan(capsys, "link-create-bridge-ports")
    assert code == 2
    assert out == (CASES / "link-create-bridge-ports" / "plan.txt").read_text()


def test_json_steps_carry_message_flags_and_attributes(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(capsys, "route-via-new-link", "-o", "json")
    assert code == 2 and err.startswith("Plan: 5 to create")
    document = json.loads(out)
    first = document["steps"][0]
    assert first["message"] == "RTM_NEWLINK" and first["action"] == "create"
    assert first["flags"] == ["REQUEST", "ACK", "EXCL", "CREATE"]
    assert first["attrs"]["ifname"] == "v0"
    assert first["attrs"]["linkinfo"]["data"]["peer"]["attrs"]["ifname"] == "v1"
    route = next(s for s in document["steps"] if s["message"] == "RTM_NEWROUTE")
    assert route["attrs"]["dst"] == "172.17.0.0" and route["attrs"]["gateway"] == "172.16.0.254"
    assert {"disruptive", "reason", "object", "command"} <= set(first)
    assert len(document["fingerprint"]) == 16


def test_out_saves_the_plan_with_what_it_was_made_from(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    saved = tmp_path / "plan.json"
    code, _, err = plan(capsys, "link-vxlan-id-recreate", "--allow-recreate",
                          "--out", str(saved))
    assert code == 2 and "plan saved to" in err
    document = json.loads(saved.read_text())
    assert document["allow-recreate"] is True
    assert document["desired"] == (CASES / "link-vxlan-id-recreate" / "desired.yml").read_text()
    assert [s["disruptive"] for s in document["steps"]][:2] == [True, True]


def test_refusals_exit_1_naming_the_problem(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = plan(capsys, "link-vxlan-id-refused")
    assert code == 1 and out == ""
    assert "vxlan.id cannot change on an existing link" in err
    assert "--allow-recreate" in err


def test_conflicts_exit_1(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = plan(capsys, "route-protected-conflict")
    assert code == 1 and "conflict:" in err


def test_invalid_file_exits_1_with_file_and_line(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = plan(capsys, "invalid-desired")
    assert code == 1 and "desired.yml:" in err



def test_a_file_from_standard_input(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """`-` reads the desired state from standard input; --out keeps its text."""
    case = CASES / "link-create-bridge-ports"
    monkeypatch.setattr(sys, "stdin", io.StringIO((case / "desired.yml").read_text()))
    saved = tmp_path / "plan.json"
    code = main(["plan", "-", "--current", str(case / "current.yml"), "--out", str(saved)])
    out, _ = capsys.readouterr()
    assert code == 2 and out == (case / "plan.txt").read_text()
    document = json.loads(saved.read_text())
    assert (document["file"], document["desired"]) == ("<stdin>",
                                                        (case / "desired.yml").read_text())
    monkeypatch.setattr(sys, "stdin", io.StringIO("interfaces:\n- {name: x0, mtu: 1}\n"))
    assert main(["validate", "-"]) == 1
    assert capsys.readouterr().err.startswith("<stdin>:2:")


@pytest.mark.parametrize("command", ["plan", "apply", "validate"])
def test_a_file_that_cannot_be_read_is_named_not_a_traceback(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str) -> None:
    missing = tmp_path / "missing.yml"
    assert main([command, str(missing)]) == 1
    assert capsys.readouterr().err == f"{missing}: No such file or directory\n"


@pytest.mark.parametrize("content", ["{not json", "[]", '{"file": "x.yml"}'])
def test_apply_refuses_a_plan_file_that_is_no_saved_plan(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, content: str) -> None:
    saved = tmp_path / "plan.json"
    saved.write_text(content)
    assert main(["apply", "--plan", str(saved)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"nlstate: {saved}: not a plan saved by `nlstate plan --out`"), err


def test_a_plan_that_cannot_be_saved_is_an_error(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    code, _, err = plan(capsys, "link-create-bridge-ports", "--out",
                        str(tmp_path / "no-such-dir" / "plan.json"))
    assert code == 1
    assert err.endswith("plan.json: No such file or directory\n") and "cannot be saved" in err


def test_apply_takes_a_file_or_a_plan_not_both(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    assert main(["apply", "x.yml", "--plan", str(tmp_path / "plan.json")]) == 1
    assert "not both" in capsys.readouterr().err


@pytest.mark.parametrize("option", [["--confirm-within", "-5"], ["--confirm-within", "0"],
                                    ["--wait", "-1"], ["--wait", "soon"], ["--wait", "nan"]])
def test_apply_refuses_times_that_make_no_sense(capsys: pytest.CaptureFixture[str],
                                               option: list[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["apply", "x.yml", *option])
    assert exited.value.code == 2
    assert f"argument {option[0]}:" in capsys.readouterr().err


@pytest.mark.parametrize("count", [1, 20000])
def test_the_command_flushes_all_it_prints_before_its_fast_exit(tmp_path: Path,
                                                                count: int) -> None:
    """`python -m nlstate` leaves through os._exit (no interpreter teardown): what it wrote to
    a pipe, a few bytes still buffered or megabytes, arrives whole, and the exit code is
    main()'s."""
    routes = [{"destination": f"10.{i >> 8}.{i & 255}.0/24", "next-hop-address": "192.0.2.1"}
              for i in range(count)]
    desired = tmp_path / "desired.json"
    desired.write_text(json.dumps({"routes": {"config": routes}}))
    current = tmp_path / "current.yml"
    current.write_text("interfaces: []\n")
    buffered = {name: value for name, value in os.environ.items()
                if name != "PYTHONUNBUFFERED"}
    done = subprocess.run([sys.executable, "-m", "nlstate", "plan", str(desired), "--current",
                           str(current), "-o", "json"], capture_output=True, text=True,
                          env=buffered)
    assert done.returncode == 2, done.stderr
    assert len(json.loads(done.stdout)["steps"]) == count
    assert done.stderr.startswith(f"Plan: {count} to create")


def test_commands_run_with_the_collector_held(monkeypatch: pytest.MonkeyPatch) -> None:
    """A full collection at 100k routes takes 0.11 s and frees nothing: commands run with
    the cyclic collector off, which is on again afterwards."""
    seen: list[bool] = []

    def command(args: object) -> int:
        seen.append(gc.isenabled())
        return 0

    monkeypatch.setattr(cli, "cmd_validate", command)
    assert gc.isenabled()
    assert main(["validate", "unused.yml"]) == 0
    assert seen == [False] and gc.isenabled()
