"""Create objects (sockets) inside a named network namespace without moving the process.

setns(2) changes the namespace of the calling thread only. We call it in a short-lived
helper thread, build the socket there and hand it back: the socket stays bound to that
namespace, and no other thread of the process ever changes namespace.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from typing import TypeVar

from .errors import NetnsError

T = TypeVar("T")

CLONE_NEWNET = 0x40000000
NETNS_RUN_DIR = "/run/netns"


def netns_path(name: str) -> str:
    """`/run/netns/NAME` for a name; a path (containing '/') is used as it is."""
    if "/" in name:
        return name
    if not name or name in (".", ".."):
        raise NetnsError(f"invalid network namespace name {name!r}")
    return os.path.join(NETNS_RUN_DIR, name)


def _setns(fd: int) -> None:
    setns = getattr(os, "setns", None)
    if setns is not None:  # Python >= 3.12
        setns(fd, CLONE_NEWNET)
        return
    # the process's own symbols, libc's among them: find_library("c") would run ldconfig
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def call_in_netns(name: str | None, factory: Callable[[], T]) -> T:
    """Run `factory` with the calling context switched to namespace `name` (None: our own)."""
    if name is None:
        return factory()
    path = netns_path(name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise NetnsError(f"network namespace {name!r} does not exist ({path})") from None
    except PermissionError:
        raise NetnsError(f"no permission to open network namespace {path}") from None
    result: list[T] = []
    failure: list[BaseException] = []

    def run() -> None:
        try:
            _setns(fd)
            result.append(factory())
        except BaseException as exc:  # handed to the calling thread
            failure.append(exc)

    try:
        worker = threading.Thread(target=run, name=f"netns-{name}", daemon=True)
        worker.start()
        worker.join()
    finally:
        os.close(fd)
    if failure:
        exc = failure[0]
        if isinstance(exc, OSError) and not isinstance(exc, NetnsError):
            raise NetnsError(f"cannot enter network namespace {path}: {exc.strerror}") from exc
        raise exc
    return result[0]
