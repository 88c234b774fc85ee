"""Nexthop objects and groups: nhmsg and NHA_* (<linux/nexthop.h>; the kernel has no YNL spec).

NHA_GROUP is an array of struct nexthop_grp {__u32 id; __u8 weight; __u8 weight_high;
__u16 resvd2;}; it decodes to [{"id": ..., "weight": ...}] with the weight as users write it
(1..65536): the kernel stores weight - 1, its low byte in `weight` and its high byte in
`weight_high` (kernels before 6.12 know only the low byte, so weights up to 256).
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

from nlstate.netlink.codec import Attr, Attrs, AttrSet, Member, Struct
from nlstate.netlink.errors import DecodeError, EncodeError
from nlstate.netlink.message import MessageSpec

NHMSG = Struct("nhmsg", [
    Member("nh-family", "u8"),
    Member("nh-scope", "u8"),
    Member("nh-protocol", "u8"),
    Member("resvd", "pad", 1),
    Member("nh-flags", "u32"),
])

# NHA_GROUP_TYPE
NEXTHOP_GRP_TYPE_MPATH = 0
NEXTHOP_GRP_TYPE_RES = 1
GROUP_TYPES = {NEXTHOP_GRP_TYPE_MPATH: "mpath", NEXTHOP_GRP_TYPE_RES: "resilient"}

# NHA_OP_FLAGS
NHA_OP_FLAG_DUMP_STATS = 1 << 0
NHA_OP_FLAG_DUMP_HW_STATS = 1 << 1
NHA_OP_FLAG_RESP_GRP_RESVD_0 = 1 << 31  # in replies: the kernel zeroes the reserved fields

NEXTHOP_GRP = struct.Struct("=IBBH")
MAX_WEIGHT = (1 << 16) - 1  # the kernel refuses 65536 ("Invalid value for weight")


def _decode_group(payload: bytes, _: Attrs) -> list[dict[str, int]]:
    if len(payload) % NEXTHOP_GRP.size:
        raise DecodeError(f"NHA_GROUP: {len(payload)} bytes is not a whole nexthop_grp array")
    return [{"id": nh_id, "weight": ((high << 8) | low) + 1}
            for nh_id, low, high, _resvd in NEXTHOP_GRP.iter_unpack(payload)]


def _encode_group(value: Sequence[Mapping[str, Any]], _: object) -> bytes:
    parts = []
    for entry in value:
        unknown = set(entry) - {"id", "weight"}
        if unknown:
            raise EncodeError(f"NHA_GROUP: no member(s) {sorted(unknown)}")
        weight = int(entry.get("weight", 1))
        if not 1 <= weight <= MAX_WEIGHT:
            raise EncodeError(f"NHA_GROUP: weight {weight} is not in 1..{MAX_WEIGHT}")
        stored = weight - 1
        parts.append(NEXTHOP_GRP.pack(entry["id"], stored & 0xFF, stored >> 8, 0))
    return b"".join(parts)


RES_GROUP_ATTRS = AttrSet("nha-res-group-attrs", "nha-res-group-", [
    Attr("pad", "pad"),
    Attr("buckets", "u16"),
    Attr("idle-timer", "u32"),  # clock_t
    Attr("unbalanced-timer", "u32"),  # clock_t
    Attr("unbalanced-time", "u64"),  # clock_t
], start=0)

RES_BUCKET_ATTRS = AttrSet("nha-res-bucket-attrs", "nha-res-bucket-", [
    Attr("pad", "pad"),
    Attr("index", "u16"),
    Attr("idle-time", "u64"),  # clock_t
    Attr("nh-id", "u32"),
], start=0)

GROUP_STATS_ENTRY_ATTRS = AttrSet("nha-group-stats-entry-attrs", "nha-group-stats-entry-", [
    Attr("id", "u32"),
    Attr("packets", "uint"),
    Attr("packets-hw", "uint"),
])

GROUP_STATS_ATTRS = AttrSet("nha-group-stats-attrs", "nha-group-stats-", [
    Attr("entry", "nest", nested=GROUP_STATS_ENTRY_ATTRS, multi=True),
])

NEXTHOP_ATTRS = AttrSet("nexthop-attrs", "nha-", [
    Attr("id", "u32"),
    Attr("group", "custom", decode_fn=_decode_group, encode_fn=_encode_group),
    Attr("group-type", "u16"),
    Attr("blackhole", "flag"),
    Attr("oif", "u32"),
    Attr("gateway", "ipaddr"),
    Attr("encap-type", "u16"),
    Attr("encap", "binary"),  # lwtunnel encap, its layout depends on encap-type
    Attr("groups", "flag"),
    Attr("master", "u32"),
    Attr("fdb", "flag"),
    Attr("res-group", "nest", nested=RES_GROUP_ATTRS, nested_flag=True),  # kernel requires it
    Attr("res-bucket", "nest", nested=RES_BUCKET_ATTRS),
    Attr("op-flags", "u32"),
    Attr("group-stats", "nest", nested=GROUP_STATS_ATTRS),
    Attr("hw-stats-enable", "u32"),
    Attr("hw-stats-used", "u32"),
])

NEXTHOP = MessageSpec("nexthop", NHMSG, NEXTHOP_ATTRS)
