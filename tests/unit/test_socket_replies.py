"""How NetlinkSocket treats reply sequences, with scripted kernel replies (no kernel needed)."""

from __future__ import annotations

import errno
import struct
from collections.abc import Iterator

import pytest

from nlstate import rtnl
from nlstate.netlink import DumpInterruptedError, KernelError, NetlinkSocket
from nlstate.netlink.consts import (
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_DUMP_INTR,
    NLM_F_MULTI,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSG_NOOP,
)
from nlstate.netlink.errors import OverrunError
from nlstate.netlink.message import encode_message
from nlstate.rtnl import consts as c


class ScriptedSocket(NetlinkSocket):
    """A NetlinkSocket whose kernel side is a list of datagrams (bytes, multicast groups)."""

    def __init__(self, script: list[tuple[bytes, int] | Exception]) -> None:
        super().__init__(rtnl.CATALOG)
        self.port_id = 4242
        self.script = script
        self.sent: list[bytes] = []

    def send_raw(self, data: bytes) -> None:
        self.sent.append(data)

    def _recv(self, timeout: float | None) -> tuple[bytes, int] | None:
        if not self.script:
            return None
        item = self.script.pop(0)
        if isinstance(item, Exception):
            raise item
        return item


def link(name: str, seq: int, flags: int = NLM_F_MULTI) -> bytes:
    payload = rtnl.MESSAGES[c.RTM_NEWLINK][1].encode({"ifi-index": 3}, {"ifname": name})
    return encode_message(c.RTM_NEWLINK, flags, seq, payload)


def done(seq: int, code: int = 0, flags: int = NLM_F_MULTI) -> bytes:
    return encode_message(NLMSG_DONE, flags, seq, struct.pack("=i", code))


def error(seq: int, code: int, text: str = "") -> bytes:
    tlvs = b""
    flags = NLM_F_CAPPED
    if text:
        raw = text.encode() + b"\0"
        tlvs = struct.pack("=HH", 4 + len(raw), 1) + raw + b"\0" * (-len(raw) % 4)
        flags |= NLM_F_ACK_TLVS
    body = struct.pack("=i", -code) + struct.pack("=IHHII", 16, c.RTM_NEWLINK, 5, seq, 4242)
    return encode_message(NLMSG_ERROR, flags, seq, body + tlvs)


def dump_names(sock: ScriptedSocket) -> Iterator[str]:
    for message in sock.dump(rtnl.build_request(c.RTM_GETLINK)):
        yield message.attrs["ifname"]


@pytest.fixture
def scripted() -> Iterator[list[ScriptedSocket]]:
    made: list[ScriptedSocket] = []
    yield made
    for sock in made:
        sock.close()


def make(made: list[ScriptedSocket], script: list[tuple[bytes, int] | Exception],
         ) -> ScriptedSocket:
    sock = ScriptedSocket(script)
    made.append(sock)
    return sock


def test_dump_collects_parts_until_done_and_skips_noise(scripted: list[ScriptedSocket]) -> None:
    noop = encode_message(NLMSG_NOOP, 0, 1, b"")
    sock = make(scripted, [
        (link("a", 1) + link("b", 1), 0),
        (link("stale", 99), 0),  # another request's reply
        (link("event", 0, 0), 1),  # a multicast notification: queued, not part of the dump
        (noop + link("c", 1) + done(1), 0),
    ])
    assert list(dump_names(sock)) == ["a", "b", "c"]
    assert [m.attrs["ifname"] for m in sock.events(timeout=0)] == ["event"]


def test_dump_interrupted_is_reported_after_draining(scripted: list[ScriptedSocket]) -> None:
    sock = make(scripted, [
        (link("a", 1) + link("b", 1, NLM_F_MULTI | NLM_F_DUMP_INTR), 0),
        (done(1), 0),
        (link("next", 2, 0) + error(2, 0), 0),
    ])
    names: list[str] = []
    with pytest.raises(DumpInterruptedError):
        names.extend(dump_names(sock))
    assert names == ["a", "b"]
    assert done(1) not in [item[0] for item in sock.script if isinstance(item, tuple)]


def test_dump_done_with_an_error_raises_kernel_error(scripted: list[ScriptedSocket]) -> None:
    sock = make(scripted, [(link("a", 1) + done(1, -errno.EINVAL), 0)])
    with pytest.raises(KernelError) as caught:
        list(dump_names(sock))
    assert caught.value.errno == errno.EINVAL


def test_request_error_carries_extack_text(scripted: list[ScriptedSocket]) -> None:
    sock = make(scripted, [(error(1, errno.EEXIST, "File exists, really"), 0)])
    request = rtnl.build_request(c.RTM_NEWLINK, {}, {"ifname": "x"}, label="link x")
    with pytest.raises(KernelError) as caught:
        sock.request(request)
    assert caught.value.errno_name == "EEXIST"
    assert caught.value.ext_message == "File exists, really"
    assert caught.value.request is request
    assert "link x" in str(caught.value)


def test_batch_ack_last_puts_ack_only_on_each_chunk_end(scripted: list[ScriptedSocket]) -> None:
    requests = [rtnl.build_request(c.RTM_NEWLINK, {}, {"ifname": f"l{i}"}) for i in range(10)]
    size = len(encode_message(0, 0, 0, requests[0].payload))
    sock = make(scripted, [
        (error(3, errno.EEXIST) + error(5, 0), 0),  # chunk 1: seq 1..5, #3 fails
        (error(10, 0), 0),  # chunk 2: seq 6..10
    ])
    result = sock.batch(requests, ack="last", max_bytes=5 * size)
    assert result.failed == [2]
    assert len(sock.sent) == 2
    flags = [struct.unpack_from("=IHH", chunk, off)[2]
             for chunk in sock.sent for off in range(0, len(chunk), size)]
    assert [bool(f & 0x4) for f in flags] == [False] * 4 + [True] + [False] * 4 + [True]


def test_overrun_marks_unanswered_requests_unknown(scripted: list[ScriptedSocket]) -> None:
    from nlstate.netlink import BatchOverrunError

    requests = [rtnl.build_request(c.RTM_NEWLINK, {}, {"ifname": f"l{i}"}) for i in range(4)]
    sock = make(scripted, [(error(1, 0) + error(2, errno.EEXIST), 0), OverrunError()])
    with pytest.raises(BatchOverrunError) as caught:
        sock.batch(requests, ack="each")
    assert caught.value.result.unknown == [2, 3]
    assert caught.value.result.failed == [1]
    assert len(caught.value.unknown) == 2
