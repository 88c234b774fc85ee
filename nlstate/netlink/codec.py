"""Netlink attribute (TLV) and fixed-struct codec, driven by declarative tables.

A table is data: a `Struct` (fixed header such as ifinfomsg) or an `AttrSet` (attributes
such as IFLA_*), with names as in the kernel's YNL specs. Decoding gives plain dicts keyed
by those names; attributes a table does not know are kept as raw bytes keyed by their
number, so decoding never fails on a newer kernel and re-encoding gives the same bytes.
"""

from __future__ import annotations

import contextlib
import copy
import socket
import struct
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .consts import NLA_F_NESTED, NLA_TYPE_MASK, align
from .errors import DecodeError, EncodeError

Attrs = dict[str | int, Any]
Decoder = Callable[[bytes, Attrs], Any]
Encoder = Callable[[Any, Mapping[str | int, Any]], bytes]

_NLA = struct.Struct("=HH")
_INT_FORMATS = {
    "u8": "B", "u16": "H", "u32": "I", "u64": "Q",
    "s8": "b", "s16": "h", "s32": "i", "s64": "q",
}  # fmt: skip
SCALAR_TYPES = frozenset(_INT_FORMATS)


# --------------------------------------------------------------------------- structs


@dataclass(frozen=True)
class Member:
    """One field of a fixed struct; `type` is a scalar name or "pad"/"binary" with `length`."""

    name: str
    type: str
    length: int = 0
    byte_order: str = "host"


class Struct:
    """A fixed C struct (ifinfomsg, rtmsg, ...) decoded to and from a dict of its members."""

    def __init__(self, name: str, members: Sequence[Member]) -> None:
        self.name = name
        self.members = tuple(members)
        fmt = "="
        names: list[str] = []
        for m in self.members:
            if m.type in _INT_FORMATS:
                code = _INT_FORMATS[m.type]
                if m.byte_order == "big":
                    raise ValueError(f"{name}.{m.name}: big-endian struct members unsupported")
                fmt += code
                names.append(m.name)
            elif m.type == "pad":
                fmt += f"{m.length}x"
            elif m.type == "binary":
                fmt += f"{m.length}s"
                names.append(m.name)
            else:
                raise ValueError(f"{name}.{m.name}: unknown member type {m.type!r}")
        self._struct = struct.Struct(fmt)
        self._names = tuple(names)
        self._name_set = frozenset(names)
        self._defaults = tuple(
            b"\0" * m.length if m.type == "binary" else 0 for m in self.members if m.type != "pad"
        )
        self.size = self._struct.size

    def decode(self, data: bytes, offset: int = 0, end: int | None = None) -> dict[str, Any]:
        available = (len(data) if end is None else end) - offset
        if available < self.size:
            raise DecodeError(f"{self.name}: need {self.size} bytes, have {available}")
        return dict(zip(self._names, self._struct.unpack_from(data, offset), strict=True))

    def encode(self, values: Mapping[str, Any] | None = None) -> bytes:
        values = values or {}
        if not values.keys() <= self._name_set:
            unknown = sorted(set(values) - self._name_set)
            raise EncodeError(f"{self.name}: no member(s) {unknown}")
        try:
            return self._struct.pack(*map(values.get, self._names, self._defaults))
        except struct.error as exc:
            raise EncodeError(f"{self.name}: {exc} (values {dict(values)})") from exc


# --------------------------------------------------------------------------- attributes


@dataclass
class Attr:
    """One attribute of a set.

    type: u8..u64, s8..s64, uint/sint (4 or 8 bytes), string, binary, flag, pad, ipaddr (4 or
    16 bytes shown as text),
    mac (shown as aa:bb:..), struct (a fixed struct), nest (a nested set), indexed-array
    (a nest whose entries are numbered 1..n, decoded to a list), sub-message (a nest whose
    set is chosen by the value of a sibling attribute), or custom (own decode/encode).
    """

    name: str
    type: str
    byte_order: str = "host"
    nested: AttrSet | None = None
    struct: Struct | None = None
    sub_message: SubMessage | None = None
    entry: Attr | None = None  # element type of an indexed-array
    multi: bool = False  # may appear several times: decoded to a list
    nested_flag: bool = False  # set NLA_F_NESTED when encoding
    decode_fn: Decoder | None = None  # for type "custom": (payload, siblings) -> value
    encode_fn: Encoder | None = None  # for type "custom": (value, siblings) -> payload
    number: int = 0  # given by the AttrSet
    cname: str = ""  # e.g. IFLA_IFNAME, given by the AttrSet

    _dec: Decoder | None = field(default=None, repr=False, compare=False)
    _enc: Encoder | None = field(default=None, repr=False, compare=False)
    _tlv: Encoder | None = field(default=None, repr=False, compare=False)

    def decode(self, payload: bytes, siblings: Attrs) -> Any:
        if self._dec is None:
            self._dec = _decoder_for(self)
        return self._dec(payload, siblings)

    def encode(self, value: Any, siblings: Mapping[str | int, Any]) -> bytes:
        """The payload of one value."""
        if self._enc is None:
            self._enc = _encoder_for(self)
        return self._guarded(self._enc, value, siblings)

    def tlv(self, value: Any, siblings: Mapping[str | int, Any]) -> bytes:
        """The whole TLV of one value: header, payload and padding."""
        if self._tlv is None:
            self._tlv = _tlv_encoder_for(self)
        return self._guarded(self._tlv, value, siblings)

    def _guarded(self, encoder: Encoder, value: Any, siblings: Mapping[str | int, Any],
                 ) -> bytes:
        try:
            return encoder(value, siblings)
        except EncodeError:
            raise
        except (struct.error, ValueError, TypeError, OSError, AttributeError, KeyError,
                OverflowError) as exc:
            raise EncodeError(f"{self.cname or self.name}: cannot encode {value!r}: {exc}") from exc


@dataclass
class SubMessage:
    """IFLA_INFO_DATA-style payload: the set is chosen by the sibling `selector`'s value."""

    selector: str
    sets: dict[str, AttrSet] = field(default_factory=dict)
    structs: dict[str, Struct] = field(default_factory=dict)

    def resolve(self, siblings: Mapping[str | int, Any]) -> AttrSet | Struct | None:
        key = siblings.get(self.selector)
        if not isinstance(key, str):
            return None
        return self.sets.get(key) or self.structs.get(key)


class AttrSet:
    """A numbered set of attributes (IFLA_*, RTA_*, ...). Numbers count from `start` in order,
    like the kernel's specs; an entry may also be given as (number, Attr)."""

    def __init__(self, name: str, prefix: str, attrs: Iterable[Attr | tuple[int, Attr]],
                 start: int = 1) -> None:
        self.name = name
        self.prefix = prefix
        self.by_number: dict[int, Attr] = {}
        self.by_name: dict[str, Attr] = {}
        number = start
        for item in attrs:
            if isinstance(item, tuple):
                number, attr = item
            else:
                attr = item
            attr.number = number
            attr.cname = (prefix + attr.name).upper().replace("-", "_")
            self.by_number[number] = attr
            self.by_name[attr.name] = attr
            number += 1
        self._compiled: dict[int, tuple[str, Decoder, bool]] | None = None
        self._tlv_compiled: dict[str | int, tuple[Attr, Encoder, int]] | None = None
        self._layouts: dict[int, list[_Layout]] | None = None  # see learning_layouts()

    def __getitem__(self, name: str) -> Attr:
        return self.by_name[name]

    def skipping(self, *names: str) -> AttrSet:
        """This set, but decoding leaves out the named attributes: for readers of large
        dumps that do not need them (a link's af-spec is a third of its decoding)."""
        skipped = {self.by_name[name].number for name in names}
        return self._decoding_without(skipped)

    def only(self, *names: str) -> AttrSet:
        """This set, but decoding keeps the named attributes only (others known to the set
        are left out; unknown ones come raw, as always)."""
        kept = {self.by_name[name].number for name in names}
        return self._decoding_without(set(self.by_number) - kept)

    def decoding(self, name: str, inner: AttrSet | SubMessage) -> AttrSet:
        """This set, but decoding attribute `name` (a nest or a sub-message) with `inner`
        instead of its own table: a reader's narrower view of what is inside it."""
        attr = self.by_name[name]
        view = copy.copy(self)
        view._compiled = {**self.decoders(),
                          attr.number: (attr.name, _inner_decoder(inner), attr.multi)}
        return view

    def learning_layouts(self) -> AttrSet:
        """This set, but decoding learns the layouts of the blocks it decodes: where each
        attribute is, for a block of a given length. A next block of that length whose
        attribute headers are all where the layout says (checked in one C call) is decoded
        from the layout, without walking its attributes one by one. For large dumps of
        messages that come in a few shapes and have many attributes, most of them not
        decoded (a link has some seventy; observe reads seven)."""
        view = copy.copy(self)
        view._layouts = {}
        return view

    def _decoding_without(self, skipped: set[int]) -> AttrSet:
        view = copy.copy(self)
        view._compiled = {number: entry for number, entry in self.decoders().items()
                          if number not in skipped}
        return view

    def decoders(self) -> dict[int, tuple[str, Decoder, bool]]:
        """number -> (name, decode function, multi); compiled once, used on the hot path."""
        if self._compiled is None:
            compiled: dict[int, tuple[str, Decoder, bool]] = {}
            for number, attr in self.by_number.items():
                if attr.type != "pad":
                    if attr._dec is None:
                        attr._dec = _decoder_for(attr)
                    compiled[number] = (attr.name, attr._dec, attr.multi)
            self._compiled = compiled
        return self._compiled

    def tlv_encoders(self) -> dict[str | int, tuple[Attr, Encoder, int]]:
        """name -> (attr, whole-TLV encoder, plain/flag/multi); compiled once."""
        if self._tlv_compiled is None:
            compiled: dict[str | int, tuple[Attr, Encoder, int]] = {}
            for name, attr in self.by_name.items():
                if attr._tlv is None:
                    attr._tlv = _tlv_encoder_for(attr)
                mode = _MULTI if attr.multi else _FLAG if attr.type == "flag" else _PLAIN
                compiled[name] = (attr, attr._tlv, mode)
            self._tlv_compiled = compiled
        return self._tlv_compiled

    def decode(self, data: bytes, offset: int = 0, end: int | None = None) -> Attrs:
        return decode_attrs(data, offset, len(data) if end is None else end, self)

    def encode(self, attrs: Mapping[str | int, Any]) -> bytes:
        return encode_attrs(attrs, self)


def decode_attrs(data: bytes, offset: int, end: int, aset: AttrSet) -> Attrs:
    """Decode the attributes in data[offset:end] with `aset`."""
    if aset._layouts is not None:
        return _decode_by_layout(data, offset, end, aset, aset._layouts)
    return _decode_walking(data, offset, end, aset)


def _decode_walking(data: bytes, offset: int, end: int, aset: AttrSet) -> Attrs:
    """decode_attrs, attribute by attribute."""
    out: Attrs = {}
    table = aset.decoders()
    unpack = _NLA.unpack_from
    if end > len(data):
        raise DecodeError(f"{aset.name}: attributes run past the end of the message")
    while offset + 4 <= end:
        alen, atype = unpack(data, offset)
        if alen < 4 or offset + alen > end:
            raise DecodeError(f"{aset.name}: bad attribute length {alen} at offset {offset}")
        number = atype & NLA_TYPE_MASK
        entry = table.get(number)
        if entry is None:
            if number not in aset.by_number:  # pad and skipped attributes are dropped
                out[atype] = data[offset + 4 : offset + alen]  # raw type: NLA_F_* survive
        else:
            _put(out, entry[0], entry[1], entry[2], data[offset + 4 : offset + alen], aset)
        offset += (alen + 3) & ~3  # align(alen), inline: 200k attributes per 3000 links
    if offset < end and end - offset >= 4:
        raise DecodeError(f"{aset.name}: {end - offset} trailing bytes")
    return out


# a set learns layouts of at most this many lengths, and this many of one length (a dump of
# links of more shapes decodes the others by walking, as without layouts)
MAX_LAYOUT_LENGTHS = 256
MAX_LAYOUTS_PER_LENGTH = 4


class _Layout:
    """Where the attributes of one block are, relative to its start: `headers` unpacks the
    (length, type) of each in one call, `expected` is what it gave for the block learned
    from, and `fields` says what to take: (start, end, key, decoder or None for raw bytes,
    multi). A block of the same length whose headers unpack to `expected` decodes like the
    learned one: a walk through its attributes would stop at the same places."""

    __slots__ = ("expected", "fields", "headers")

    def __init__(self, data: bytes, offset: int, end: int, aset: AttrSet) -> None:
        table = aset.decoders()
        fmt = "="
        expected: list[int] = []
        fields: list[tuple[int, int, str | int, Decoder | None, bool]] = []
        position = read = offset  # read: the end of the last header the format reads
        while position + 4 <= end:
            length, atype = _NLA.unpack_from(data, position)
            fmt += f"{position - read}xHH"
            read = position + 4
            expected += (length, atype)
            start, stop = position - offset + 4, position - offset + length
            number = atype & NLA_TYPE_MASK
            entry = table.get(number)
            if entry is not None:
                fields.append((start, stop, entry[0], entry[1], entry[2]))
            elif number not in aset.by_number:  # as _decode_walking: unknown ones raw
                fields.append((start, stop, atype, None, False))
            position += (length + 3) & ~3
        self.headers = struct.Struct(fmt)
        self.expected = tuple(expected)
        self.fields = fields


def _decode_by_layout(data: bytes, offset: int, end: int, aset: AttrSet,
                      layouts: dict[int, list[_Layout]]) -> Attrs:
    """decode_attrs by a learned layout of blocks of this length, else by walking (and the
    block's layout learned)."""
    size = end - offset
    shapes = layouts.get(size)
    if shapes is not None and end <= len(data):
        for layout in shapes:
            if layout.headers.unpack_from(data, offset) == layout.expected:
                return _take(data, offset, layout.fields, aset)
    out = _decode_walking(data, offset, end, aset)  # checks the block as it goes
    if len(layouts) < MAX_LAYOUT_LENGTHS and len(shapes or ()) < MAX_LAYOUTS_PER_LENGTH:
        layouts.setdefault(size, []).append(_Layout(data, offset, end, aset))
    return out


def _take(data: bytes, offset: int, fields: list[tuple[int, int, str | int, Decoder | None,
                                                       bool]], aset: AttrSet) -> Attrs:
    out: Attrs = {}
    for start, stop, key, dec, multi in fields:
        payload = data[offset + start:offset + stop]
        if dec is None:
            out[key] = payload
        else:
            _put(out, key, dec, multi, payload, aset)
    return out


def _put(out: Attrs, name: str | int, dec: Decoder, multi: bool, payload: bytes,
         aset: AttrSet) -> None:
    """Decode one attribute's payload into `out` (which its decoder sees: a sub-message
    picks its table by a sibling decoded before it)."""
    try:
        value = dec(payload, out)
    except DecodeError:
        raise
    except (struct.error, ValueError, UnicodeDecodeError, IndexError, KeyError) as exc:
        raise DecodeError(f"{aset.name}.{name}: {exc}") from exc
    if multi:
        out.setdefault(name, []).append(value)
    else:
        out[name] = value


def encode_attr(number: int, payload: bytes, nested: bool = False) -> bytes:
    """One TLV: header, payload, padding to four bytes. `number` may carry NLA_F_* bits."""
    length = 4 + len(payload)
    if length > 0xFFFF:
        raise EncodeError(f"attribute {number}: payload of {len(payload)} bytes is too long")
    pad = align(length) - length
    atype = number | NLA_F_NESTED if nested else number
    return _NLA.pack(length, atype) + payload + b"\0" * pad


_PLAIN, _FLAG, _MULTI = 0, 1, 2


def encode_attrs(attrs: Mapping[str | int, Any], aset: AttrSet) -> bytes:
    parts: list[bytes] = []
    append = parts.append
    encoders = aset.tlv_encoders()
    attr: Attr | None = None
    value: Any = None
    try:
        for key, value in attrs.items():
            entry = encoders.get(key)
            if entry is None:
                if isinstance(key, int):  # not in the table: raw bytes, type kept as it was
                    append(encode_attr(key, bytes(value)))
                    continue
                raise EncodeError(f"{aset.name}: no attribute {key!r}")
            attr, tlv, mode = entry
            if mode == _PLAIN:
                append(tlv(value, attrs))
            elif mode == _FLAG:
                if value:  # a flag is sent only when set
                    append(tlv(value, attrs))
            else:
                if not isinstance(value, list | tuple):
                    raise EncodeError(
                        f"{attr.cname}: repeated attribute needs a list, got {value!r}")
                parts.extend(tlv(v, attrs) for v in value)
    except EncodeError:
        raise
    except (struct.error, ValueError, TypeError, OSError, AttributeError, KeyError,
            OverflowError) as exc:
        name = attr.cname if attr is not None else aset.name
        raise EncodeError(f"{name}: cannot encode {value!r}: {exc}") from exc
    return b"".join(parts)


def attr_path_at(data: bytes, offset: int, end: int, aset: AttrSet | None, target: int,
                 ) -> list[str]:
    """Names of the attributes, outermost first, whose TLV header starts at or contains `target`.

    Turns the byte offset of an extended ACK into a path like IFLA_LINKINFO/IFLA_INFO_DATA.
    """
    path: list[str] = []
    siblings: Attrs = {}
    while offset + 4 <= end:
        alen, atype = _NLA.unpack_from(data, offset)
        if alen < 4:
            break
        number = atype & NLA_TYPE_MASK
        attr = aset.by_number.get(number) if aset else None
        if attr is not None and attr.type in ("string", "u8", "u16", "u32"):
            with contextlib.suppress(DecodeError, struct.error, ValueError, UnicodeDecodeError):
                siblings[attr.name] = attr.decode(data[offset + 4 : offset + alen], siblings)
        if offset <= target < offset + max(alen, 4):
            prefix = aset.prefix.upper().replace("-", "_") if aset else ""
            path.append(attr.cname if attr else f"{prefix}{number}")
            if target > offset and attr is not None:
                inner: AttrSet | None = None
                if attr.type == "nest":
                    inner = attr.nested
                elif attr.type == "sub-message" and attr.sub_message:
                    resolved = attr.sub_message.resolve(siblings)
                    inner = resolved if isinstance(resolved, AttrSet) else None
                if inner is not None:
                    path += attr_path_at(data, offset + 4, offset + alen, inner, target)
            return path
        offset += align(alen)
    return path


# --------------------------------------------------------------------------- value codecs


def _int_codec(attr: Attr) -> tuple[Decoder, Encoder]:
    order = ">" if attr.byte_order == "big" else "="
    st = struct.Struct(order + _INT_FORMATS[attr.type])
    unpack, pack, size = st.unpack, st.pack, st.size

    def dec(payload: bytes, _: Attrs) -> int:
        if len(payload) != size:
            # u64 attributes the kernel sends as 32 bits (and vice versa) still decode
            if attr.type[0] == "u" and len(payload) in (1, 2, 4, 8):
                return int.from_bytes(payload, "big" if order == ">" else "little")
            raise DecodeError(f"{attr.cname}: {len(payload)} bytes for {attr.type}")
        return int(unpack(payload)[0])

    return dec, lambda value, _: pack(value)


def _decode_varint(payload: bytes, signed: bool) -> int:
    """NLA_UINT/NLA_SINT: 4 or 8 bytes, host order."""
    if len(payload) not in (4, 8):
        raise DecodeError(f"{len(payload)} bytes for a variable-width integer")
    return int.from_bytes(payload, "little", signed=signed)


def _encode_varint(value: int, signed: bool) -> bytes:
    size = 4 if (-(2**31) <= value < 2**31 if signed else 0 <= value < 2**32) else 8
    return value.to_bytes(size, "little", signed=signed)


def _decode_string(payload: bytes, _: Attrs) -> str:
    nul = payload.find(b"\0")
    return (payload if nul < 0 else payload[:nul]).decode("utf-8", "surrogateescape")


def _encode_string(value: str, _: object = None) -> bytes:
    return value.encode("utf-8", "surrogateescape") + b"\0"


def _decode_ipaddr(payload: bytes, _: Attrs) -> str:
    if len(payload) == 4:
        return socket.inet_ntop(socket.AF_INET, payload)
    if len(payload) == 16:
        return socket.inet_ntop(socket.AF_INET6, payload)
    raise DecodeError(f"address of {len(payload)} bytes")


def encode_ipaddr(value: str, _: object = None) -> bytes:
    family = socket.AF_INET6 if ":" in value else socket.AF_INET
    return socket.inet_pton(family, value)


def _decode_mac(payload: bytes, _: Attrs) -> str:
    return payload.hex(":")


def encode_mac(value: str, _: object = None) -> bytes:
    return bytes.fromhex(value.replace(":", "").replace("-", ""))


def _decoder_for(attr: Attr) -> Decoder:
    kind = attr.type
    if kind in _INT_FORMATS:
        return _int_codec(attr)[0]
    if kind == "uint":
        return lambda payload, _: _decode_varint(payload, signed=False)
    if kind == "sint":
        return lambda payload, _: _decode_varint(payload, signed=True)
    if kind == "string":
        return _decode_string
    if kind in ("binary", "pad"):
        return lambda payload, _: payload
    if kind == "flag":
        return lambda payload, _: True
    if kind == "ipaddr":
        return _decode_ipaddr
    if kind == "mac":
        return _decode_mac
    if kind == "struct":
        st = _require(attr.struct, attr)
        return lambda payload, _: st.decode(payload)
    if kind == "nest":
        return _inner_decoder(_require(attr.nested, attr))
    if kind == "indexed-array":
        entry = _require(attr.entry, attr)
        return lambda payload, _: _decode_indexed(payload, entry)
    if kind == "sub-message":
        return _inner_decoder(_require(attr.sub_message, attr))
    if kind == "custom":
        decode: Decoder = _require(attr.decode_fn, attr)
        return decode
    raise ValueError(f"{attr.name}: unknown attribute type {kind!r}")


def _inner_decoder(inner: AttrSet | SubMessage) -> Decoder:
    """A nest's decoder (its attributes with `inner`), or a sub-message's (with the table
    its selector sibling picks)."""
    if isinstance(inner, SubMessage):
        return lambda payload, siblings: _decode_sub(payload, siblings, inner)
    return lambda payload, _: decode_attrs(payload, 0, len(payload), inner)


def _encoder_for(attr: Attr) -> Encoder:
    kind = attr.type
    if kind in _INT_FORMATS:
        return _int_codec(attr)[1]
    if kind in ("uint", "sint"):
        signed = kind == "sint"
        return lambda value, _: _encode_varint(value, signed)
    if kind == "string":
        return _encode_string
    if kind in ("binary", "pad"):
        return lambda value, _: bytes(value)
    if kind == "flag":
        return lambda value, _: b""
    if kind == "ipaddr":
        return encode_ipaddr
    if kind == "mac":
        return encode_mac
    if kind == "struct":
        st = _require(attr.struct, attr)
        return lambda value, _: st.encode(value)
    if kind == "nest":
        inner = _require(attr.nested, attr)
        return lambda value, _: encode_attrs(value, inner)
    if kind == "indexed-array":
        entry = _require(attr.entry, attr)
        return lambda value, _: _encode_indexed(value, entry)
    if kind == "sub-message":
        sub = _require(attr.sub_message, attr)
        return lambda value, siblings: _encode_sub(value, siblings, sub, attr)
    if kind == "custom":
        fn: Encoder = _require(attr.encode_fn, attr)
        return fn
    raise ValueError(f"{attr.name}: unknown attribute type {kind!r}")


def _tlv_encoder_for(attr: Attr) -> Encoder:
    """Whole-TLV encoders; fixed-size values get their header and padding computed once,
    because requests by the hundred thousand are built from them."""
    number = attr.number | (NLA_F_NESTED if attr.nested_flag else 0)
    if attr.type in _INT_FORMATS:
        order = ">" if attr.byte_order == "big" else "="
        pack = struct.Struct(order + _INT_FORMATS[attr.type]).pack
        size = struct.calcsize(_INT_FORMATS[attr.type])
        head = _NLA.pack(4 + size, number)
        pad = b"\0" * (align(4 + size) - 4 - size)
        return lambda value, _: head + pack(value) + pad
    if attr.type == "ipaddr":
        head4, head16 = _NLA.pack(8, number), _NLA.pack(20, number)
        pton = socket.inet_pton

        def address(value: str, _: object) -> bytes:
            if ":" in value:
                return head16 + pton(socket.AF_INET6, value)
            return head4 + pton(socket.AF_INET, value)

        return address
    payload = attr.encode
    return lambda value, siblings: encode_attr(number, payload(value, siblings))


def _require(value: Any, attr: Attr) -> Any:
    if value is None:
        raise ValueError(f"{attr.name}: type {attr.type} needs its table")
    return value


def _decode_indexed(payload: bytes, entry: Attr) -> list[Any]:
    items: list[Any] = []
    offset, end = 0, len(payload)
    dec = entry.decode
    while offset + 4 <= end:
        alen, _ = _NLA.unpack_from(payload, offset)
        if alen < 4 or offset + alen > end:
            raise DecodeError(f"{entry.name}: bad array entry length {alen}")
        items.append(dec(payload[offset + 4 : offset + alen], {}))
        offset += align(alen)
    return items


def _encode_indexed(values: Sequence[Any], entry: Attr) -> bytes:
    return b"".join(
        encode_attr(i, entry.encode(v, {}), entry.type == "nest" and entry.nested_flag)
        for i, v in enumerate(values, start=1)
    )


def _decode_sub(payload: bytes, siblings: Attrs, sub: SubMessage) -> Any:
    table = sub.resolve(siblings)
    if isinstance(table, AttrSet):
        return decode_attrs(payload, 0, len(payload), table)
    if isinstance(table, Struct):
        return table.decode(payload)
    return payload  # a kind we have no table for: kept as raw bytes


def _encode_sub(value: Any, siblings: Mapping[str | int, Any], sub: SubMessage, attr: Attr,
                ) -> bytes:
    if isinstance(value, bytes | bytearray):
        return bytes(value)
    table = sub.resolve(siblings)
    if isinstance(table, AttrSet):
        return encode_attrs(value, table)
    if isinstance(table, Struct):
        return table.encode(value)
    raise EncodeError(
        f"{attr.cname}: no table for {sub.selector}={siblings.get(sub.selector)!r}; give raw bytes"
    )
