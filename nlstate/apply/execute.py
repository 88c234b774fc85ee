"""Sending a plan's steps to the kernel, in order, pipelined, stopping at the first refusal.

A step's request needs the indexes of the links it names; links the plan creates get theirs
from the kernel. Requests are built as they are queued: when one names a link not known
yet, what is queued goes out first, the links created since are looked up by name (an
RTM_GETLINK each, many to a sendmsg; only the index is read of each reply), and queueing
goes on. So 1000 bridge creates go out together, then the lookups, then the ports.
(NLM_F_ECHO would return a new link's index, but only from Linux 6.3.) The lookups, not a
dump of all links, also because the kernel handles a link's pending carrier event when it
is asked for that one link (seen on 6.18; a dump does not): else the events of new links
wait for the link watcher's once-a-second batch, and as links go up it walks all of them
for each, holding the rtnl lock (some 0.1 s of 0.8 for 1000 bridges and veth pairs).

Runs of steps of one kind and action (100k routes) are built many at once, unlabelled (a
refused one is labelled then). Steps go out in parts on a sender thread while the next
part is built: the kernel carries out one part (in sendmsg, without the GIL) as Python
builds the next. Parts start small and double up to PART, so the kernel is not left idle
while the first is built.

Only the last request of each sendmsg asks for an ACK: the kernel answers every refused
request with its own error anyway, and the final ACK proves the rest were carried out. The
kernel carries on after a refused request within one sendmsg, so later steps of that chunk
may be done too; ExecutionError.done lists exactly which were (the rollback does not rely
on it: it restores the snapshot, see undo.py).
"""

from __future__ import annotations

import errno
import logging
import queue
import struct
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import NamedTuple

from nlstate import rtnl
from nlstate.collector import paused_gc
from nlstate.netlink.errors import KernelError, NetlinkError
from nlstate.netlink.message import Request
from nlstate.netlink.socket import Framed, NetlinkSocket
from nlstate.objects import ANY_INDEX
from nlstate.requests.common import UnknownInterfaceError
from nlstate.rtnl import consts as rtnl_consts
from nlstate.steps import LINK_OPS, Step

log = logging.getLogger(__name__)


class ExecutionError(NetlinkError):
    """A step failed. `done` lists the indexes of the steps the kernel carried out."""

    def __init__(self, number: int, step: Step, cause: Exception, done: list[int]) -> None:
        self.number = number  # 1-based, as the plan shows it
        self.step = step
        self.cause = cause
        self.done = done
        super().__init__(f"step {number} ({step.command}) failed: {cause}")


_IFINDEX = struct.Struct("=i")
_NLA = struct.Struct("=HH")
_IFINFOMSG_SIZE = 16
_IFLA_IFNAME = 3


def link_indexes(sock: NetlinkSocket, names: Sequence[str]) -> dict[str, int]:
    """Interface name -> ifindex of the named links that exist (an RTM_GETLINK each)."""
    replies = sock.get_each([rtnl.build_request(
        rtnl_consts.RTM_GETLINK, {}, {"ifname": name,
                                      "ext-mask": rtnl_consts.RTEXT_FILTER_SKIP_STATS})
        for name in names])
    found = {}
    for name, reply in zip(names, replies, strict=True):
        if isinstance(reply, tuple):
            data, frame = reply
            (found[name],) = _IFINDEX.unpack_from(data, frame[4] + 4)
        elif reply.errno != errno.ENODEV:
            raise reply
    return found


def link_names(sock: NetlinkSocket) -> dict[str, int]:
    """Interface name -> ifindex, from one RTM_GETLINK dump, reading only IFLA_IFNAME (a
    link's full decoding, stats and all, costs a hundred times more)."""
    names: dict[str, int] = {}
    for data, frames in sock.dump_frames(rtnl.link_dump_request()):
        for frame in frames:
            start, end = frame[4], frame[5]
            (index,) = _IFINDEX.unpack_from(data, start + 4)
            offset = start + _IFINFOMSG_SIZE
            while offset + 4 <= end:
                length, kind = _NLA.unpack_from(data, offset)
                if length < 4:
                    break
                if kind == _IFLA_IFNAME:
                    names[data[offset + 4:offset + length].rstrip(b"\0").decode()] = index
                    break
                offset += (length + 3) & ~3
    return names


Progress = Callable[[int], None]  # called with the number of steps sent and answered
PART = 4096  # steps per batch() call: built while the one before is sent; progress between
# The first part after the kernel has gone idle (the start, a re-read of link names) is this
# small, and each next one twice the last, up to PART: the kernel starts at once instead of
# waiting for a whole part to be built (4096 link steps take some 40 ms to build).
FIRST_PART = 64
# bytes per sendmsg: a part of plain routes in one (the sender thread hands the GIL back and
# forth once per sendmsg, which costs more than the kernel's time at 16 KB apiece)
SEND_BYTES = 1 << 20
HANDOFF_INTERVAL = 0.0005  # seconds: sys.setswitchinterval while sending (_quick_handoffs)
NO_WORK: Iterator[object] = iter(())  # execute's `meanwhile` by default (empty for good)


def execute(sock: NetlinkSocket, steps: Sequence[Step], names: dict[str, int] | None = None,
            progress: Progress = lambda sent: None,
            meanwhile: Iterator[object] = NO_WORK) -> list[int]:
    """Carry out the steps; return the indexes of those done (all of them). Raises
    ExecutionError at the first step that fails (or that names an unknown link).
    `meanwhile`: the caller's preparation for what comes after, in slices of a few ms,
    done while this thread would wait: a slice whenever whole parts are queued ahead of
    the kernel, and what is left once all is queued."""
    names = link_names(sock) if names is None else dict(names)
    queued: list[tuple[int, Request]] = []
    created: list[str] = []  # by the steps queued, since the last lookup
    index = 0
    # the requests built (100k for as many routes) live until sent: a collection would walk
    # everything the process holds, 0.1 s and more, for nothing
    part = FIRST_PART
    with paused_gc(), _quick_handoffs(), _Sender(sock, steps, progress) as sender:
        while index < len(steps):
            end = _run_end(steps, index, part)
            try:
                requests = _build(steps[index:end], names)
            except UnknownInterfaceError:
                sender.put(queued)
                queued = []
                sender.drain()
                names.update(link_indexes(sock, created))
                created = []
                part = FIRST_PART
                end = _run_end(steps, index, part)
                requests = _build_or_fail(sock, steps, index, end, names, sender.done)
            if steps[index].kind is LINK_OPS:
                made = list(chain.from_iterable(step.records[0].creates
                                                for step in steps[index:end]))
                created += made
                for name in made:  # a link recreated: the index it had is gone with it
                    names.pop(name, None)
            queued.extend(zip(range(index, end), requests, strict=True))
            if len(queued) >= part:
                if part == PART:
                    _work_while_busy(sender, meanwhile)
                sender.put(queued)
                queued = []
                part = min(2 * part, PART)
            index = end
        sender.put(queued)
        for _ in meanwhile:
            pass
        sender.drain()
    return sender.done


@contextmanager
def _quick_handoffs() -> Iterator[None]:
    """A shorter switch interval for the block: the sender thread, back from the kernel,
    waits for the GIL until this thread's Python (building parts, `meanwhile`) hands it
    over, up to the interval (5 ms by default) each time. Measured on 100k routes: the
    send took 0.05 s longer with `meanwhile` at 5 ms, the same at 0.5 ms."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(HANDOFF_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)


def _work_while_busy(sender: _Sender, work: Iterator[object]) -> None:
    """Slices of `work` for as long as the sender has as much queued as it takes."""
    while sender.full() and next(work, _DONE) is not _DONE:
        pass


_DONE = object()  # what next() gives for work finished


class _Sender:
    """Sends parts of a plan in order on a thread of its own, so that the kernel carries out
    one part (in sendmsg, where the GIL is released) while the caller builds the next. Stops
    at the first failure, which put() or drain() then raise; leaving the block early (an
    error, a signal) drops what is queued and waits for the part being sent."""

    def __init__(self, sock: NetlinkSocket, steps: Sequence[Step], progress: Progress) -> None:
        self.done: list[int] = []
        self._sock, self._steps, self._progress = sock, steps, progress
        self._parts: queue.Queue[_Part | None] = queue.Queue(maxsize=2)
        self._failure: BaseException | None = None
        self._cancelled = False
        self._thread = threading.Thread(target=self._run, name="nlstate-sender", daemon=True)

    def __enter__(self) -> _Sender:
        self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self._cancelled = kind is not None
        interrupted: BaseException | None = None
        closed = False
        while self._thread.is_alive():
            try:
                if not closed:
                    self._parts.put(None)
                    closed = True
                self._thread.join()
            except BaseException as exc:  # a signal meanwhile: the thread must end first,
                self._cancelled = True  # or a rollback would share the socket with it
                interrupted = interrupted or exc
        if interrupted is not None:
            raise interrupted

    def put(self, queued: list[tuple[int, Request]]) -> None:
        """Send these (step index, request) next: framed here, on the caller's thread, so
        that the sender's own thread does little but wait for the kernel."""
        self._raise_failure()
        if queued:
            self._parts.put(_Part([index for index, _ in queued], self._sock.frame(
                [request for _, request in queued], ack="last", max_bytes=SEND_BYTES)))

    def full(self) -> bool:
        """Whether put() would wait."""
        return self._parts.full()

    def drain(self) -> None:
        """Wait until every part put is sent and answered."""
        self._parts.join()
        self._raise_failure()

    def _raise_failure(self) -> None:
        if self._failure is not None:
            raise self._failure

    def _run(self) -> None:
        while True:
            part = self._parts.get()
            try:
                if part is None:
                    return
                if self._failure is None and not self._cancelled:
                    _send(self._sock, self._steps, part, self.done)
                    self._progress(len(self.done))
            except BaseException as exc:  # handed to the caller's thread
                self._failure = exc
            finally:
                self._parts.task_done()


def _run_end(steps: Sequence[Step], first: int, part: int) -> int:
    """The end of the run of steps from `first` built together: those of one kind and
    action whose requests are built many at once (a part's worth at most); else the one
    step."""
    kind, action = steps[first].kind, steps[first].action
    end = first + 1
    if kind.build_many is not None:
        last = min(len(steps), first + part)
        while end < last and steps[end].kind is kind and steps[end].action == action:
            end += 1
    return end


def _build(run: Sequence[Step], names: dict[str, int]) -> list[Request]:
    kind = run[0].kind
    if kind.build_many is None or len(run) == 1:
        return [step.request(names) for step in run]
    return kind.build_many(run[0].action,  # type: ignore[arg-type]
                           [step.records for step in run], names)


def _build_or_fail(sock: NetlinkSocket, steps: Sequence[Step], first: int, end: int,
                   names: dict[str, int], done: list[int]) -> list[Request]:
    """_build once the links created are looked up; failing that, with all link names read
    again (a link made meanwhile by someone else); names the first step whose link is
    still unknown."""
    try:
        return _build(steps[first:end], names)
    except UnknownInterfaceError:
        names.update(link_names(sock))
    try:
        return _build(steps[first:end], names)
    except UnknownInterfaceError:
        for index in range(first, end):
            try:
                steps[index].request(names)
            except UnknownInterfaceError as exc:
                raise ExecutionError(index + 1, steps[index], exc, done) from exc
        raise


class _Part(NamedTuple):
    indexes: list[int]  # of the steps
    framed: Framed  # their requests


def _send(sock: NetlinkSocket, steps: Sequence[Step], part: _Part, done: list[int]) -> None:
    log.debug("sending %d step(s) from step %d", len(part.indexes), part.indexes[0] + 1)
    result = sock.send_framed(part.framed, stop_on_error=True)
    if result.ok:
        done.extend(part.indexes)
        return
    failure: tuple[int, KernelError] | None = None
    for position, index in enumerate(part.indexes):
        error = result.errors[position]
        if error is not None:
            failure = failure or (index, error)
        elif position not in result.unknown and position not in result.unsent:
            done.append(index)
    if failure is not None:
        index, error = failure
        raise ExecutionError(index + 1, steps[index], _labelled(error, steps[index]), done)


def _labelled(error: KernelError, step: Step) -> KernelError:
    """The error with its request labelled (requests built many at once are not)."""
    if error.request is None or error.request.label:
        return error
    request = error.request._replace(label=step.request(ANY_INDEX).label)
    return KernelError(error.errno, error.ext_ack, request, error.attr_path)
