"""apply --confirm-within: an unconfirmed change is reverted at the deadline by a detached
process, also when the applying process is killed with SIGKILL; a confirmed one stays;
`nlstate rollback` reverts at once; nothing else applies while a change is pending."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from nlstate.apply.lock import RUN_DIR_VARIABLE
from tests.conftest import Netns, run_nlstate
from tests.netns.test_apply import dumps

pytestmark = pytest.mark.netns

DESIRED = """\
interfaces:
- name: a0
  mtu: 1400
  ipv4:
    address:
    - {ip: 192.0.2.1, prefix-length: 24}
    - {ip: 192.0.2.7, prefix-length: 24}
- name: n0
  type: veth
  veth: {peer: n1}
routes:
  config:
  - destination: 10.7.0.0/16
    next-hop-address: 192.0.2.2
    next-hop-interface: a0
"""
BASE = """\
link add a0 type veth peer name a1
addr add 192.0.2.1/24 dev a0
link set a0 up
link set a1 up
"""


def reverters(folder: Path) -> list[int]:
    """The reverter processes started with this run directory."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if b"revert-pending" in command and f"{RUN_DIR_VARIABLE}={folder}".encode() in (
                environment):
            found.append(int(entry.name))
    return found


@pytest.fixture
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "run"
    monkeypatch.setenv(RUN_DIR_VARIABLE, str(folder))
    yield folder
    for pid in reverters(folder):
        os.kill(pid, signal.SIGKILL)


def wait_until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting until {what}")
        time.sleep(0.1)  # polling the kernel's state with a timeout


def applied(ns: Netns) -> bool:
    return bool(ns.ip_json("link", "show", "a0")[0]["mtu"] == 1400)


@pytest.fixture
def desired(tmp_path: Path) -> Path:
    path = tmp_path / "desired.yml"
    path.write_text(DESIRED)
    return path


def test_unconfirmed_change_is_reverted(netns: Netns, run_dir: Path, desired: Path) -> None:
    netns.batch(BASE)
    before = dumps(netns)
    result = run_nlstate("apply", str(desired), "--netns", netns.name, "--confirm-within", "2")
    assert result.returncode == 0, result.stderr
    assert "reverted in 2 s unless confirmed" in result.stderr
    assert applied(netns) and reverters(run_dir)
    wait_until(lambda: dumps(netns) == before, 30, "the change is reverted")
    assert not (run_dir / f"{netns.name}.pending.json").exists()


def test_reverted_even_when_the_applying_process_is_killed(
        netns: Netns, run_dir: Path, desired: Path) -> None:
    netns.batch(BASE)
    before = dumps(netns)
    controller, terminal = os.openpty()  # a terminal: apply waits for Enter
    process = subprocess.Popen(
        [sys.executable, "-m", "nlstate", "apply", str(desired), "--netns", netns.name,
         "--confirm-within", "3"], stdin=terminal, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    try:
        assert process.stderr is not None
        line = ""
        while "press Enter" not in line:
            line = process.stderr.readline()
            assert line, "apply ended before asking for confirmation"
        assert applied(netns)
        process.kill()  # SIGKILL: no handler, no cleanup
        process.wait()
    finally:
        os.close(controller)
        os.close(terminal)
    wait_until(lambda: dumps(netns) == before, 30, "the change is reverted")


def test_confirmed_change_stays(netns: Netns, run_dir: Path, desired: Path) -> None:
    netns.batch(BASE)
    assert run_nlstate("apply", str(desired), "--netns", netns.name, "--confirm-within", "2"
                   ).returncode == 0
    confirmed = run_nlstate("confirm", "--netns", netns.name)
    assert confirmed.returncode == 0, confirmed.stderr
    wait_until(lambda: not reverters(run_dir), 30, "the reverter has exited")
    assert applied(netns)
    again = run_nlstate("confirm", "--netns", netns.name)
    assert again.returncode == 1 and "nothing to confirm" in again.stderr


def test_rollback_reverts_at_once_and_pending_blocks_applies(
        netns: Netns, run_dir: Path, desired: Path) -> None:
    netns.batch(BASE)
    before = dumps(netns)
    assert run_nlstate("apply", str(desired), "--netns", netns.name, "--confirm-within", "600"
                   ).returncode == 0
    other = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert other.returncode == 1 and "awaits confirmation" in other.stderr
    rolled = run_nlstate("rollback", "--netns", netns.name)
    assert rolled.returncode == 0, rolled.stderr
    assert dumps(netns) == before
    assert run_nlstate("rollback", "--netns", netns.name).returncode == 1  # nothing left
