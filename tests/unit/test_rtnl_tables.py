"""The rtnetlink tables against the kernel's own descriptions.

1. Every attribute set that also exists in the kernel's YNL specs (../shared/specs) must
   number and type its attributes as the spec does, except for the deviations listed in
   DEVIATIONS below, each with the reason (what the kernel really puts on the wire).
2. Fixed headers have the sizes of their C structs.
3. Hand-built bytes (from <linux/fib_rules.h>, <linux/neighbour.h>, <linux/nexthop.h>,
   <linux/if_link.h>, <linux/if_bridge.h>) for rules, neighbours, nexthops and the link
   attributes that need codecs of their own (AF_SPEC, stats, VF info, XDP, proto-down).
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import pkgutil
import struct
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import nlstate.kinds
from nlstate.netlink.codec import Attr, AttrSet, Struct, encode_attr
from nlstate.netlink.consts import NLM_F_ACK, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST
from nlstate.netlink.errors import DecodeError, EncodeError
from nlstate.netlink.message import decode_message, encode_message
from nlstate.rtnl import CATALOG, MESSAGES, addr, build_request, link, neigh, nexthop, route, rule
from nlstate.rtnl import consts as c
from nlstate.rtnl.link import LINK_ATTRS

SPEC_FILES = ("rt-link.yaml", "rt-addr.yaml", "rt-route.yaml", "rt-neigh.yaml", "rt-rule.yaml")
FLAGS = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL  # 0x605


def hexbytes(text: str) -> bytes:
    """Bytes from hex written one field per line, with `#` comments."""
    return bytes.fromhex("".join(line.split("#", 1)[0] for line in text.splitlines()))


# --------------------------------------------------------------------------- the specs

SpecAttr = dict[str, Any]

# (set, attribute) -> (our type, why). Only these may differ from the spec; the general rules
# (binary + display-hint mac -> mac; ipv4/ipv6/ipv4-or-v6 hints -> ipaddr) need no entry.
DEVIATIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("link-attrs", "stats"): ("custom", "rtnl_link_stats grew over time: decoded by length"),
    ("link-attrs", "stats64"): ("custom", "rtnl_link_stats64 grew over time: decoded by length"),
    ("link-attrs", "af-spec"): ("custom", "per-family nests, or IFLA_BRIDGE_* in AF_BRIDGE "
                                          "messages: chosen by content"),
    ("link-attrs", "protinfo"): ("binary", "spec says string; it is a nest of IFLA_BRPORT_* "
                                           "or IFLA_INET6_* depending on the family"),
    ("link-attrs", "map"): ("binary", "struct rtnl_link_ifmap; old kernels leak its padding"),
    ("link-attrs", "vf-ports"): ("binary", "the spec's vf-ports-attrs is empty"),
    ("link-attrs", "port-self"): ("binary", "the spec's port-self-attrs is empty"),
    ("link-attrs", "proto-down-reason"): ("nest", "spec says string; the kernel nests "
                                                  "IFLA_PROTO_DOWN_REASON_MASK/VALUE"),
    ("ifla-attrs", "conf"): ("custom", "u32 array out, nest of u32 in (devconf codec)"),
    ("ifla6-attrs", "conf"): ("custom", "s32 array (devconf codec)"),
    ("ifla6-attrs", "stats"): ("custom", "u64 array decoded to named counters"),
    ("ifla6-attrs", "icmp6stats"): ("custom", "u64 array decoded to named counters"),
    ("ifla6-attrs", "token"): ("ipaddr", "a 16-byte IPv6 interface identifier"),
    ("vf-vlan-attrs", "info"): ("custom", "ifla_vf_vlan_info has a __be16 member"),
    ("linkinfo-bridge-attrs", "vlan-protocol"): ("u16", "__be16 on the wire (nla_get_be16)"),
    ("linkinfo-bridge-attrs", "root-id"): ("custom", "ifla_bridge_id.prio is network order"),
    ("linkinfo-bridge-attrs", "bridge-id"): ("custom", "ifla_bridge_id.prio is network order"),
    ("linkinfo-brport-attrs", "root-id"): ("custom", "ifla_bridge_id.prio is network order"),
    ("linkinfo-brport-attrs", "bridge-id"): ("custom", "ifla_bridge_id.prio is network order"),
    ("bond-slave-attrs", "prio"): ("s32", "NLA_S32 in bond_slave_policy, nla_put_s32"),
    ("fib-rule-attrs", "dst"): ("ipaddr", "4 or 16 bytes, not a u32"),
    ("fib-rule-attrs", "src"): ("ipaddr", "4 or 16 bytes, not a u32"),
    ("fib-rule-attrs", "tun-id"): ("u64", "__be64 on the wire (nla_get_be64)"),
    ("neighbour-attrs", "port"): ("u16", "__be16 on the wire (VXLAN FDB dst port)"),
    ("neighbour-attrs", "fdb-ext-attrs"): ("nest", "a nest of NFEA_* attributes"),
    ("route-attrs", "multipath"): ("custom", "rtnexthop array with nested RTA_*"),
    ("route-attrs", "via"): ("custom", "struct rtvia {family; address}"),
    ("route-attrs", "pad"): ("pad", "padding, dropped on decode"),
    ("addr-attrs", "anycast"): ("ipaddr", "an address"),
    ("addr-attrs", "multicast"): ("ipaddr", "an address"),
    ("addr-attrs", "target-netnsid"): ("s32", "a netns id"),
}
# The kernel's port flags: u8 0/1 both ways (br_port_policy: NLA_U8; nla_put_u8); as flags
# a 0 would read as "on".
for _name in ("mode", "guard", "protect", "fast-leave", "learning", "unicast-flood", "proxyarp",
              "learning-sync", "proxyarp-wifi", "mcast-flood", "mcast-to-ucast", "vlan-tunnel",
              "bcast-flood", "neigh-suppress", "isolated", "mrp-ring-open", "mrp-in-open",
              "locked", "mab", "neigh-vlan-suppress"):
    DEVIATIONS[("linkinfo-brport-attrs", _name)] = ("u8", "u8 0/1 on the wire, not a flag")
# Structs whose members differ from the spec's definition.
STRUCT_DEVIATIONS = {
    "rta-cacheinfo": "struct rta_cacheinfo has 8 members (also rta_id, rta_ts, rta_tsage); "
                     "the spec lists the first 5",
}
# Byte-order deviations: (set, attribute) whose byte order is big-endian while the spec's is not.
BIG_ENDIAN_DEVIATIONS = {("linkinfo-bridge-attrs", "vlan-protocol"),
                         ("fib-rule-attrs", "tun-id"), ("neighbour-attrs", "port")}
# Attributes newer than the copied specs (from the 6.17/6.18 uapi headers).
NEWER_THAN_SPEC = {("linkinfo-bond-attrs", "broadcast-neigh"),
                   ("bond-slave-attrs", "actor-port-prio")}
# Spec sets nlstate has no table for (kinds and messages it does not manage; gre6 is served
# by the gre set, whose ipaddr takes both address lengths).
NOT_IMPLEMENTED = {
    "vf-ports-attrs", "port-self-attrs", "linkinfo-gre6-attrs", "linkinfo-vti-attrs",
    "linkinfo-vti6-attrs", "linkinfo-geneve-attrs", "linkinfo-hsr-attrs",
    "linkinfo-iptun-attrs", "linkinfo-ip6tnl-attrs", "stats-attrs", "link-offload-xstats",
    "hw-s-info-one", "linkinfo-netkit-attrs", "linkinfo-ovpn-attrs", "ndt-attrs", "ndtpa-attrs",
}  # fmt: skip

_INT_SIZES = {"u8": 1, "u16": 2, "u32": 4, "u64": 8, "s8": 1, "s16": 2, "s32": 4, "s64": 8}


class SpecSet:
    def __init__(self, file: str, attrs: dict[int, SpecAttr], structs: dict[str, Any]) -> None:
        self.file = file
        self.attrs = attrs
        self.structs = structs


def _numbered(attributes: list[SpecAttr]) -> dict[int, SpecAttr]:
    out: dict[int, SpecAttr] = {}
    number = 1
    for attr in attributes:
        number = attr.get("value", number)
        out[number] = attr
        number += 1
    return out


def load_spec_sets(specs: Path) -> dict[str, SpecSet]:
    sets: dict[str, SpecSet] = {}
    for file in SPEC_FILES:
        doc = yaml.safe_load((specs / file).read_text())
        structs = {d["name"]: d for d in doc.get("definitions", []) if d.get("type") == "struct"}
        raw = {s["name"]: s for s in doc["attribute-sets"]}
        for name, body in raw.items():
            assert name not in sets, f"set {name} in two spec files"
            if "subset-of" in body:
                parent = _numbered(raw[body["subset-of"]]["attributes"])
                by_name = {a["name"]: (n, a) for n, a in parent.items()}
                attrs = {}
                for a in body["attributes"]:
                    number, base = by_name[a["name"]]
                    attrs[number] = {**base, **a}
            else:
                attrs = _numbered(body["attributes"])
            sets[name] = SpecSet(file, attrs, structs)
    return sets


@functools.cache
def our_sets() -> dict[str, AttrSet]:
    """Every attribute set reachable from the rtnl modules, the kinds and the catalog."""
    found: dict[str, AttrSet] = {}

    def visit(aset: AttrSet) -> None:
        if aset.name in found:
            assert found[aset.name] is aset, f"two different sets named {aset.name}"
            return
        found[aset.name] = aset
        for attr in aset.by_number.values():
            for inner in (attr.nested, attr.entry.nested if attr.entry else None):
                if inner is not None:
                    visit(inner)
            if attr.sub_message is not None:
                for sub in attr.sub_message.sets.values():
                    visit(sub)

    modules: list[ModuleType] = [link, addr, route, rule, neigh, nexthop]
    for info in pkgutil.iter_modules(nlstate.kinds.__path__):
        modules.append(importlib.import_module(f"nlstate.kinds.{info.name}"))
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, AttrSet):
                visit(value)
    for _, spec in MESSAGES.values():
        visit(spec.attrs)
    return found


def _expected_type(spec: SpecAttr) -> set[str]:
    """Our attribute types that express the spec's type without a listed deviation."""
    kind = spec["type"]
    hint = spec.get("display-hint")
    if kind == "binary":
        if spec.get("struct"):
            return {"struct"}
        if hint == "mac":
            return {"mac"}
        if hint in ("ipv4", "ipv6", "ipv4-or-v6"):
            return {"ipaddr"}
        return {"binary"}
    if kind == "u32" and hint == "ipv4":
        return {"ipaddr"}
    return {kind}


def _compare_struct(ours: Struct, spec: dict[str, Any], where: str) -> list[str]:
    if ours.name in STRUCT_DEVIATIONS:
        return []
    members = [(m["name"], m["type"]) for m in spec["members"] if m["type"] != "pad"]
    mine = [(m.name, m.type) for m in ours.members if m.type != "pad"]
    return [] if members == mine else [f"{where}: struct members {mine} != spec {members}"]


def _compare_attr(set_name: str, ours: Attr, spec: SpecAttr, spec_set: SpecSet) -> list[str]:
    where = f"{set_name}.{ours.name} ({ours.cname})"
    problems: list[str] = []
    if ours.name != spec["name"]:
        problems.append(f"{where}: spec calls number {ours.number} {spec['name']!r}")
    deviation = DEVIATIONS.get((set_name, ours.name))
    if deviation is not None:
        if ours.type != deviation[0]:
            problems.append(f"{where}: listed deviation says {deviation[0]}, table has {ours.type}")
    elif ours.type not in _expected_type(spec):
        problems.append(f"{where}: type {ours.type}, spec {spec['type']} "
                        f"(hint {spec.get('display-hint')}, struct {spec.get('struct')})")
    big = spec.get("byte-order") == "big-endian"
    if ours.type in _INT_SIZES and spec["type"] in _INT_SIZES:
        ours_big = ours.byte_order == "big"
        if ours_big != big and (set_name, ours.name) not in BIG_ENDIAN_DEVIATIONS:
            problems.append(f"{where}: byte order {ours.byte_order}, spec big-endian={big}")
    if bool(spec.get("multi-attr")) != ours.multi:
        problems.append(f"{where}: multi={ours.multi}, spec multi-attr={spec.get('multi-attr')}")
    if (ours.type == "nest" and spec["type"] == "nest" and ours.nested is not None
            and ours.nested.name != spec["nested-attributes"]):
        problems.append(f"{where}: nests {ours.nested.name}, spec "
                            f"{spec['nested-attributes']}")
    if ours.type == "struct" and spec.get("struct") and ours.struct is not None:
        if ours.struct.name != spec["struct"]:
            problems.append(f"{where}: struct {ours.struct.name}, spec {spec['struct']}")
        else:
            problems += _compare_struct(ours.struct, spec_set.structs[spec["struct"]], where)
    if spec["type"] == "indexed-array":
        entry = ours.entry
        sub = spec.get("sub-type")
        if entry is None:
            problems.append(f"{where}: no entry type")
        elif sub == "nest":
            if entry.type != "nest" or entry.nested is None or (
                    entry.nested.name != spec["nested-attributes"]):
                problems.append(f"{where}: entries are not {spec['nested-attributes']} nests")
        elif spec.get("display-hint") in ("ipv4", "ipv6"):
            if entry.type != "ipaddr":
                problems.append(f"{where}: entries {entry.type}, spec addresses")
        elif entry.type != sub:
            problems.append(f"{where}: entries {entry.type}, spec {sub}")
    return problems


def test_tables_match_the_kernel_specs(shared_dir: Path) -> None:
    specs = load_spec_sets(shared_dir / "specs")
    ours = our_sets()
    compared = sorted(set(specs) & set(ours))
    assert set(specs) - set(ours) == NOT_IMPLEMENTED
    problems: list[str] = []
    for name in compared:
        spec_set, aset = specs[name], ours[name]
        for number, attr in aset.by_number.items():
            spec_attr = spec_set.attrs.get(number)
            if spec_attr is None:
                if (name, attr.name) not in NEWER_THAN_SPEC:
                    problems.append(f"{name}.{attr.name}: number {number} not in the spec")
                continue
            problems += _compare_attr(name, attr, spec_attr, spec_set)
        for number, spec_attr in spec_set.attrs.items():
            if spec_attr["type"] == "unused" or (number == 0 and spec_attr["name"] == "unspec"):
                continue
            if number not in aset.by_number:
                problems.append(f"{name}: missing {spec_attr['name']} ({number})")
    assert problems == []
    # every listed deviation names a real attribute of a compared set
    for set_name, attr_name in DEVIATIONS:
        assert set_name in compared and attr_name in ours[set_name].by_name


def test_kind_sets_are_registered() -> None:
    data = link.LINKINFO_DATA.sets
    for kind in ("veth", "bridge", "vxlan", "macvlan", "macvtap", "dummy", "vlan", "bond", "vrf",
                 "ipvlan", "tun", "ifb", "wireguard", "gre", "gretap"):
        assert kind in data, kind
    assert set(link.LINKINFO_SLAVE_DATA.sets) >= {"bridge", "bond", "vrf"}
    assert data["macvlan"] is data["macvtap"]
    assert data["gre"] is data["gretap"]


def test_catalog_has_rules_neighbours_nexthops() -> None:
    for msg_type, name, spec in (
        (c.RTM_NEWRULE, "RTM_NEWRULE", rule.RULE), (c.RTM_DELRULE, "RTM_DELRULE", rule.RULE),
        (c.RTM_GETRULE, "RTM_GETRULE", rule.RULE),
        (c.RTM_NEWNEIGH, "RTM_NEWNEIGH", neigh.NEIGH),
        (c.RTM_DELNEIGH, "RTM_DELNEIGH", neigh.NEIGH),
        (c.RTM_GETNEIGH, "RTM_GETNEIGH", neigh.NEIGH),
        (c.RTM_NEWNEXTHOP, "RTM_NEWNEXTHOP", nexthop.NEXTHOP),
        (c.RTM_DELNEXTHOP, "RTM_DELNEXTHOP", nexthop.NEXTHOP),
        (c.RTM_GETNEXTHOP, "RTM_GETNEXTHOP", nexthop.NEXTHOP),
    ):  # fmt: skip
        assert MESSAGES[msg_type] == (name, spec)
        assert CATALOG.get(msg_type) == (name, spec)


@pytest.mark.parametrize(("table", "size"), [
    (rule.FIB_RULE_HDR, 12),  # struct fib_rule_hdr
    (rule.FIB_RULE_PORT_RANGE, 4),
    (rule.FIB_RULE_UID_RANGE, 8),
    (neigh.NDMSG, 12),  # struct ndmsg
    (neigh.NDA_CACHEINFO, 16),
    (nexthop.NHMSG, 8),  # struct nhmsg
    (link.IFLA_CACHEINFO, 16),
    (link.BRIDGE_VLAN_INFO, 4),  # struct bridge_vlan_info
    (link.IFLA_VF_MAC, 36),
    (link.IFLA_VF_GUID, 16),  # __u32 vf; __u64 guid: 4 bytes of alignment padding
])  # fmt: skip
def test_struct_sizes(table: Struct, size: int) -> None:
    assert table.size == size


# --------------------------------------------------------------------------- rules


def test_rule_request_bytes() -> None:
    """ip rule add priority 100 fwmark 0x20/0xff iif v0 table 1000 (IPv4), by hand."""
    req = build_request(
        c.RTM_NEWRULE, {"family": 2, "table": 252, "action": rule.FR_ACT_TO_TBL},
        {"priority": 100, "fwmark": 0x20, "fwmask": 0xFF, "iifname": "v0", "table": 1000},
        FLAGS)
    wire = encode_message(req.type, req.flags, 7, req.payload)
    assert wire == hexbytes("""
        44000000  # nlmsg_len 68
        2000      # RTM_NEWRULE 32
        0506      # REQUEST|ACK|EXCL|CREATE
        07000000  # seq
        00000000  # pid
        02        # family AF_INET
        00        # dst_len
        00        # src_len
        00        # tos
        fc        # table 252 (RT_TABLE_COMPAT: the real id is in FRA_TABLE)
        00 00     # res1, res2
        01        # action FR_ACT_TO_TBL
        00000000  # flags
        0800 0600 64000000  # FRA_PRIORITY 100
        0800 0a00 20000000  # FRA_FWMARK 0x20
        0800 1000 ff000000  # FRA_FWMASK 0xff
        0700 0300 763000 00  # FRA_IIFNAME "v0"
        0800 0f00 e8030000  # FRA_TABLE 1000
    """)
    msg = decode_message(wire, CATALOG)
    assert msg.name == "RTM_NEWRULE"
    assert msg.header == {"family": 2, "dst-len": 0, "src-len": 0, "tos": 0, "table": 252,
                          "action": 1, "flags": 0}
    assert msg.attrs == {"priority": 100, "fwmark": 0x20, "fwmask": 0xFF, "iifname": "v0",
                         "table": 1000}


def test_rule_ipv6_selectors_bytes() -> None:
    """FRA_SRC as 16 bytes, FRA_TUN_ID as __be64, the range structs, FRA_IP_PROTO."""
    attrs: dict[str | int, Any] = {
        "src": "2001:db8::", "tun-id": 5, "uid-range": {"start": 1, "end": 10}, "ip-proto": 6,
        "dport-range": {"start": 80, "end": 90}, "l3mdev": 1, "suppress-prefixlen": 0,
        "protocol": 4, "dscp": 10, "flowlabel": 0x12345}
    payload = build_request(c.RTM_NEWRULE, {"family": 10, "src-len": 64}, attrs).payload
    assert payload[12:] == hexbytes("""
        1400 0200 20010db8000000000000000000000000  # FRA_SRC 2001:db8::
        0c00 0c00 0000000000000005  # FRA_TUN_ID 5, big-endian
        0c00 1400 01000000 0a000000  # FRA_UID_RANGE {start 1, end 10}
        0500 1600 06 000000  # FRA_IP_PROTO 6 (tcp)
        0800 1800 5000 5a00  # FRA_DPORT_RANGE {80, 90}
        0500 1300 01 000000  # FRA_L3MDEV 1
        0800 0e00 00000000  # FRA_SUPPRESS_PREFIXLEN 0
        0500 1500 04 000000  # FRA_PROTOCOL 4 (static)
        0500 1900 0a 000000  # FRA_DSCP 10
        0800 1a00 00012345  # FRA_FLOWLABEL, __be32
    """)
    header, decoded = rule.RULE.decode(payload, 0, len(payload))
    assert header["src-len"] == 64
    assert decoded == attrs


# --------------------------------------------------------------------------- neighbours


def test_neighbour_request_bytes() -> None:
    """ip neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev <3> nud permanent, by hand."""
    req = build_request(
        c.RTM_NEWNEIGH,
        {"ndm-family": 2, "ndm-ifindex": 3, "ndm-state": neigh.NUD_PERMANENT},
        {"dst": "192.0.2.9", "lladdr": "02:00:00:00:00:09"}, FLAGS)
    wire = encode_message(req.type, req.flags, 1, req.payload)
    assert wire == hexbytes("""
        30000000  # nlmsg_len 48
        1c00      # RTM_NEWNEIGH 28
        0506      # REQUEST|ACK|EXCL|CREATE
        01000000  # seq
        00000000  # pid
        02        # ndm_family AF_INET
        000000    # ndm_pad1, ndm_pad2
        03000000  # ndm_ifindex 3
        8000      # ndm_state NUD_PERMANENT
        00        # ndm_flags
        00        # ndm_type
        0800 0100 c0000209  # NDA_DST 192.0.2.9
        0a00 0200 020000000009 0000  # NDA_LLADDR
    """)
    msg = decode_message(wire, CATALOG)
    assert msg.header == {"ndm-family": 2, "ndm-ifindex": 3, "ndm-state": 0x80,
                          "ndm-flags": 0, "ndm-type": 0}
    assert msg.attrs == {"dst": "192.0.2.9", "lladdr": "02:00:00:00:00:09"}


def test_vxlan_fdb_entry_bytes() -> None:
    """A bridge FDB entry of a VXLAN: NDA_PORT is __be16, NDA_VNI host order, ext attrs nest."""
    attrs: dict[str | int, Any] = {
        "lladdr": "02:00:00:00:00:0a", "dst": "198.51.100.7", "port": 4789, "vni": 42,
        "master": 4, "fdb-ext-attrs": {"activity-notify": 1, "dont-refresh": True},
        "flags-ext": neigh.NTF_EXT_LOCKED}
    payload = build_request(c.RTM_NEWNEIGH, {"ndm-family": 7, "ndm-flags": neigh.NTF_SELF},
                            attrs).payload
    assert payload[12:] == hexbytes("""
        0a00 0200 02000000000a 0000  # NDA_LLADDR
        0800 0100 c6336407  # NDA_DST 198.51.100.7
        0600 0600 12b5 0000  # NDA_PORT 4789, big-endian
        0800 0700 2a000000  # NDA_VNI 42
        0800 0900 04000000  # NDA_MASTER 4
        1000 0e00  # NDA_FDB_EXT_ATTRS
          0500 0100 01 000000  # NFEA_ACTIVITY_NOTIFY 1
          0400 0200  # NFEA_DONT_REFRESH (flag)
        0800 0f00 02000000  # NDA_FLAGS_EXT NTF_EXT_LOCKED
    """)
    assert neigh.NEIGH.decode(payload, 0, len(payload))[1] == attrs


# --------------------------------------------------------------------------- nexthops


def test_nexthop_request_bytes() -> None:
    """ip nexthop add id 1 via 192.0.2.2 dev <3>, by hand."""
    req = build_request(c.RTM_NEWNEXTHOP, {"nh-family": 2},
                        {"id": 1, "gateway": "192.0.2.2", "oif": 3}, FLAGS)
    wire = encode_message(req.type, req.flags, 9, req.payload)
    assert wire == hexbytes("""
        30000000  # nlmsg_len 48
        6800      # RTM_NEWNEXTHOP 104
        0506      # REQUEST|ACK|EXCL|CREATE
        09000000  # seq
        00000000  # pid
        02        # nh_family AF_INET
        00        # nh_scope
        00        # nh_protocol
        00        # resvd
        00000000  # nh_flags
        0800 0100 01000000  # NHA_ID 1
        0800 0600 c0000202  # NHA_GATEWAY 192.0.2.2
        0800 0500 03000000  # NHA_OIF 3
    """)
    msg = decode_message(wire, CATALOG)
    assert msg.attrs == {"id": 1, "gateway": "192.0.2.2", "oif": 3}


def test_nexthop_group_weights() -> None:
    """struct nexthop_grp {u32 id; u8 weight; u8 weight_high; u16 resvd2}: weight - 1 split."""
    group = [{"id": 1, "weight": 1}, {"id": 2, "weight": 256}, {"id": 3, "weight": 257},
             {"id": 4, "weight": 65535}]
    payload = build_request(c.RTM_NEWNEXTHOP, {}, {"id": 10, "group": group,
                                                   "group-type": 0}).payload
    assert payload[8:] == hexbytes("""
        0800 0100 0a000000  # NHA_ID 10
        2400 0200  # NHA_GROUP, 4 entries of 8 bytes
          01000000 00 00 0000  # id 1, weight 1 -> 0
          02000000 ff 00 0000  # id 2, weight 256 -> 255
          03000000 00 01 0000  # id 3, weight 257 -> 256: weight_high 1
          04000000 fe ff 0000  # id 4, weight 65535 -> 65534 (the kernel's highest)
        0600 0300 0000 0000  # NHA_GROUP_TYPE mpath
    """)
    assert nexthop.NEXTHOP.decode(payload, 0, len(payload))[1]["group"] == group


@pytest.mark.parametrize("entry", [{"id": 1, "weight": 0}, {"id": 1, "weight": 65536},
                                   {"id": 1, "weight": 2, "resvd": 1}])
def test_nexthop_group_bad_entries(entry: dict[str, int]) -> None:
    with pytest.raises(EncodeError):
        nexthop.NEXTHOP_ATTRS.encode({"group": [entry]})


def test_nexthop_group_truncated() -> None:
    with pytest.raises(DecodeError):
        nexthop.NEXTHOP_ATTRS.decode(hexbytes("0f00 0200 01000000 00 00 00"))


def test_nexthop_resilient_group_and_stats_decode() -> None:
    data = hexbytes("""
        1c00 0c00  # NHA_RES_GROUP
          0600 0100 8000 0000  # NHA_RES_GROUP_BUCKETS 128
          0800 0200 e8030000  # NHA_RES_GROUP_IDLE_TIMER 1000
          0800 0300 00000000  # NHA_RES_GROUP_UNBALANCED_TIMER 0
        1c00 0f00  # NHA_GROUP_STATS
          1800 0100  # NHA_GROUP_STATS_ENTRY
            0800 0100 01000000  # NHA_GROUP_STATS_ENTRY_ID 1
            0c00 0200 0500000001000000  # NHA_GROUP_STATS_ENTRY_PACKETS (uint, 8 bytes)
        0800 0e00 00000080  # NHA_OP_FLAGS NHA_OP_FLAG_RESP_GRP_RESVD_0
    """)
    assert nexthop.NEXTHOP_ATTRS.decode(data) == {
        "res-group": {"buckets": 128, "idle-timer": 1000, "unbalanced-timer": 0},
        "group-stats": {"entry": [{"id": 1, "packets": 0x100000005}]},
        "op-flags": nexthop.NHA_OP_FLAG_RESP_GRP_RESVD_0,
    }


# --------------------------------------------------------------------------- links


def _counter_bytes(count: int, fmt: str) -> bytes:
    return b"".join(struct.pack("=" + fmt, i + 1) for i in range(count))


@pytest.mark.parametrize(("name", "fmt", "count", "last"), [
    ("stats", "I", 23, "tx-compressed"),  # before 4.6: no rx-nohandler
    ("stats", "I", 24, "rx-nohandler"),
    ("stats64", "Q", 24, "rx-nohandler"),
    ("stats64", "Q", 25, "rx-otherhost-dropped"),
    ("stats64", "Q", 26, 26),  # a newer kernel's counter: kept by number
])  # fmt: skip
def test_link_stats_by_length(name: str, fmt: str, count: int, last: str | int) -> None:
    payload = _counter_bytes(count, fmt)
    attr = LINK_ATTRS[name]
    value = attr.decode(payload, {})
    assert value["rx-packets"] == 1 and value["tx-packets"] == 2
    assert list(value)[-1] == last and value[last] == count
    assert attr.encode(value, {}) == payload


def test_af_spec_per_family() -> None:
    """AF_UNSPEC layout: [AF_INET {IFLA_INET_CONF u32[]}], [AF_INET6 {...}]."""
    inet_conf = _counter_bytes(33, "I")
    data = (hexbytes("8c00 0200  8800 0100") + inet_conf
            + hexbytes("""
            3800 0a00  # AF_INET6
              0800 0100 00000080  # IFLA_INET6_FLAGS IF_READY
              1000 0200 00000000 40000000 ffffffff  # IFLA_INET6_CONF s32[3]: 0, 64, -1
              1400 0700 fe800000000000000000000000000001  # IFLA_INET6_TOKEN
              0500 0800 01 000000  # IFLA_INET6_ADDR_GEN_MODE none
            """))
    value = LINK_ATTRS["af-spec"].decode(data, {})
    assert value["inet"]["conf"] == list(range(1, 34))
    assert link.IPV4_DEVCONF[7] == "rp-filter" and value["inet"]["conf"][7] == 8
    assert value["inet6"] == {"flags": 0x80000000, "conf": [0, 64, -1],
                              "token": "fe80::1", "addr-gen-mode": 1}
    assert LINK_ATTRS["af-spec"].encode(value, {}) == data


def test_af_spec_inet_conf_request_is_a_nest() -> None:
    """Setting devconf values: a nest of u32 numbered by IPV4_DEVCONF_* id, sparse."""
    value = {"inet": {"conf": {"forwarding": 1, "rp-filter": 2, 40: 7}}}
    data = LINK_ATTRS["af-spec"].encode(value, {})
    assert data == hexbytes("""
        2000 0200  # AF_INET
          1c00 0100  # IFLA_INET_CONF
            0800 0100 01000000  # IPV4_DEVCONF_FORWARDING 1
            0800 0800 02000000  # IPV4_DEVCONF_RP_FILTER 2
            0800 2800 07000000  # devconf id 40 (unknown to the table)
    """)
    assert LINK_ATTRS["af-spec"].decode(data, {}) == value


def test_af_spec_bridge_vlans() -> None:
    """AF_BRIDGE layout: IFLA_BRIDGE_FLAGS (0), IFLA_BRIDGE_VLAN_INFO (2) repeated."""
    value = {"flags": link.BRIDGE_FLAGS_MASTER,
             "vlan-info": [{"flags": link.BRIDGE_VLAN_INFO_PVID | link.BRIDGE_VLAN_INFO_UNTAGGED,
                            "vid": 1},
                           {"flags": 0, "vid": 100}]}
    data = LINK_ATTRS["af-spec"].encode(value, {})
    assert data == hexbytes("""
        0600 0000 0100 0000  # IFLA_BRIDGE_FLAGS BRIDGE_FLAGS_MASTER
        0800 0200 0600 0100  # IFLA_BRIDGE_VLAN_INFO {PVID|UNTAGGED, vid 1}
        0800 0200 0000 6400  # IFLA_BRIDGE_VLAN_INFO {0, vid 100}
    """)
    assert LINK_ATTRS["af-spec"].decode(data, {}) == value
    # a vlan-info alone (as `bridge vlan` dumps send it) is still told from AF_INET
    assert link.is_bridge_af_spec(hexbytes("0800 0200 0000 6400"))
    assert LINK_ATTRS["af-spec"].decode(hexbytes("0800 0200 0000 6400"), {}) == {
        "vlan-info": [{"flags": 0, "vid": 100}]}


def test_vfinfo_xdp_proto_down_reason() -> None:
    vf_mac = struct.pack("=I32s", 0, bytes.fromhex("5a026f7cd192"))
    data = (hexbytes("""
        6c00 1600  # IFLA_VFINFO_LIST
          6800 0100  # IFLA_VF_INFO
            2800 0100""") + vf_mac + hexbytes("""  # IFLA_VF_MAC {vf 0, mac[32]}
            1000 0200 00000000 64000000 03000000  # IFLA_VF_VLAN {vf 0, vlan 100, qos 3}
            1800 0c00  # IFLA_VF_VLAN_LIST
              1400 0100 00000000 64000000 03000000 88a8 0000  # info, vlan_proto __be16
            1400 0a00 00000000 00000000 0100000000000000  # IFLA_VF_IB_NODE_GUID (padded)
        1400 2b00  # IFLA_XDP
          0500 0200 01 000000  # IFLA_XDP_ATTACHED drv
          0800 0400 07000000  # IFLA_XDP_PROG_ID 7
        1400 3700  # IFLA_PROTO_DOWN_REASON
          0800 0100 ffffffff  # MASK
          0800 0200 04000000  # VALUE
    """))
    decoded = LINK_ATTRS.decode(data)
    info = decoded["vfinfo-list"]["info"][0]
    assert info["mac"]["mac"][:6] == bytes.fromhex("5a026f7cd192")
    assert info["vlan"] == {"vf": 0, "vlan": 100, "qos": 3}
    assert info["vlan-list"] == {"info": [{"vf": 0, "vlan": 100, "qos": 3,
                                           "vlan-proto": 0x88A8}]}
    assert info["ib-node-guid"] == {"vf": 0, "guid": 1}
    assert decoded["xdp"] == {"attached": 1, "prog-id": 7}
    assert decoded["proto-down-reason"] == {"mask": 0xFFFFFFFF, "value": 4}
    assert LINK_ATTRS.encode(decoded) == data


# --------------------------------------------------------------------------- robustness

_MINE = ("link", "fib-rule", "neighbour", "nexthop", "nha-", "linkinfo-", "bond-", "bridge-",
         "vf", "xdp", "ifla", "af-spec", "mctp", "proto-down", "fdb-ext", "macvlan-",
         "prop-list")  # the sets of this change (not addr/route)


@settings(max_examples=150, deadline=None)
@given(payload=st.binary(max_size=160))
def test_every_attribute_decoder_raises_only_decode_error(payload: bytes) -> None:
    """Any payload, in any attribute of these tables: a value or DecodeError, nothing else."""
    for name, aset in our_sets().items():
        if not name.startswith(_MINE):
            continue
        for number in aset.by_number:
            with contextlib.suppress(DecodeError):
                aset.decode(encode_attr(number, payload))


class _Reads(dict[str | int, Any]):
    """An empty IFLA_INFO_DATA that notes which attributes a kind's observe asks for."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: set[str | int] = set()

    def get(self, key: str | int, default: Any = None) -> Any:
        self.asked.add(key)
        return default

    def __contains__(self, key: object) -> bool:
        self.asked.add(key)  # type: ignore[arg-type]
        return False


def test_observe_decodes_every_kind_attribute_its_section_reads() -> None:
    """kinds.register(..., observed=...) narrows what observe decodes of a kind's data; a
    name the section's observe reads but the list lacks would be read as absent."""
    from nlstate.kinds import SECTION_BY_KIND
    from nlstate.kinds.section import ObservedLink, ObservedPort

    for kind, section in SECTION_BY_KIND.items():
        data, port = _Reads(), _Reads()
        with contextlib.suppress(Exception):  # what it asked before stopping counts
            section.observe(ObservedLink("x0", {}, data, [ObservedPort("p0", port)], {}))
        for asked, sub in ((data.asked, link.LINKINFO_DATA_OBSERVED),
                           (port.asked, link.LINKINFO_SLAVE_DATA_OBSERVED)):
            table = sub.sets.get(kind)
            decoded = {name for name, _, _ in table.decoders().values()} if table else set()
            assert asked <= decoded, (kind, asked - decoded)
    bridge_data = link.LINKINFO_DATA_OBSERVED.sets["bridge"]
    assert len(bridge_data.decoders()) < len(link.LINKINFO_DATA.sets["bridge"].decoders())
