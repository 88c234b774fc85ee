"""Carrying out steps when a link's carrier comes later than the step that brings it.

A link set up gets its carrier at once (a veth whose peer is up), but what is stacked on it
(a macvlan on that veth) only when the kernel's linkwatch passes the change on, from a
work queue, some milliseconds to a second later. The kernel refuses a nexthop on a link
without carrier (ENETDOWN, "Carrier for nexthop device is down"), so a plan that brings a
link up and then puts a nexthop on a link stacked on it would fail or not by a race.

`execute_awaiting_carrier` carries the steps out as `execute` does; when one is refused for
want of a carrier, it waits (on the links' notifications, up to CARRIER_WAIT seconds) for the
links the step names to have one, and goes on from that step.
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from functools import partial

from nlstate import rtnl
from nlstate.netlink.errors import KernelError
from nlstate.netlink.socket import NetlinkSocket
from nlstate.rtnl import consts as rc
from nlstate.rtnl.link import IFF_UP
from nlstate.steps import Step

from .execute import NO_WORK, ExecutionError, Progress, execute

log = logging.getLogger(__name__)
CARRIER_WAIT = 2.0  # seconds: linkwatch passes a carrier change on within one
ATTEMPTS = 4  # goes at one plan: a refusal for want of a carrier, waited for, each


def execute_awaiting_carrier(sock: NetlinkSocket, steps: Sequence[Step],
                             names: dict[str, int] | None = None,
                             progress: Progress = lambda sent: None,
                             meanwhile: Iterator[object] = NO_WORK) -> list[int]:
    """execute(), going on from a step refused for want of a carrier once its links have
    one. Indexes (done, and those of ExecutionError) are the steps' own. `meanwhile` goes
    on from where an attempt left it."""
    remaining = list(range(len(steps)))
    done: list[int] = []
    for attempt in range(1, ATTEMPTS + 1):
        try:
            executed = execute(sock, [steps[index] for index in remaining], names,
                               partial(_progress_after, progress, len(done)), meanwhile)
        except ExecutionError as exc:
            carried_out = [remaining[position] for position in exc.done]
            done += carried_out
            failed = remaining[exc.number - 1]
            links = _links_of(steps[failed])
            if (attempt == ATTEMPTS or not _carrier_missing(exc) or not links
                    or not await_carrier(sock, links, CARRIER_WAIT)):
                raise ExecutionError(failed + 1, exc.step, exc.cause, done) from exc.cause
            log.info("step %d waited for the carrier of %s", failed + 1, ", ".join(links))
            finished = set(carried_out)
            remaining = [index for index in remaining
                         if index >= failed and index not in finished]
            names = None  # links created meanwhile: execute reads the names again
        else:
            done += [remaining[position] for position in executed]
            return done
    raise AssertionError("unreachable: the last attempt returns or raises")


def _progress_after(progress: Progress, before: int, sent: int) -> None:
    progress(before + sent)


def _carrier_missing(exc: ExecutionError) -> bool:
    return isinstance(exc.cause, KernelError) and exc.cause.errno == errno.ENETDOWN


def _links_of(step: Step) -> list[str]:
    """The links a step's objects are on (none for the steps on links themselves)."""
    if not step.kind.interface_fields:
        return []
    return sorted({name for record in step.records for name in step.kind.interfaces(record)})


def await_carrier(sock: NetlinkSocket, links: Iterable[str], timeout: float) -> bool:
    """Whether the links have a carrier within `timeout` seconds: read at once, then again
    at each link notification (subscribed first, so none is missed). False at once when one
    is down or gone: no carrier is coming to it."""
    wanted = list(links)
    deadline = time.monotonic() + timeout
    sock.subscribe(rc.RTNLGRP_LINK)
    try:
        while True:
            states = [_link_state(sock, name) for name in wanted]
            if all(carrier for _, carrier in states):
                return True
            left = deadline - time.monotonic()
            if left <= 0 or not all(up for up, _ in states):
                return False
            for _ in sock.events(timeout=left):
                break  # something changed: read again
    finally:
        sock.unsubscribe(rc.RTNLGRP_LINK)


def _link_state(sock: NetlinkSocket, name: str) -> tuple[bool, bool]:
    """(set up, has a carrier) of a link; (False, False) when it is gone."""
    request = rtnl.build_request(rc.RTM_GETLINK, {}, {
        "ifname": name, "ext-mask": rc.RTEXT_FILTER_SKIP_STATS})
    try:
        [link] = sock.request(request)
    except KernelError:
        return False, False
    return bool(link.header["ifi-flags"] & IFF_UP), bool(link.attrs.get("carrier"))
