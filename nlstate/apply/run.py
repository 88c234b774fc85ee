"""nlstate apply: observe, plan, carry out, verify; on any failure (a refused step, a
verification that finds a difference, SIGINT or SIGTERM) roll back to the snapshot taken
before the first write, then report.

The caller holds the namespace lock (lock.py).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import FrameType

from nlstate import rtnl
from nlstate.diff import Desired, diff
from nlstate.model import State
from nlstate.netlink.socket import NetlinkSocket
from nlstate.observe import observe_indexed, observe_with
from nlstate.plan import Plan, make_plan

from .carrier import execute_awaiting_carrier
from .execute import ExecutionError, Progress
from .origin import step_origin
from .undo import Snapshot
from .verify import Verification, VerifyError

log = logging.getLogger(__name__)


class ApplyError(RuntimeError):
    """The apply failed; `rolled_back` says whether the state is back as it was."""

    def __init__(self, message: str, *, rolled_back: bool) -> None:
        self.rolled_back = rolled_back
        super().__init__(message)


class StalePlanError(RuntimeError):
    """A saved plan was made against another state than the namespace has now."""


class Interrupted(Exception):
    """SIGINT or SIGTERM arrived while steps were being sent."""


@dataclass(frozen=True)
class Source:
    """The desired file, for naming where a failed step's object is."""

    text: str
    filename: str


@dataclass
class Outcome:
    plan: Plan
    done: int  # steps carried out


def apply_state(desired: State, netns: str | None, *, allow_recreate: bool = False,
                source: Source | None = None, fingerprint: str | None = None,
                on_plan: Callable[[Plan], None] = lambda plan: None,
                before_write: Callable[[Snapshot], None] | None = None,
                progress: Progress = lambda done: None) -> Outcome:
    """Make the namespace's state the desired one. `fingerprint`: refuse (StalePlanError)
    unless the state now is the one a saved plan was made against. `on_plan` sees the plan
    and `before_write` the undo snapshot before anything is sent (without it, the snapshot
    is made only for a rollback: from what was observed before the first write, so it is
    the same; 0.02 s saved per 100k routes); `progress` is told how many steps are done as
    they are."""
    with rtnl.open_socket(netns) as sock:
        # names: the links' ifindexes, for the steps and the snapshot
        before, names = observe_indexed(sock, include_kernel=False)
        wanted = Desired(desired)  # for the plan's diff and the verification's
        changes = diff(wanted, before, allow_recreate=allow_recreate)
        if changes.conflicts:
            raise ApplyError("; ".join(changes.conflicts), rolled_back=False)
        plan = make_plan(changes, before)
        if fingerprint is not None and fingerprint != plan.fingerprint:
            raise StalePlanError(
                f"the state has changed since the plan was made (fingerprint {fingerprint}, "
                f"now {plan.fingerprint}): make the plan again")
        on_plan(plan)
        if not plan.steps:
            return Outcome(plan, 0)
        snapshot = None
        if before_write is not None:
            snapshot = Snapshot.of(before, changes, names)
            before_write(snapshot)
        try:
            with _signals_raise():
                verification = Verification(wanted, names)
                done = execute_awaiting_carrier(sock, plan.steps, names, progress=progress,
                                                meanwhile=verification.preparation())
                verification.check(sock)
        except ExecutionError as exc:
            failure = _describe_failure(exc, source)
        except VerifyError as exc:
            failure = f"verification failed: {exc}"
        except Interrupted as exc:
            failure = f"interrupted by {exc}"
        else:
            return Outcome(plan, len(done))
        log.info("rolling back after: %s", failure.splitlines()[0])
        _roll_back(sock, lambda: snapshot or Snapshot.of(before, changes, names), failure)
        raise ApplyError(f"{failure}\nrolled back: the state is as it was before",
                         rolled_back=True)


def roll_back_to(snapshot: Snapshot, netns: str | None) -> Plan:
    """Restore a snapshot (nlstate rollback, or the --confirm-within reverter)."""
    with rtnl.open_socket(netns) as sock:
        return _restore(sock, snapshot)


def _describe_failure(exc: ExecutionError, source: Source | None) -> str:
    text = f"step {exc.number} failed: {exc.step.command}\n  {exc.cause}"
    if source is not None:
        origin = step_origin(exc.step, source.text, source.filename)
        if origin is not None:
            text += f"\n  from {origin}"
    return text


def _roll_back(sock: NetlinkSocket, snapshot: Callable[[], Snapshot], failure: str) -> None:
    try:
        with _signals_deferred():
            _restore(sock, snapshot())
    except Exception as exc:
        raise ApplyError(f"{failure}\nROLLBACK FAILED: {exc}; the state is partly applied: "
                         "see `nlstate plan` against the previous state",
                         rolled_back=False) from exc


def _restore(sock: NetlinkSocket, snapshot: Snapshot) -> Plan:
    """Restore the snapshot, then check it: a restore that leaves differences raises."""
    now = observe_with(sock, include_kernel=False)
    plan = snapshot.restore_plan(now)
    log.info("rollback: %d step(s)", len(plan.steps))
    execute_awaiting_carrier(sock, plan.steps)
    left = snapshot.restore_plan(observe_with(sock, include_kernel=False))
    if left.steps:
        raise VerifyError("after restoring, these still differ from before: "
                          + "; ".join(step.command for step in left.steps))
    return plan


@contextmanager
def _signals_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise Interrupted in the block (so the rollback runs)."""
    def handler(signum: int, _: FrameType | None) -> None:
        raise Interrupted(signal.Signals(signum).name)
    with _handlers(handler):
        yield


@contextmanager
def _signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM are noted, not acted on, while the rollback runs."""
    def handler(signum: int, _: FrameType | None) -> None:
        log.warning("%s ignored: rolling back", signal.Signals(signum).name)
    with _handlers(handler):
        yield


@contextmanager
def _handlers(handler: Callable[[int, FrameType | None], None]) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals; the caller's own handling stands
        return
    saved = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, previous in saved.items():
            signal.signal(sig, previous)
