"""Shared fixtures. `netns` gives each test a fresh network namespace and always removes it.

Outside CI a machine without root or iproute2 skips the `netns` tests; with CI set they fail,
because CI runs as root and must exercise the real kernel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from nlstate import rtnl
from nlstate.netlink import Request

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("NLSTATE_SHARED", REPO.parent / "shared"))


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the netns tests, but: {reason}")
    pytest.skip(reason)


class Netns:
    """A throw-away network namespace and helpers to drive and observe it with iproute2."""

    def __init__(self, name: str) -> None:
        self.name = name

    def ip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        result = subprocess.run(["ip", "-n", self.name, *args], capture_output=True, text=True)
        if check and result.returncode:
            raise RuntimeError(f"ip {' '.join(args)}: {result.stderr.strip()}")
        return result

    def ip_json(self, *args: str) -> Any:
        out = self.ip("-j", *args).stdout
        return json.loads(out) if out.strip() else []

    def ifindexes(self) -> dict[str, int]:
        """Interface name -> index, as ip -j reports them."""
        return {link["ifname"]: link["ifindex"] for link in self.ip_json("link", "show")}

    def send(self, requests: Sequence[Request]) -> None:
        """Send netlink requests (ACK each) and fail naming every request the kernel refused."""
        with rtnl.open_socket(self.name) as sock:
            result = sock.batch(requests, ack="each")
        failures = [f"{requests[i].describe()}: {result.errors[i]}" for i in result.failed]
        assert not failures, "\n".join(failures)
        assert result.ok

    def batch(self, commands: str) -> None:
        """Run many `ip` commands in one process (ip -batch)."""
        result = subprocess.run(["ip", "-n", self.name, "-batch", "-"], input=commands,
                                text=True, capture_output=True)
        if result.returncode:
            raise RuntimeError(f"ip -batch: {result.stderr.strip()}")


def run_nlstate(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
                ) -> subprocess.CompletedProcess[str]:
    """The nlstate command, as a user runs it (no terminal on stdin; `stdin`: this text
    there); `env` adds to the environment."""
    return subprocess.run([sys.executable, "-m", "nlstate", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})},
                          **({"input": stdin} if stdin is not None
                             else {"stdin": subprocess.DEVNULL}))


def create_netns() -> Netns:
    if os.geteuid() != 0:
        _unavailable("needs root to create network namespaces")
    if shutil.which("ip") is None:
        _unavailable("needs iproute2 (the ip command)")
    name = f"nlst-{uuid.uuid4().hex[:10]}"
    subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
    ns = Netns(name)
    ns.ip("link", "set", "lo", "up")
    return ns


def delete_netns(ns: Netns) -> None:
    subprocess.run(["ip", "netns", "del", ns.name], check=False, capture_output=True)


@pytest.fixture
def netns() -> Iterator[Netns]:
    ns = create_netns()
    try:
        yield ns
    finally:
        delete_netns(ns)


@pytest.fixture
def netns_pair() -> Iterator[tuple[Netns, Netns]]:
    a = create_netns()
    try:
        b = create_netns()
        try:
            yield a, b
        finally:
            delete_netns(b)
    finally:
        delete_netns(a)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if ("netns" in fixtures or "netns_pair" in fixtures) and not item.get_closest_marker(
                "netns"):
            raise pytest.UsageError(f"{item.nodeid} uses a namespace but lacks @pytest.mark.netns")


@pytest.fixture
def shared_dir() -> Path:
    """../shared (the project's shared reference data), or skip where it is absent."""
    if not SHARED.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"CI expects the shared reference folder at {SHARED}")
        pytest.skip(f"shared reference data not found at {SHARED} (set NLSTATE_SHARED)")
    return SHARED
