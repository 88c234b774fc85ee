"""Robustness of the decoders: whatever bytes arrive, they decode or raise DecodeError.

Never IndexError, struct.error, UnicodeDecodeError, RecursionError, a hang, ... Inputs are
random bytes and mutations (bit flips, truncations, corrupted length fields, splices,
insertions) of well-formed messages: built here with build_request (so the test runs anywhere)
and, when ../shared is present, real kernel messages from ../shared/captures.
"""

from __future__ import annotations

import signal
import struct
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nlstate.netlink.codec import AttrSet
from nlstate.netlink.consts import (
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLM_F_MULTI,
    NLMSG_DONE,
    NLMSG_ERROR,
    NLMSGERR_ATTR_MISS_TYPE,
    NLMSGERR_ATTR_MSG,
    NLMSGERR_ATTR_OFFS,
)
from nlstate.netlink.errors import DecodeError, EncodeError
from nlstate.netlink.message import (
    MessageSpec,
    Request,
    decode_frame,
    decode_message,
    encode_message,
    iter_frames,
    parse_error,
)
from nlstate.rtnl import CATALOG, MESSAGES, build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.link import LINKINFO_ATTRS
from nlstate.rtnl.route import METRICS, ROUTE_ATTRS

FUZZ = settings(max_examples=2000, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# the capture seeds come from the function-scoped shared_dir fixture, which does not change
FUZZ_CAPTURES = settings(FUZZ, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture])
TIME_LIMIT = 5.0  # seconds for one input; a decoder that loops forever fails instead of hanging

SPECS: list[MessageSpec] = list({id(spec): spec for _, spec in MESSAGES.values()}.values())
ATTR_SETS: list[AttrSet] = [
    *{id(spec.attrs): spec.attrs for spec in SPECS}.values(), LINKINFO_ATTRS, METRICS]


# --------------------------------------------------------------------------- seeds


def tlv(number: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("=HH", length, number) + payload + b"\0" * (-length % 4)


def message(req: Request, seq: int = 1, flags: int = 0) -> bytes:
    return encode_message(req.type, req.flags | flags, seq, req.payload)


def built_seeds() -> list[bytes]:
    link = build_request(
        rc.RTM_NEWLINK, {"ifi-index": 7, "ifi-flags": 0x1043},
        {"ifname": "veth0", "mtu": 1500, "address": "02:00:5e:10:00:01", "txqlen": 1000,
         "operstate": 6, "linkinfo": {"kind": "dummy"},
         "prop-list": {"alt-ifname": ["alt0", "alternative-name-1"]}, 250: b"\1\2\3"})
    link_raw_data = build_request(
        rc.RTM_NEWLINK, {}, {"ifname": "vx0", "linkinfo": {
            "kind": "no-such-kind", "data": tlv(1, b"\x2a\0\0\0") + tlv(0x8002, tlv(1, b"x"))}})
    addr4 = build_request(
        rc.RTM_NEWADDR, {"ifa-family": rc.AF_INET, "ifa-prefixlen": 24, "ifa-index": 7},
        {"address": "192.0.2.1", "local": "192.0.2.1", "label": "veth0", "flags": 0x80,
         "cacheinfo": {"ifa-prefered": 0xFFFFFFFF, "ifa-valid": 0xFFFFFFFF, "cstamp": 5,
                       "tstamp": 6}})
    addr6 = build_request(
        rc.RTM_NEWADDR, {"ifa-family": rc.AF_INET6, "ifa-prefixlen": 64, "ifa-index": 7},
        {"address": "2001:db8::1", "flags": 0x200})
    route = build_request(
        rc.RTM_NEWROUTE, {"rtm-family": rc.AF_INET, "rtm-dst-len": 16, "rtm-table": 100,
                          "rtm-protocol": 4, "rtm-type": 1},
        {"dst": "10.1.0.0", "gateway": "10.0.0.2", "table": 100, "priority": 20,
         "metrics": {"mtu": 1400, "cc-algo": "bbr"}, "flowlabel": 5,
         "via": {"family": rc.AF_INET6, "address": "fe80::1"}})
    multipath = build_request(
        rc.RTM_NEWROUTE, {"rtm-family": rc.AF_INET6, "rtm-dst-len": 64},
        {"dst": "2001:db8:1::", "multipath": [
            {"ifindex": 2, "hops": 0, "attrs": {"gateway": "fe80::1"}},
            {"ifindex": 3, "flags": 4, "hops": 1, "attrs": {
                "gateway": "fe80::2", 9: b"\x08\x00\x00\x00\x04\x00\x00\x00"}}]})
    request = message(link)
    ack = encode_message(NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 1,
                         struct.pack("=i", -22) + request[:16]
                         + tlv(NLMSGERR_ATTR_MSG, b"Invalid argument\0")
                         + tlv(NLMSGERR_ATTR_OFFS, struct.pack("=I", 44))
                         + tlv(NLMSGERR_ATTR_MISS_TYPE, struct.pack("=I", 3)))
    full_error = encode_message(NLMSG_ERROR, NLM_F_ACK_TLVS, 1, struct.pack("=i", -1) + request
                                + tlv(NLMSGERR_ATTR_MSG, b"no\0"))
    done = encode_message(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS, 2,
                          struct.pack("=i", 0) + tlv(NLMSGERR_ATTR_MSG, b"done\0"))
    dump = (message(link, 2, NLM_F_MULTI) + message(addr4, 2, NLM_F_MULTI)
            + message(multipath, 2, NLM_F_MULTI) + done)
    return [request, message(link_raw_data), message(addr4), message(addr6), message(route),
            message(multipath), ack, full_error, done, dump]


SEEDS = built_seeds()


def capture_seeds(shared_dir: Path) -> list[bytes]:
    """Every message, and every whole pcap record, of the captures."""
    root = shared_dir / "captures"
    if not root.is_dir():
        pytest.skip(f"no captures in {shared_dir}")
    buffers: list[bytes] = []
    pcap = (root / "pyroute2" / "nl0.pcap").read_bytes()
    offset = 24
    while offset < len(pcap):
        incl_len = struct.unpack_from("<I", pcap, offset + 8)[0]
        buffers.append(pcap[offset + 32 : offset + 16 + incl_len])  # after the cooked header
        offset += 16 + incl_len
    buffers.append((root / "iproute2" / "dev_wo_vf_rate.nl").read_bytes())
    seeds = list(buffers)
    for buf in buffers:
        seeds += [buf[start - 16 : end] for *_, start, end in iter_frames(buf)]
    addr = (root / "pyroute2" / "addrmsg_ipv4.dump").read_text().split("#: application")[0]
    seeds += [bytes.fromhex(line.replace(":", "")) for line in addr.splitlines()
              if line.strip() and not line.startswith("#")]
    return seeds


# --------------------------------------------------------------------------- mutations

INTERESTING = [0, 1, 2, 3, 4, 5, 7, 8, 12, 15, 16, 17, 20, 0x7FFF, 0x8000, 0xFFFF]


@st.composite
def mutated(draw: st.DrawFn, seeds: list[bytes]) -> bytes:
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "len16", "len32", "splice", "insert",
                                   "delete", "byte"]))
        if not data:
            data += draw(st.binary(min_size=1, max_size=32))
            continue
        at = draw(st.integers(0, len(data) - 1))
        if op == "flip":
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "byte":
            data[at] = draw(st.integers(0, 255))
        elif op == "truncate":
            del data[at:]
        elif op in ("len16", "len32"):
            # a corrupted nla_len (u16 at an aligned offset) or nlmsg_len (u32)
            at &= ~3
            size = 2 if op == "len16" else 4
            if at + size <= len(data):
                value = draw(st.sampled_from(INTERESTING) | st.integers(0, 2 ** (8 * size) - 1)
                             | st.just(len(data) - at) | st.just(len(data) - at + 4))
                data[at : at + size] = (value % 2 ** (8 * size)).to_bytes(size, "little")
        elif op == "splice":
            other = draw(st.sampled_from(seeds))
            data = data[:at] + other[draw(st.integers(0, len(other))):]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        else:
            del data[at : at + draw(st.integers(1, 16))]
    return bytes(data)


# --------------------------------------------------------------------------- the check


class Hang(Exception):
    """A decoder ran longer than TIME_LIMIT on one input."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    def fire(_signum: int, _frame: FrameType | None) -> None:
        raise Hang(f"decoding took more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


tolerated = suppress(DecodeError)  # the only accepted failure; reusable as a context manager


def check(data: bytes) -> None:
    """Every decoder on `data`: each must succeed or raise DecodeError."""
    with time_limit(TIME_LIMIT):
        with tolerated:
            decode_message(data, CATALOG)
        with tolerated:
            decode_message(data)
        check_frames(data)
        body = data[16:] if len(data) >= 16 else data
        for spec in SPECS:  # every message layout, whatever the type field says
            with tolerated:
                spec.decode(body, 0, len(body))
        for aset in ATTR_SETS:
            with tolerated:
                aset.decode(data)
            with tolerated:
                aset.decode(body)


def check_frames(data: bytes) -> None:
    """The frames of `data`, decoded with the catalog (and NLMSG_ERROR/DONE parsed)."""
    frames = []
    with tolerated:
        for frame in iter_frames(data):
            frames.append(frame)
    for frame in frames:
        msg_type, flags, seq, _pid, start, end = frame
        with tolerated:
            decode_frame(data, frame, CATALOG)
        if msg_type in (NLMSG_ERROR, NLMSG_DONE):
            with tolerated:
                parse_error(data, start, end, flags, seq, done=msg_type == NLMSG_DONE)


# --------------------------------------------------------------------------- properties


def test_seeds_are_well_formed() -> None:
    """The built seeds decode without error: mutations start from valid messages."""
    for seed in SEEDS:
        for frame in iter_frames(seed):
            decode_frame(seed, frame, CATALOG)
    assert len(SEEDS) == 10


@FUZZ
@given(st.binary(max_size=512))
def test_random_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.binary(min_size=16, max_size=128).map(
    lambda b: struct.pack("=I", len(b)) + b[4:]))  # a plausible nlmsg_len
def test_random_bytes_with_a_valid_length(data: bytes) -> None:
    check(data)


@FUZZ
@given(mutated(SEEDS))
def test_mutated_built_messages(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.sampled_from(SEEDS), st.data())
def test_mutated_attributes(seed: bytes, data: st.DataObject) -> None:
    """Mutations of an attribute area alone, decoded by every attribute set."""
    frame = next(iter_frames(seed))
    attrs = seed[frame[4] : frame[5]]
    blob = data.draw(mutated([attrs[8:], attrs[12:], attrs[16:]]))
    with time_limit(TIME_LIMIT):
        for aset in ATTR_SETS:
            with tolerated:
                aset.decode(blob)


@FUZZ_CAPTURES
@given(data=st.data())
def test_mutated_capture_messages(shared_dir: Path, data: st.DataObject) -> None:
    check(data.draw(mutated(capture_seeds_cached(shared_dir))))


_CAPTURE_SEEDS: dict[Path, list[bytes]] = {}


def capture_seeds_cached(shared_dir: Path) -> list[bytes]:
    if shared_dir not in _CAPTURE_SEEDS:
        _CAPTURE_SEEDS[shared_dir] = capture_seeds(shared_dir)
    return _CAPTURE_SEEDS[shared_dir]


@FUZZ
@given(mutated(SEEDS))
def test_decode_encode_decode_is_stable(data: bytes) -> None:
    """Whatever a (mutated) message decodes to re-encodes to bytes that decode the same, or
    is refused with EncodeError (e.g. a u8 the lenient decoder read from 8 bytes)."""
    try:
        frames = list(iter_frames(data))
    except DecodeError:
        return
    for frame in frames:
        entry = CATALOG.get(frame[0])
        if entry is None:
            continue
        try:
            msg = decode_frame(data, frame, CATALOG)
            payload = entry[1].encode(msg.header, msg.attrs)
        except (DecodeError, EncodeError):
            continue
        assert entry[1].decode(payload, 0, len(payload)) == (msg.header, msg.attrs)


# --------------------------------------------------------------------------- systematic sweeps


def tlv_headers(data: bytes, start: int, end: int) -> list[int]:
    """Offsets of the attribute headers in data[start:end] and, recursively, in every payload
    that itself parses exactly as a chain of attributes (nests)."""
    offsets: list[int] = []
    offset = start
    while offset + 4 <= end:
        length = struct.unpack_from("=H", data, offset)[0]
        if length < 4 or offset + length > end:
            return []
        offsets.append(offset)
        offset += (length + 3) & ~3
    if offset < end:
        return []
    nested = [tlv_headers(data, o + 4, o + struct.unpack_from("=H", data, o)[0]) for o in offsets]
    return offsets + [o for inner in nested for o in inner]


def attribute_variants(buf: bytes, start: int, end: int) -> Iterator[bytes]:
    """`buf` with one attribute's nla_len set to each shorter (and a longer) value, or its
    nla_type given NLA_F_NESTED / NLA_F_NET_BYTEORDER / another number."""
    for at in tlv_headers(buf, start, end):
        length, atype = struct.unpack_from("=HH", buf, at)
        for new_length in sorted({*range(min(length, 9)), length - 2, length - 1, length + 4}):
            out = bytearray(buf)
            struct.pack_into("=H", out, at, max(new_length, 0))
            yield bytes(out)
        for new_type in (atype ^ 0x8000, atype ^ 0x4000, atype + 1, 0):
            out = bytearray(buf)
            struct.pack_into("=H", out, at + 2, new_type & 0xFFFF)
            yield bytes(out)


def sweep(seeds: list[bytes]) -> int:
    """Decode every attribute variant of every catalogued message of `seeds`; count them."""
    count = 0
    for seed in seeds:
        for frame in iter_frames(seed):
            entry = CATALOG.get(frame[0])
            if entry is None or frame[5] - frame[4] < entry[1].header.size:
                continue
            start = frame[4] + ((entry[1].header.size + 3) & ~3)
            with time_limit(TIME_LIMIT):
                for variant in attribute_variants(seed, start, frame[5]):
                    with tolerated:
                        decode_frame(variant, frame, CATALOG)
                    count += 1
    return count


def test_every_attribute_of_the_built_seeds_shortened_or_retyped() -> None:
    assert sweep(SEEDS) > 500


def test_every_attribute_of_the_captures_shortened_or_retyped(shared_dir: Path) -> None:
    assert sweep(capture_seeds_cached(shared_dir)) > 10000


def test_every_byte_of_the_built_seeds_replaced() -> None:
    for seed in SEEDS:
        with time_limit(TIME_LIMIT):
            for at in range(len(seed)):
                for value in (0x00, 0x01, 0x04, 0x80, 0xFF):
                    variant = bytearray(seed)
                    variant[at] = value
                    check_frames(bytes(variant))


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(SEEDS[:6]), st.integers(-8, 400))
def test_attr_path_never_raises(seed: bytes, offset: int) -> None:
    """An ext-ack offset is the kernel's word: any value gives a path (maybe empty), and the
    start of each top-level attribute (where the kernel points) names that attribute."""
    msg_type = struct.unpack_from("=H", seed, 4)[0]
    name, spec = MESSAGES[msg_type]
    req = Request(msg_type, 0, seed[16:], spec, name=name)
    assert isinstance(req.attr_path(offset), list)
    start = 16 + spec.header.size
    while start < len(seed):
        number = struct.unpack_from("=H", seed, start + 2)[0] & 0x3FFF
        path = req.attr_path(start)
        assert len(path) == 1 and path[0].endswith(
            spec.attrs.by_number[number].cname if number in spec.attrs.by_number
            else str(number))
        start += (struct.unpack_from("=H", seed, start)[0] + 3) & ~3


def test_captures_decode_cleanly(shared_dir: Path) -> None:
    """The unmutated capture seeds themselves pass the check (and exist)."""
    seeds = capture_seeds_cached(shared_dir)
    assert len(seeds) > 50
    for seed in seeds:
        check(seed)


def nested_multipath(depth: int) -> bytes:
    """RTA_MULTIPATH whose hop carries an RTA_MULTIPATH whose hop carries ... (12 bytes/level)."""
    inner = b""
    for _ in range(depth):
        hop = struct.pack("=HBBi", 8 + len(inner), 0, 0, 1) + inner
        inner = struct.pack("=HH", 4 + len(hop), 9) + hop
    return inner


def test_multipath_inside_a_hop_is_kept_raw() -> None:
    hop = ROUTE_ATTRS.decode(nested_multipath(3))["multipath"][0]
    assert isinstance(hop["attrs"][9], bytes)  # RTA_MULTIPATH is not a hop attribute


def test_deeply_nested_multipath_does_not_recurse() -> None:
    wire = nested_multipath(2000)
    assert len(wire) < 0xFFFF
    msg = encode_message(rc.RTM_NEWROUTE, 0, 0, b"\0" * 12 + wire)
    decoded = decode_message(msg, CATALOG)
    assert isinstance(decoded.attrs["multipath"][0]["attrs"][9], bytes)
