"""NetlinkSocket: requests, dumps, pipelined batches and multicast events.

Replies are matched to requests by sequence number. Only the kernel (sender port 0) is
listened to. Multicast notifications (sender groups != 0) that arrive while waiting for a
reply are queued for `events()`, never mistaken for replies.
"""

from __future__ import annotations

import errno
import itertools
import logging
import queue
import select
import socket
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from operator import itemgetter

from .consts import (
    AF_NETLINK,
    NETLINK_ADD_MEMBERSHIP,
    NETLINK_CAP_ACK,
    NETLINK_DROP_MEMBERSHIP,
    NETLINK_EXT_ACK,
    NETLINK_GET_STRICT_CHK,
    NETLINK_ROUTE,
    NLM_F_ACK,
    NLM_F_DUMP,
    NLM_F_DUMP_INTR,
    NLM_F_ECHO,
    NLM_F_REQUEST,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSG_HDRLEN,
    NLMSG_MIN_TYPE,
    SO_RCVBUFFORCE,
    SO_SNDBUFFORCE,
    SOL_NETLINK,
)
from .errors import DumpInterruptedError, KernelError, NetlinkError, OverrunError
from .message import (
    NLMSGHDR,
    Catalog,
    ErrorReply,
    Frame,
    Message,
    MessageSpec,
    Request,
    decode_frame,
    encode_message,
    iter_frames,
    parse_error,
    split_frames,
)
from .netns import call_in_netns

log = logging.getLogger(__name__)

DEFAULT_RCVBUF = 32 * 1024 * 1024
DEFAULT_SNDBUF = 4 * 1024 * 1024
DEFAULT_BATCH_BYTES = 16 * 1024
DEFAULT_TIMEOUT = 60.0
_RECV_BUFFER = 256 * 1024
_MSG_TRUNC = int(socket.MSG_TRUNC)
_PADDING = (b"", b"\0", b"\0\0", b"\0\0\0")
_FLAGS = itemgetter(1)
_SEQ = itemgetter(2)


def _ends_dump(datagram: tuple[bytes, int, list[Frame]], seq: int) -> bool:
    """Whether a dump's datagram is its last: its last message is the dump's NLMSG_DONE or
    NLMSG_ERROR (a multicast one never is)."""
    _, groups, frames = datagram
    return (not groups and bool(frames) and frames[-1][0] in (NLMSG_DONE, NLMSG_ERROR)
            and frames[-1][2] == seq)


class NetlinkTimeout(NetlinkError):
    """No reply from the kernel within the timeout."""


@dataclass
class BatchResult:
    """Per-request outcome of a batch, in request order.

    errors[i] is None when request i succeeded (or its outcome is unknown/unsent, see those
    lists), else the kernel's refusal. echoes[i] holds what NLM_F_ECHO returned for it.
    """

    requests: Sequence[Request]
    errors: list[KernelError | None]
    echoes: dict[int, list[Message]] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)
    unsent: list[int] = field(default_factory=list)

    @property
    def failed(self) -> list[int]:
        return [i for i, e in enumerate(self.errors) if e is not None]

    @property
    def ok(self) -> bool:
        return (self.errors.count(None) == len(self.errors) and not self.unknown
                and not self.unsent)


@dataclass(frozen=True)
class _Chunk:
    """The bytes of one sendmsg of a framed batch: requests[first:last], sequence numbers
    from base_seq."""

    data: bytes
    first: int
    last: int
    base_seq: int


@dataclass
class Framed:
    """Requests framed for sending (NetlinkSocket.frame), not sent yet."""

    requests: list[Request]
    each: bool  # every request asks for an ACK (else the last of each chunk)
    echo: bool
    chunks: list[_Chunk] = field(default_factory=list)


class BatchOverrunError(OverrunError):
    """ENOBUFS during a batch; `result` says which outcomes are known, unknown and unsent."""

    def __init__(self, result: BatchResult) -> None:
        self.result = result
        super().__init__(
            unknown=[result.requests[i] for i in result.unknown],
            results=result.errors,
        )


class NetlinkSocket:
    """A NETLINK_ROUTE (by default) socket, optionally inside a named network namespace."""

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        netns: str | None = None,
        protocol: int = NETLINK_ROUTE,
        sock_type: int = socket.SOCK_RAW,
        rcvbuf: int = DEFAULT_RCVBUF,
        sndbuf: int = DEFAULT_SNDBUF,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.catalog = catalog
        self.netns = netns
        self.timeout = timeout
        self._sock = call_in_netns(
            netns, lambda: socket.socket(AF_NETLINK, sock_type | socket.SOCK_CLOEXEC, protocol)
        )
        try:
            self._configure(rcvbuf, sndbuf)
        except BaseException:
            self._sock.close()
            raise
        self._next_seq = 1
        self._buffer = bytearray(_RECV_BUFFER)
        self._events: deque[Message] = deque()

    def _configure(self, rcvbuf: int, sndbuf: int) -> None:
        s = self._sock
        for option, value in ((NETLINK_EXT_ACK, 1), (NETLINK_CAP_ACK, 1),
                              (NETLINK_GET_STRICT_CHK, 1)):
            try:
                s.setsockopt(SOL_NETLINK, option, value)
            except OSError as exc:  # kernels older than 4.12/4.20 lack some of these
                log.debug("netlink socket option %d not available: %s", option, exc)
        self.set_buffers(rcvbuf, sndbuf)
        s.bind((0, 0))
        self.port_id: int = s.getsockname()[0]

    def set_buffers(self, rcvbuf: int | None = None, sndbuf: int | None = None) -> None:
        """Set the kernel buffer sizes; FORCE variants (root) go past net.core.*mem_max."""
        for size, force, plain in ((rcvbuf, SO_RCVBUFFORCE, socket.SO_RCVBUF),
                                   (sndbuf, SO_SNDBUFFORCE, socket.SO_SNDBUF)):
            if size is None:
                continue
            try:
                self._sock.setsockopt(socket.SOL_SOCKET, force, size)
            except PermissionError:
                self._sock.setsockopt(socket.SOL_SOCKET, plain, size)
        # the kernel refuses a sendmsg longer than the send buffer (less 32 bytes): what
        # batch() puts in one, at most, when the buffer could not be raised (no privilege)
        self._send_limit = self._sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) - 32

    # ------------------------------------------------------------------ lifecycle

    def fileno(self) -> int:
        return self._sock.fileno()

    def close(self) -> None:
        self._sock.close()

    def __enter__(self) -> NetlinkSocket:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reserve_seqs(self, count: int = 1) -> int:
        """Reserve `count` consecutive sequence numbers; return the first."""
        if self._next_seq + count > 0xFFFFFFFF:
            self._next_seq = 1
        first = self._next_seq
        self._next_seq += count
        return first

    # ------------------------------------------------------------------ receiving

    def _wait_readable(self, timeout: float | None) -> bool:
        ready, _, _ = select.select([self._sock], [], [], timeout)
        return bool(ready)

    def _recv(self, timeout: float | None) -> tuple[bytes, int] | None:
        """One datagram from the kernel with its multicast group mask (0: unicast), or None
        on timeout. Raises OverrunError on ENOBUFS."""
        while True:
            if timeout is not None and not self._wait_readable(timeout):
                return None
            try:
                nbytes, _, msg_flags, address = self._sock.recvmsg_into([self._buffer])
            except OSError as exc:
                if exc.errno == errno.ENOBUFS:
                    raise OverrunError() from exc
                if exc.errno in (errno.EINTR, errno.EAGAIN):
                    continue
                raise
            if msg_flags & _MSG_TRUNC:
                self._buffer = bytearray(len(self._buffer) * 4)
                raise NetlinkError("a netlink message did not fit the receive buffer (retry)")
            sender_port, groups = address
            if sender_port != 0:
                log.debug("dropped %d bytes sent to our port by userspace port %d",
                          nbytes, sender_port)
                continue
            return bytes(self._buffer[:nbytes]), groups

    def _queue_event(self, data: bytes, frame: Frame) -> None:
        if frame[0] >= 0x10:
            self._events.append(decode_frame(data, frame, self.catalog))

    def _kernel_error(self, reply: ErrorReply, request: Request | None) -> KernelError:
        path = None
        if request is not None and reply.ext_ack.offset is not None:
            path = request.attr_path(reply.ext_ack.offset)
        return KernelError(reply.error, reply.ext_ack, request, path)

    # ------------------------------------------------------------------ requests

    def send_raw(self, data: bytes) -> None:
        sent = self._sock.send(data)
        if sent != len(data):
            raise NetlinkError(f"short netlink send: {sent} of {len(data)} bytes")

    def request(self, request: Request, *, echo: bool = False) -> list[Message]:
        """Send one request with NLM_F_ACK; return what NLM_F_ECHO returned (else [])."""
        result = self.batch([request], ack="each", echo=echo)
        error = result.errors[0]
        if error is not None:
            raise error
        return result.echoes.get(0, [])

    def dump(self, request: Request, spec: MessageSpec | None = None) -> Iterator[Message]:
        """Run a dump (NLM_F_DUMP is added) and yield its decoded messages, decoded with
        `spec` if given (one that skips attributes, say), else as the catalog says.

        Raises DumpInterruptedError at the end if the kernel flagged NLM_F_DUMP_INTR.
        """
        catalog = self.catalog
        for data, frames in self.dump_frames(request):
            for frame in frames:
                if spec is None:
                    yield decode_frame(data, frame, catalog)
                else:
                    msg_type, flags, seq, pid, start, end = frame
                    header, attrs = spec.decode(data, start, end)
                    yield Message(msg_type, flags, seq, pid, header, attrs,
                                  catalog.name(msg_type) if catalog else spec.name)

    def dump_frames(self, request: Request) -> Generator[tuple[bytes, list[Frame]], None, None]:
        """Run a dump and yield each datagram with the frames of its data messages, for
        decoders that read the bytes themselves (the fast path of large dumps)."""
        seq = self.reserve_seqs()
        flags = request.flags | NLM_F_REQUEST | NLM_F_DUMP
        self.send_raw(encode_message(request.type, flags, seq, request.payload))
        interrupted = False
        for data, groups, frames in self._dump_datagrams(seq, request):
            finished = False
            if groups:
                for frame in frames:
                    self._queue_event(data, frame)
                continue
            if (frames and frames[-1][0] >= NLMSG_MIN_TYPE
                    and list(map(_SEQ, frames)).count(seq) == len(frames)):
                # the common case: a datagram of data messages only (checked in C, not per
                # message in Python: large dumps spend their time here)
                if any(flags & NLM_F_DUMP_INTR for flags in set(map(_FLAGS, frames))):
                    interrupted = True
                yield data, frames
                continue
            kept: list[Frame] = []
            for frame in frames:
                msg_type, msg_flags, msg_seq = frame[0], frame[1], frame[2]
                if msg_seq != seq:
                    log.debug("dropped stale message type %d seq %d", msg_type, msg_seq)
                    continue
                if msg_flags & NLM_F_DUMP_INTR:
                    interrupted = True
                if msg_type in (NLMSG_DONE, NLMSG_ERROR):
                    reply = parse_error(data, frame[4], frame[5], msg_flags, msg_seq,
                                        done=msg_type == NLMSG_DONE)
                    if reply.error:
                        raise self._kernel_error(reply, request)
                    finished = True
                    break
                if msg_type >= NLMSG_MIN_TYPE:
                    kept.append(frame)
            frames = kept
            if frames:
                yield data, frames
            if finished:
                if interrupted:
                    raise DumpInterruptedError(
                        f"dump {request.describe()} was interrupted by a concurrent change")
                return

    def _dump_datagrams(self, seq: int, request: Request,
                        ) -> Iterator[tuple[bytes, int, list[Frame]]]:
        """The datagrams of a dump: (data, groups, frames), up to the one that ends it.

        The kernel fills the next datagram as it is received, in recvmsg, without the GIL;
        so after the first, a reader thread receives while the caller decodes the one
        before (0.02 s of 0.17 for 100k routes). A dump that fits one datagram is
        read here, without the thread."""
        first = self._dump_datagram(request)
        yield first
        if _ends_dump(first, seq):
            return
        datagrams: queue.SimpleQueue[tuple[bytes, int, list[Frame]] | BaseException] = (
            queue.SimpleQueue())
        reader = threading.Thread(target=self._read_dump, args=(seq, request, datagrams),
                                  name="nlstate-dump", daemon=True)
        reader.start()
        try:
            while True:
                datagram = datagrams.get()
                if isinstance(datagram, BaseException):
                    raise datagram
                yield datagram
                if _ends_dump(datagram, seq):
                    return
        finally:
            reader.join()  # the socket is the caller's again only once the reader is done

    def _read_dump(self, seq: int, request: Request,
                   out: queue.SimpleQueue[tuple[bytes, int, list[Frame]] | BaseException],
                   ) -> None:
        """The reader thread: the rest of the dump into `out`, or what stopped it."""
        try:
            while True:
                datagram = self._dump_datagram(request)
                out.put(datagram)
                if _ends_dump(datagram, seq):
                    return
        except BaseException as exc:  # handed to the caller's thread
            out.put(exc)

    def _dump_datagram(self, request: Request) -> tuple[bytes, int, list[Frame]]:
        received = self._recv(self.timeout)
        if received is None:
            raise NetlinkTimeout(f"no reply to dump {request.describe()}")
        return (*received, split_frames(received[0]))

    def get_each(self, requests: Sequence[Request], chunk: int = 512,
                 ) -> list[tuple[bytes, Frame] | KernelError]:
        """Send GET requests (a reply each: its data message, or an error), `chunk` to a
        sendmsg, and return each one's reply undecoded, in request order: for readers that
        take one field of many messages (a link's ifindex, by its name)."""
        replies: list[tuple[bytes, Frame] | KernelError | None] = [None] * len(requests)
        for first in range(0, len(requests), chunk):
            part = requests[first:first + chunk]
            base = self.reserve_seqs(len(part))
            self.send_raw(b"".join(
                encode_message(request.type, request.flags | NLM_F_REQUEST, base + offset,
                               request.payload)
                for offset, request in enumerate(part)))
            pending = len(part)
            while pending:
                received = self._recv(self.timeout)
                if received is None:
                    raise NetlinkTimeout(f"no reply to {pending} request(s) within "
                                         f"{self.timeout}s")
                data, groups = received
                for frame in split_frames(data):
                    position = frame[2] - base
                    if groups:
                        self._queue_event(data, frame)
                    elif 0 <= position < len(part) and replies[first + position] is None:
                        request = part[position]
                        if frame[0] == NLMSG_ERROR:
                            reply = parse_error(data, frame[4], frame[5], frame[1], frame[2])
                            replies[first + position] = self._kernel_error(reply, request)
                        else:
                            replies[first + position] = (data, frame)
                        pending -= 1
                    else:
                        log.debug("dropped stale message type %d seq %d", frame[0], frame[2])
        return [reply for reply in replies if reply is not None]

    def batch(
        self,
        requests: Sequence[Request] | Iterable[Request],
        *,
        ack: str = "each",
        echo: bool = False,
        max_bytes: int = DEFAULT_BATCH_BYTES,
        stop_on_error: bool = False,
    ) -> BatchResult:
        """Send many requests, several per sendmsg, and attribute every reply to its request.

        ack="each": every request asks for an ACK. ack="last": only the last request of each
        sendmsg does; the kernel still answers every failing request with its own error, and
        the final ACK proves that all before it were processed. stop_on_error: send no further
        chunk once one request has failed (the rest are reported as unsent).
        """
        return self.send_framed(self.frame(requests, ack=ack, echo=echo, max_bytes=max_bytes),
                                stop_on_error=stop_on_error)

    def frame(self, requests: Sequence[Request] | Iterable[Request], *, ack: str = "each",
              echo: bool = False, max_bytes: int = DEFAULT_BATCH_BYTES) -> Framed:
        """batch()'s first half: the requests as the bytes of each sendmsg, their sequence
        numbers reserved. send_framed() sends them; in between, another thread may frame
        the next batch (an apply frames on its main thread what its sender thread sends
        next), but only one thread may frame or send other requests at a time."""
        if ack not in ("each", "last"):
            raise ValueError("ack must be 'each' or 'last'")
        max_bytes = min(max_bytes, self._send_limit)
        reqs = list(requests)
        framed = Framed(reqs, ack == "each", echo)
        index = 0
        while index < len(reqs):
            chunk = self._frame_chunk(framed, index, max_bytes)
            framed.chunks.append(chunk)
            index = chunk.last
        return framed

    def send_framed(self, framed: Framed, *, stop_on_error: bool = False) -> BatchResult:
        """batch()'s second half: send each chunk in one sendmsg and wait for its replies."""
        reqs = framed.requests
        result = BatchResult(reqs, [None] * len(reqs))
        for chunk in framed.chunks:
            self.send_raw(chunk.data)
            self._collect(reqs, chunk.first, chunk.last, chunk.base_seq, result, framed.each,
                          framed.echo)
            if stop_on_error and chunk.last < len(reqs) and result.errors[
                    chunk.first:chunk.last].count(None) < chunk.last - chunk.first:
                result.unsent = list(range(chunk.last, len(reqs)))
                break
        return result

    def _frame_chunk(self, framed: Framed, first: int, max_bytes: int) -> _Chunk:
        """The requests from `first` that fit one sendmsg, with their headers."""
        reqs = framed.requests
        # as many sequence numbers as the chunk can hold messages; those unused are given
        # back below
        base_seq = self.reserve_seqs(min(len(reqs) - first, max_bytes // NLMSG_HDRLEN + 1))
        extra = (NLM_F_REQUEST | (NLM_F_ECHO if framed.echo else 0)
                 | (NLM_F_ACK if framed.each else 0))
        pack = NLMSGHDR.pack
        parts: list[bytes] = []
        size = 0
        last = first
        for req in itertools.islice(reqs, first, None):  # one loop: 100k requests pass here
            payload = req.payload
            length = NLMSG_HDRLEN + len(payload)
            padding = -length & 3
            if last > first and size + length + padding > max_bytes:
                break
            size += length + padding
            parts.append(pack(length, req.type, req.flags | extra, base_seq + last - first, 0))
            parts.append(payload + _PADDING[padding] if padding else payload)
            last += 1
        self._next_seq = base_seq + last - first
        if not framed.each:  # the final request of the chunk asks for the ACK
            req = reqs[last - 1]
            parts[-2] = pack(NLMSG_HDRLEN + len(req.payload), req.type,
                             req.flags | extra | NLM_F_ACK, base_seq + last - 1 - first, 0)
        return _Chunk(b"".join(parts), first, last, base_seq)

    def _collect(self, reqs: list[Request], first: int, last: int, base_seq: int,
                 result: BatchResult, each: bool, echo: bool) -> None:
        count = last - first
        answered = [False] * count
        pending = count if each else 1
        final_seq = base_seq + count - 1
        try:
            while pending:
                received = self._recv(self.timeout)
                if received is None:
                    raise NetlinkTimeout(f"no reply to {count} request(s) within {self.timeout}s")
                data, groups = received
                for frame in iter_frames(data):
                    pos = frame[2] - base_seq
                    if groups:
                        # The kernel sends an echo as the notification's own skb, so it keeps
                        # the group mark; it is ours when it names our port and a pending seq.
                        if echo and frame[3] == self.port_id and 0 <= pos < count:
                            result.echoes.setdefault(first + pos, []).append(
                                decode_frame(data, frame, self.catalog))
                        else:
                            self._queue_event(data, frame)
                        continue
                    if not 0 <= pos < count:
                        log.debug("dropped stale message type %d seq %d", frame[0], frame[2])
                        continue
                    if frame[0] != NLMSG_ERROR:
                        if frame[0] >= 0x10:
                            result.echoes.setdefault(first + pos, []).append(
                                decode_frame(data, frame, self.catalog))
                        continue
                    reply = parse_error(data, frame[4], frame[5], frame[1], frame[2])
                    if reply.error:
                        result.errors[first + pos] = self._kernel_error(reply, reqs[first + pos])
                    if not answered[pos]:
                        answered[pos] = True
                        if each or frame[2] == final_seq:
                            pending -= 1
        except OverrunError:
            # Replies of this chunk may have been dropped: only explicit replies are known.
            result.unknown = [first + i for i in range(count) if not answered[i]]
            if not each:
                result.unknown = [first + i for i in range(count)
                                  if result.errors[first + i] is None]
            result.unsent = list(range(last, len(reqs)))
            raise BatchOverrunError(result) from None

    # ------------------------------------------------------------------ multicast

    def subscribe(self, *groups: int) -> None:
        """Join multicast groups by number (works for groups above 31 too)."""
        for group in groups:
            self._sock.setsockopt(SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, group)

    def unsubscribe(self, *groups: int) -> None:
        for group in groups:
            self._sock.setsockopt(SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, group)

    def events(self, timeout: float | None = None) -> Iterator[Message]:
        """Yield multicast notifications; stop when none arrives within `timeout` seconds
        (None: wait forever). Raises OverrunError when the kernel dropped events.

        Changes this socket made with NLM_F_ECHO come back as echoes, not as events."""
        while True:
            while self._events:
                yield self._events.popleft()
            if not self._wait_readable(timeout):
                return
            received = self._recv(0)
            if received is None:
                continue
            data, groups = received
            for frame in iter_frames(data):
                if groups:
                    self._queue_event(data, frame)
                else:
                    log.debug("dropped unsolicited unicast type %d seq %d", frame[0], frame[2])
