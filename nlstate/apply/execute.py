"""Sending a plan's steps to the kernel, in order, pipelined, stopping at the first refusal.

A step's request needs the indexes of the links it names; links the plan creates get theirs
from the kernel. Requests are built as they are queued: when one names a link not known
yet, what is queued goes out first, the link names are read again (one RTM_GETLINK dump),
and queueing goes on. So 1000 bridge creates go out together, then one dump, then the
ports. (NLM_F_ECHO would return a new link's index, but only from Linux 6.3.)

Only the last request of each sendmsg asks for an ACK: the kernel answers every refused
request with its own error anyway, and the final ACK proves the rest were carried out. The
kernel carries on after a refused request within one sendmsg, so later steps of that chunk
may be done too; ExecutionError.done lists exactly which were (the rollback does not rely
on it: it restores the snapshot, see undo.py).
"""

from __future__ import annotations

import logging
import struct
from collections.abc import Sequence

from nlstate import rtnl
from nlstate.netlink.errors import KernelError, NetlinkError
from nlstate.netlink.message import Request
from nlstate.netlink.socket import NetlinkSocket
from nlstate.requests.common import UnknownInterfaceError
from nlstate.rtnl import consts as rc
from nlstate.steps import Step

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


def link_names(sock: NetlinkSocket) -> dict[str, int]:
    """Interface name -> ifindex, from one RTM_GETLINK dump, reading only IFLA_IFNAME (a
    link's full decoding, stats and all, costs a hundred times more)."""
    names: dict[str, int] = {}
    for data, frames in sock.dump_frames(rtnl.build_request(rc.RTM_GETLINK)):
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


def execute(sock: NetlinkSocket, steps: Sequence[Step],
            names: dict[str, int] | None = None) -> list[int]:
    """Carry out the steps; return the indexes of those done (all of them). Raises
    ExecutionError at the first step that fails (or that names an unknown link)."""
    names = link_names(sock) if names is None else dict(names)
    done: list[int] = []
    queued: list[tuple[int, Request]] = []
    for index, step in enumerate(steps):
        try:
            request = step.request(names)
        except UnknownInterfaceError as exc:
            _send(sock, steps, queued, done)
            queued = []
            names = link_names(sock)
            try:
                request = step.request(names)
            except UnknownInterfaceError:
                raise ExecutionError(index + 1, step, exc, done) from exc
        queued.append((index, request))
    _send(sock, steps, queued, done)
    return done


def _send(sock: NetlinkSocket, steps: Sequence[Step], queued: list[tuple[int, Request]],
          done: list[int]) -> None:
    if not queued:
        return
    log.debug("sending %d step(s) from step %d", len(queued), queued[0][0] + 1)
    result = sock.batch([request for _, request in queued], ack="last", stop_on_error=True)
    failure: tuple[int, KernelError] | None = None
    for position, (index, _) in enumerate(queued):
        error = result.errors[position]
        if error is not None:
            failure = failure or (index, error)
        elif position not in result.unknown and position not in result.unsent:
            done.append(index)
    if failure is not None:
        index, error = failure
        raise ExecutionError(index + 1, steps[index], error, done)
