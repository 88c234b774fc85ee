"""What apply reports when its verification finds the kernel's state still differs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from nlstate import cli
from nlstate.apply.verify import differences
from nlstate.diff import diff
from nlstate.load import load_file, load_text
from nlstate.model.interface import AltNameEntry

CASES = Path(__file__).resolve().parents[1] / "cases"


def test_verification_names_object_field_wanted_and_found() -> None:
    """What apply's verification reports when the kernel's state still differs."""
    directory = CASES / "link-mtu-change-up-link"
    current = load_file(directory / "current.yml")
    lines = differences(diff(load_file(directory / "desired.yml"), current))
    assert "link va: mtu wanted 9000, found 1500" in lines
    directory = CASES / "route-replace-gateway"
    lines = differences(diff(load_file(directory / "desired.yml"),
                             load_file(directory / "current.yml")))
    assert any("next-hop-address wanted 192.0.2.7, found 192.0.2.1" in line for line in lines)
    directory = CASES / "controller-release-own-key"
    lines = differences(diff(load_file(directory / "desired.yml"),
                             load_file(directory / "current.yml")))
    assert lines == ["link vb: controller wanted '', found br0"]


def test_verification_names_the_option_of_a_link_kind_that_differs() -> None:
    """Down to the option (it printed the whole bridge section, wanted and found)."""
    lines = {case: differences(diff(load_file(CASES / case / "desired.yml"),
                                    load_file(CASES / case / "current.yml")))
             for case in ("bridge-options-change", "bridge-port-setting-change")}
    assert lines["bridge-options-change"] == [
        "link br0: bridge.options.stp.enabled wanted True, found False",
        "link br0: bridge.options.stp.forward-delay wanted 4, found 15"]
    assert lines["bridge-port-setting-change"] == [
        "link br0: bridge.port[vb].stp-hairpin-mode wanted True, found None",
        "link br0: bridge.port[vb].stp-priority wanted 16, found 32"]


def test_verification_matches_a_port_list_by_name() -> None:
    """A port missing, one the list leaves out, and one whose settings differ, each named
    (compared position by position, they read as other ports' values)."""
    current = load_text(
        "interfaces:\n"
        "- {name: br0, type: linux-bridge, bridge: {port: [{name: v0, stp-priority: 32},\n"
        "                                                  {name: v2}]}}\n")
    desired = load_text(
        "interfaces:\n"
        "- {name: br0, type: linux-bridge, bridge: {port: [{name: v1},\n"
        "                                                  {name: v0, stp-priority: 16}]}}\n")
    assert differences(diff(desired, current)) == [
        "link br0: bridge.port: v1 missing",
        "link br0: bridge.port[v0].stp-priority wanted 16, found 32",
        "link br0: bridge.port: v2 not in the file's list"]


def test_verification_names_the_alternative_names_missing_or_left() -> None:
    """Named one by one (position by position, the lists said nothing that made sense)."""
    current = load_file(CASES / "link-alt-names" / "current.yml")
    desired = load_text("interfaces:\n- name: eth0\n  alt-names:\n  - name: uplink0\n"
                        "  - name: wan\n    state: absent\n")
    eth0 = next(link for link in current.interfaces if link.name == "eth0")
    current.interfaces[current.interfaces.index(eth0)] = eth0.replaced(
        alt_names=[AltNameEntry.model_validate({"name": "wan"})])
    assert differences(diff(desired, current)) == [
        "link eth0: alternative name uplink0 missing",
        "link eth0: alternative name wan still there (state: absent)"]


def test_verification_names_a_ports_setting_kept_beside_the_port_list() -> None:
    """A bond's port settings are in ports-config, not in its port list (which is the same):
    the message names the setting (it printed the two equal lists)."""
    def bond(ports_config: str) -> str:
        return ("interfaces:\n- {name: bond0, type: bond, link-aggregation: {mode: "
                f"active-backup, port: [eth1, eth2], ports-config: [{ports_config}]}}}}\n")

    current = load_text(bond("{name: eth1, priority: 1}, {name: eth2, priority: 0}"))
    desired = load_text(bond("{name: eth1, priority: 5}"))
    assert differences(diff(desired, current)) == [
        "link bond0: link-aggregation.ports-config[eth1].priority wanted 5, found 1"]


def test_progress_rewrites_one_line_of_a_terminal(capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    clock = iter([10.0, 10.05, 10.2, 10.25])  # the second report comes too soon: skipped
    monkeypatch.setattr(time, "monotonic", lambda: next(clock))
    progress = cli._Progress(enabled=True)
    progress.total = 10_000
    for done in (4096, 5000, 8192, 10_000):
        progress(done)
    progress.close()
    assert capsys.readouterr().err == (
        "\rnlstate: applying: 4096/10000 steps (40%)"
        "\rnlstate: applying: 8192/10000 steps (81%)"
        "\rnlstate: applying: 10000/10000 steps (100%)\n")


def test_no_progress_for_short_plans_or_off_a_terminal(capsys: pytest.CaptureFixture[str],
                                                      ) -> None:
    for progress in (cli._Progress(enabled=True), cli._Progress(enabled=False)):
        progress.total = 0 if progress.enabled else 10_000
        progress(4096)
        progress.close()
    assert capsys.readouterr().err == ""
