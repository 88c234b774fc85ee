"""Confirm or revert (`apply --confirm-within SECONDS`): `netplan try` without a daemon.

Before the first write, the undo snapshot goes to /run/nlstate/<namespace>.pending.json
with a deadline and a random token, and a detached reverter process starts (its own
session, no terminal, so neither the end of the applying process nor of the SSH session
touches it). At the deadline it takes the namespace lock and, if the pending file with its
token is still there, rolls the namespace back to the snapshot. `nlstate confirm` removes
the file (the reverter then finds nothing to do); `nlstate rollback` reverts at once.
While a change is pending, other applies are refused: the reverter would undo them too.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .lock import namespace_key, namespace_lock, run_dir
from .run import roll_back_to
from .undo import Snapshot

log = logging.getLogger(__name__)
REVERTER_LOCK_WAIT = 300.0  # seconds the reverter waits for a running apply to finish


class PendingError(RuntimeError):
    """Nothing is pending, or something is when it should not be."""


@dataclass(frozen=True)
class Pending:
    snapshot: Snapshot
    deadline: float  # time.time()
    token: str

    def document(self) -> dict[str, Any]:
        return {"deadline": self.deadline, "token": self.token,
                "snapshot": self.snapshot.document()}


def pending_path(netns: str | None) -> Path:
    return run_dir() / f"{namespace_key(netns)}.pending.json"


def read_pending(netns: str | None) -> Pending | None:
    path = pending_path(netns)
    try:
        document = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    return Pending(Snapshot.from_document(document["snapshot"]), document["deadline"],
                   document["token"])


def refuse_if_pending(netns: str | None) -> None:
    pending = read_pending(netns)
    if pending is not None:
        left = max(0, round(pending.deadline - time.time()))
        raise PendingError(
            f"a change to {_where(netns)} awaits confirmation (reverted in {left} s unless "
            "confirmed): run `nlstate confirm` or `nlstate rollback` first")


def arm(snapshot: Snapshot, netns: str | None, seconds: float) -> Pending:
    """Store the snapshot durably and start the detached reverter."""
    pending = Pending(snapshot, time.time() + seconds, secrets.token_hex(8))
    path = pending_path(netns)
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w") as stream:
        json.dump(pending.document(), stream)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)
    log_path = run_dir() / f"{namespace_key(netns)}.revert.log"
    command = [sys.executable, "-m", "nlstate", "revert-pending", "--token", pending.token]
    if netns is not None:
        command += ["--netns", netns]
    with open(log_path, "a") as log_file:
        subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log_file, stderr=log_file,
                         start_new_session=True, close_fds=True, env=os.environ.copy())
    log.info("armed: reverted at %s unless confirmed", time.ctime(pending.deadline))
    return pending


def disarm(netns: str | None) -> None:
    """Confirm: the change stays (the reverter finds no file and exits)."""
    path = pending_path(netns)
    if not path.exists():
        raise PendingError(f"nothing to confirm in {_where(netns)}")
    path.unlink()


def revert_when_due(netns: str | None, token: str) -> bool:
    """The reverter's job: wait for the deadline, then roll back if still pending with our
    token. True if it rolled back."""
    pending = read_pending(netns)
    if pending is None or pending.token != token:
        return False
    time.sleep(max(0.0, pending.deadline - time.time()))  # a timer: nothing to wait on
    with namespace_lock(netns, REVERTER_LOCK_WAIT):
        pending = read_pending(netns)
        if pending is None or pending.token != token:
            return False
        _restore(pending, netns)
    return True


def roll_back_now(netns: str | None) -> None:
    """nlstate rollback: revert the pending change at once (the caller holds the lock)."""
    pending = read_pending(netns)
    if pending is None:
        raise PendingError(f"nothing to roll back in {_where(netns)}")
    _restore(pending, netns)


def _restore(pending: Pending, netns: str | None) -> None:
    plan = roll_back_to(pending.snapshot, netns)
    pending_path(netns).unlink(missing_ok=True)
    log.warning("rolled back %s: %d step(s)", _where(netns), len(plan.steps))


def _where(netns: str | None) -> str:
    return f"namespace {netns}" if netns else "this namespace"
