"""Routing policy rules: fib_rule_hdr and FRA_* (rt-rule.yaml, <linux/fib_rules.h>).

Deviations from the spec, all for what the kernel really puts on the wire: FRA_DST/FRA_SRC
are 4- or 16-byte addresses (ipaddr, the spec says u32), FRA_TUN_ID is a __be64
(nla_get_be64; the spec says host-order u64).
"""

from __future__ import annotations

from nlstate.netlink.codec import Attr, AttrSet, Member, Struct
from nlstate.netlink.message import MessageSpec

FIB_RULE_HDR = Struct("fib-rule-hdr", [
    Member("family", "u8"),
    Member("dst-len", "u8"),
    Member("src-len", "u8"),
    Member("tos", "u8"),
    Member("table", "u8"),
    Member("res1", "pad", 1),
    Member("res2", "pad", 1),
    Member("action", "u8"),
    Member("flags", "u32"),
])

FIB_RULE_PORT_RANGE = Struct("fib-rule-port-range", [
    Member("start", "u16"),
    Member("end", "u16"),
])

FIB_RULE_UID_RANGE = Struct("fib-rule-uid-range", [
    Member("start", "u32"),
    Member("end", "u32"),
])

# fib_rule_hdr.action (enum fr-act)
FR_ACT_UNSPEC = 0
FR_ACT_TO_TBL = 1
FR_ACT_GOTO = 2
FR_ACT_NOP = 3
FR_ACT_RES3 = 4
FR_ACT_RES4 = 5
FR_ACT_BLACKHOLE = 6
FR_ACT_UNREACHABLE = 7
FR_ACT_PROHIBIT = 8
FR_ACTIONS = {
    FR_ACT_UNSPEC: "unspec", FR_ACT_TO_TBL: "to-tbl", FR_ACT_GOTO: "goto", FR_ACT_NOP: "nop",
    FR_ACT_RES3: "res3", FR_ACT_RES4: "res4", FR_ACT_BLACKHOLE: "blackhole",
    FR_ACT_UNREACHABLE: "unreachable", FR_ACT_PROHIBIT: "prohibit",
}  # fmt: skip

# fib_rule_hdr.flags
FIB_RULE_PERMANENT = 0x1
FIB_RULE_INVERT = 0x2
FIB_RULE_UNRESOLVED = 0x4
FIB_RULE_IIF_DETACHED = 0x8
FIB_RULE_DEV_DETACHED = FIB_RULE_IIF_DETACHED
FIB_RULE_OIF_DETACHED = 0x10
FIB_RULE_FIND_SADDR = 0x10000

FIB_RULE_ATTRS = AttrSet("fib-rule-attrs", "fra-", [
    Attr("dst", "ipaddr"),
    Attr("src", "ipaddr"),
    Attr("iifname", "string"),
    Attr("goto", "u32"),
    Attr("unused2", "pad"),
    Attr("priority", "u32"),
    Attr("unused3", "pad"),
    Attr("unused4", "pad"),
    Attr("unused5", "pad"),
    Attr("fwmark", "u32"),
    Attr("flow", "u32"),
    Attr("tun-id", "u64", byte_order="big"),
    Attr("suppress-ifgroup", "u32"),
    Attr("suppress-prefixlen", "u32"),
    Attr("table", "u32"),
    Attr("fwmask", "u32"),
    Attr("oifname", "string"),
    Attr("pad", "pad"),
    Attr("l3mdev", "u8"),
    Attr("uid-range", "struct", struct=FIB_RULE_UID_RANGE),
    Attr("protocol", "u8"),
    Attr("ip-proto", "u8"),
    Attr("sport-range", "struct", struct=FIB_RULE_PORT_RANGE),
    Attr("dport-range", "struct", struct=FIB_RULE_PORT_RANGE),
    Attr("dscp", "u8"),
    Attr("flowlabel", "u32", byte_order="big"),
    Attr("flowlabel-mask", "u32", byte_order="big"),
    Attr("sport-mask", "u16"),
    Attr("dport-mask", "u16"),
    Attr("dscp-mask", "u8"),
])

RULE = MessageSpec("rule", FIB_RULE_HDR, FIB_RULE_ATTRS)
