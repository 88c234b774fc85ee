"""Netlink messages: nlmsghdr framing, message specs, requests, and NLMSG_ERROR parsing."""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from .codec import Attrs, AttrSet, Struct, attr_path_at, decode_attrs, encode_attrs
from .consts import (
    DEL_FLAG_NAMES,
    GET_FLAG_NAMES,
    NEW_FLAG_NAMES,
    NLM_F_ACK_TLVS,
    NLM_F_CAPPED,
    NLMSG_HDRLEN,
    NLMSGERR_ATTR_COOKIE,
    NLMSGERR_ATTR_MISS_NEST,
    NLMSGERR_ATTR_MISS_TYPE,
    NLMSGERR_ATTR_MSG,
    NLMSGERR_ATTR_OFFS,
    align,
    flag_names,
)
from .errors import DecodeError, ExtAck

NLMSGHDR = struct.Struct("=IHHII")
Frame = tuple[int, int, int, int, int, int]  # type, flags, seq, pid, payload start, end
_ERRNO = struct.Struct("=i")


@dataclass(frozen=True)
class MessageSpec:
    """What a message type carries: its fixed header and its attribute set."""

    name: str
    header: Struct
    attrs: AttrSet

    def encode(self, header: Mapping[str, Any] | None = None,
               attrs: Mapping[str | int, Any] | None = None) -> bytes:
        """The payload (fixed header + attributes) of a message of this kind."""
        head = self.header.encode(header)
        if len(head) & 3:
            head += b"\0" * (align(len(head)) - len(head))
        return head + encode_attrs(attrs, self.attrs) if attrs else head

    def decode(self, data: bytes, offset: int, end: int) -> tuple[dict[str, Any], Attrs]:
        header = self.header.decode(data, offset, end)
        return header, decode_attrs(data, offset + align(self.header.size), end, self.attrs)


class Catalog:
    """Message type number -> (name, spec); how a socket decodes what it receives."""

    def __init__(self) -> None:
        self._by_type: dict[int, tuple[str, MessageSpec]] = {}

    def add(self, msg_type: int, name: str, spec: MessageSpec) -> None:
        self._by_type[msg_type] = (name, spec)

    def get(self, msg_type: int) -> tuple[str, MessageSpec] | None:
        return self._by_type.get(msg_type)

    def name(self, msg_type: int) -> str:
        entry = self._by_type.get(msg_type)
        return entry[0] if entry else f"type {msg_type}"


@dataclass(slots=True)
class Message:
    """A decoded message. `header`/`attrs` are empty when its type is not in the catalog;
    `payload` then holds the raw bytes after nlmsghdr."""

    type: int
    flags: int
    seq: int
    pid: int
    header: dict[str, Any]
    attrs: Attrs
    name: str = ""
    payload: bytes = b""


class Request(NamedTuple):
    """One request to send: type, flags (NLM_F_REQUEST is added), and encoded payload.

    `spec` lets a kernel error's bad-attribute offset be turned into an attribute path;
    `label` says in words what the request is for (shown in errors). A NamedTuple: plans
    build these by the hundred thousand.
    """

    type: int
    flags: int
    payload: bytes
    spec: MessageSpec | None = None
    label: str = ""
    name: str = ""

    def describe(self) -> str:
        what = self.name or (self.spec.name if self.spec else f"message type {self.type}")
        flags = ",".join(flag_names(self.flags, flag_context(what)))
        text = f"{what} [{flags}]" if flags else what
        return f"{text}: {self.label}" if self.label else text

    def attr_path(self, offset: int) -> list[str]:
        """Attribute path for an offset counted from the start of the nlmsghdr."""
        if self.spec is None:
            return []
        body = align(self.spec.header.size)
        if offset < NLMSG_HDRLEN + body:
            return [self.spec.header.name]
        return attr_path_at(self.payload, body, len(self.payload), self.spec.attrs,
                            offset - NLMSG_HDRLEN)


def flag_context(message_name: str) -> dict[int, str] | None:
    """Meaning of flag bits 0x100-0x800, by the request's kind (RTM_NEW*, RTM_DEL*, RTM_GET*)."""
    for marker, names in (("_NEW", NEW_FLAG_NAMES), ("_DEL", DEL_FLAG_NAMES),
                          ("_GET", GET_FLAG_NAMES)):
        if marker in message_name:
            return names
    return None


def encode_message(msg_type: int, flags: int, seq: int, payload: bytes, pid: int = 0) -> bytes:
    length = NLMSG_HDRLEN + len(payload)
    return NLMSGHDR.pack(length, msg_type, flags, seq, pid) + payload + b"\0" * (
        align(length) - length)


def iter_frames(data: bytes) -> Iterator[Frame]:
    """Split a receive buffer into (type, flags, seq, pid, payload start, payload end)."""
    return iter(split_frames(data))


def split_frames(data: bytes) -> list[Frame]:
    """The frames of a receive buffer as a list (built in one loop: the hot path of large
    dumps)."""
    frames: list[Frame] = []
    append = frames.append
    offset, total = 0, len(data)
    unpack = NLMSGHDR.unpack_from
    while offset + NLMSG_HDRLEN <= total:
        length, msg_type, flags, seq, pid = unpack(data, offset)
        if length < NLMSG_HDRLEN or offset + length > total:
            raise DecodeError(f"bad nlmsg_len {length} at offset {offset} of {total}")
        append((msg_type, flags, seq, pid, offset + NLMSG_HDRLEN, offset + length))
        offset += (length + 3) & ~3
    if offset < total and total - offset >= 4:
        raise DecodeError(f"{total - offset} trailing bytes after the last message")
    return frames


def decode_message(data: bytes, catalog: Catalog | None = None) -> Message:
    """Decode exactly one message (a whole buffer)."""
    frames = list(iter_frames(data))
    if len(frames) != 1:
        raise DecodeError(f"expected one message, found {len(frames)}")
    return decode_frame(data, frames[0], catalog)


def decode_frame(data: bytes, frame: Frame, catalog: Catalog | None) -> Message:
    msg_type, flags, seq, pid, start, end = frame
    entry = catalog.get(msg_type) if catalog else None
    if entry is None:
        return Message(msg_type, flags, seq, pid, {}, {}, "", data[start:end])
    name, spec = entry
    header, attrs = spec.decode(data, start, end)
    return Message(msg_type, flags, seq, pid, header, attrs, name)


@dataclass(frozen=True)
class ErrorReply:
    """An NLMSG_ERROR (ACK when error == 0) or the status of an NLMSG_DONE."""

    error: int  # 0 or a positive errno
    seq: int
    ext_ack: ExtAck
    echoed_type: int = 0


_EXTACK_SET = AttrSet("nlmsgerr-attrs", "nlmsgerr-attr-", [])


def parse_error(data: bytes, start: int, end: int, flags: int, seq: int, *,
                done: bool = False) -> ErrorReply:
    """Parse the payload of NLMSG_ERROR (or NLMSG_DONE, which carries only an int and TLVs)."""
    if end - start < 4:
        if done:
            return ErrorReply(0, seq, ExtAck())
        raise DecodeError("NLMSG_ERROR shorter than its error code")
    (code,) = _ERRNO.unpack_from(data, start)
    tlv_start = start + 4
    echoed_type = 0
    if not done:
        if end - tlv_start < NLMSG_HDRLEN:
            raise DecodeError("NLMSG_ERROR without the original header")
        orig_len, echoed_type = NLMSGHDR.unpack_from(data, tlv_start)[:2]
        tlv_start += NLMSG_HDRLEN if flags & NLM_F_CAPPED else align(orig_len)
    ext = ExtAck()
    if flags & NLM_F_ACK_TLVS and tlv_start < end:
        ext = _parse_ext_ack(data, tlv_start, end)
    return ErrorReply(-code if code < 0 else code, seq, ext, echoed_type)


def _parse_ext_ack(data: bytes, start: int, end: int) -> ExtAck:
    raw = decode_attrs(data, start, end, _EXTACK_SET)
    msg = raw.get(NLMSGERR_ATTR_MSG)
    offs = raw.get(NLMSGERR_ATTR_OFFS)
    miss_type = raw.get(NLMSGERR_ATTR_MISS_TYPE)
    miss_nest = raw.get(NLMSGERR_ATTR_MISS_NEST)
    cookie = raw.get(NLMSGERR_ATTR_COOKIE)
    return ExtAck(
        message=bytes(msg).rstrip(b"\0").decode("utf-8", "replace") if msg else None,
        offset=int.from_bytes(offs, "little") if offs and len(offs) == 4 else None,
        cookie=bytes(cookie) if cookie else None,
        missing_type=int.from_bytes(miss_type, "little") if miss_type else None,
        missing_nest=int.from_bytes(miss_nest, "little") if miss_nest else None,
    )
