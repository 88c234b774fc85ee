"""Throw-away network namespaces for the benchmarks: created fresh, always deleted.

Names start with `nlbench-`. Every namespace made here is remembered until deleted, so the
runner can remove any that an interruption left behind (`delete_leftovers`).
"""

from __future__ import annotations

import secrets
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

PREFIX = "nlbench-"
# The kernel's link watcher handles the carrier events of links made or deleted at most once
# a second (net/core/link_watch.c), under the rtnl lock: a run started within that second
# of the last one's teardown pays for the teardown's events.
LINKWATCH_PERIOD = 1.0

_live: set[str] = set()


class BenchError(RuntimeError):
    """A benchmark could not run or its result did not verify."""


@dataclass(frozen=True)
class Netns:
    """A named network namespace, driven with iproute2."""

    name: str

    def ip(self, *args: str, stdin: str | None = None) -> str:
        """Run `ip -n NAME ARGS...`; return its stdout. Raises BenchError on failure."""
        argv = ["ip", "-n", self.name, *args]
        proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BenchError(f"{' '.join(argv)} failed: {proc.stderr.strip()}")
        return proc.stdout

    def batch(self, commands: str) -> None:
        """Run many `ip` commands (one per line) in one process."""
        self.ip("-batch", "-", stdin=commands)


@contextmanager
def fresh_netns(teardown: str = "", settle: float = 0.0) -> Iterator[Netns]:
    """A new, empty namespace, deleted on exit (also on Ctrl-C).

    `teardown`: `ip -batch` commands run (errors ignored) before the namespace is deleted,
    e.g. deleting a link so that its routes go synchronously instead of in the kernel's
    background cleanup, which would otherwise overlap the next timed run. `settle`: seconds
    to wait after deleting it, for the kernel's deferred work to be done before the next run
    (a timer: no event says when that is).
    """
    name = PREFIX + secrets.token_hex(5)
    _live.add(name)
    try:
        subprocess.run(["ip", "netns", "add", name], check=True, capture_output=True)
        ns = Netns(name)
        yield ns
    finally:
        if teardown:
            subprocess.run(["ip", "-n", name, "-force", "-batch", "-"], input=teardown,
                           capture_output=True, text=True, check=False)
        delete_netns(name)
        time.sleep(settle)


def delete_netns(name: str) -> None:
    subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)
    _live.discard(name)


def delete_leftovers() -> list[str]:
    """Delete every namespace this process created and has not deleted yet; their names."""
    left = sorted(_live)
    for name in left:
        delete_netns(name)
    return left
