"""One apply (or watch, or Ansible run) at a time per namespace: an exclusive flock on
/run/nlstate/<namespace>.lock, whose content names the holder (pid, command, since when).
The kernel drops the lock when its holder exits, however it exits: no stale locks."""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from nlstate.netlink.errors import NetnsError
from nlstate.netlink.netns import NETNS_RUN_DIR, netns_path

RUN_DIR_VARIABLE = "NLSTATE_RUN_DIR"  # tests point it elsewhere
POLL_SECONDS = 0.05


class LockBusyError(RuntimeError):
    """Another process holds the namespace's lock."""


def run_dir() -> Path:
    return Path(os.environ.get(RUN_DIR_VARIABLE, "/run/nlstate"))


def namespace_key(netns: str | None) -> str:
    """The file name part for a namespace: its name (given as such or as its path under
    /run/netns; `%host` for a namespace named host, and a `%` more before a name that
    starts with one), or `host` for our own. NetnsError for a namespace elsewhere: its lock and
    pending change are kept by name."""
    if netns is None:
        return "host"
    if "/" in netns:
        path = Path(netns)
        if str(path.parent) != NETNS_RUN_DIR:
            raise NetnsError(f"{netns}: apply, confirm and rollback take a namespace by its "
                             f"name under {NETNS_RUN_DIR}; `ip netns attach NAME PID` gives "
                             "a process's namespace a name there")
        netns = path.name
    if netns in ("", ".", ".."):
        raise NetnsError(f"{netns!r} is not a namespace name")
    if netns == "host" or netns.startswith("%"):
        return "%" + netns  # apart from the host's own ("host") and from each other
    return netns


@contextmanager
def namespace_lock(netns: str | None, wait: float = 0.0) -> Iterator[None]:
    """Hold the namespace's lock for the block; wait up to `wait` seconds for it, else
    LockBusyError naming the holder. NetnsError for a namespace that does not exist (no
    lock file is left for it)."""
    key = namespace_key(netns)
    if netns is not None and not Path(netns_path(netns)).exists():
        raise NetnsError(f"network namespace {netns!r} does not exist ({netns_path(netns)})")
    directory = run_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{key}.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, path, netns, wait)
        os.ftruncate(fd, 0)
        os.pwrite(fd, _holder_text().encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _acquire(fd: int, path: Path, netns: str | None, wait: float) -> None:
    deadline = time.monotonic() + wait
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                holder = path.read_text().strip() or "another process"
                where = f"namespace {netns}" if netns else "this namespace"
                waited = f" (waited {wait:g} s)" if wait else ""
                raise LockBusyError(f"{where} is being changed by {holder}{waited}; try "
                                    "again later, or give --wait SECONDS") from None
            time.sleep(POLL_SECONDS)  # flock has no timeout: poll until the deadline


def _holder_text() -> str:
    command = " ".join(["nlstate", *sys.argv[1:]]) if sys.argv else "nlstate"
    since = time.strftime("%Y-%m-%d %H:%M:%S")
    return f"pid {os.getpid()} ({command}, since {since})\n"
