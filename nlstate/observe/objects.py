"""Rules, neighbours and nexthops from their dumps (few enough for the generic decoder)."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Any, get_args

from nlstate.model.records import Neighbor, Nexthop, NexthopMember, RouteRule
from nlstate.model.rules import RuleAction
from nlstate.netlink import KernelError, NetlinkSocket
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.neigh import NTF_PROXY, NTF_ROUTER, NUD_PERMANENT, NUD_STATES
from nlstate.rtnl.nexthop import GROUP_TYPES, NEXTHOP_GRP_TYPE_MPATH
from nlstate.rtnl.rule import FIB_RULE_INVERT, FR_ACTIONS
from nlstate.values import addresses, canonical

FAMILIES = rc.FAMILY_NAMES
ANY_ADDRESS = rc.ANY_ADDRESS
# the file's actions; a plain table lookup (FR_ACT_TO_TBL) is said by leaving the action out
RULE_ACTIONS = {number: name for number, name in FR_ACTIONS.items()
                if name in get_args(RuleAction)}


def _prefix(family: int, address: str | None, length: int) -> str | None:
    if address is None and length == 0:
        return None
    return f"{address or ANY_ADDRESS[family]}/{length}"


def _range(value: Mapping[str, int] | None) -> str | None:
    if value is None:
        return None
    start, end = value["start"], value["end"]
    return str(start) if start == end else f"{start}-{end}"


def dump_rules(sock: NetlinkSocket) -> list[RouteRule]:
    rules = []
    for m in sock.dump(build_request(rc.RTM_GETRULE, {"family": socket.AF_UNSPEC})):
        family = m.header["family"]
        if family not in FAMILIES:
            continue
        a = m.attrs
        table = a.get("table", m.header["table"])
        action = RULE_ACTIONS.get(m.header["action"])
        rules.append(RouteRule(
            family=FAMILIES[family],
            priority=a.get("priority", 0),
            ip_from=_prefix(family, a.get("src"), m.header["src-len"]),
            ip_to=_prefix(family, a.get("dst"), m.header["dst-len"]),
            route_table=table if action is None and table else None,
            fwmark=a.get("fwmark"),
            fwmask=a.get("fwmask") if a.get("fwmask") not in (None, 0xFFFFFFFF) else None,
            iif=a.get("iifname"),
            oif=a.get("oifname"),
            action=action,
            suppress_prefix_length=_unless(a.get("suppress-prefixlen"), 0xFFFFFFFF),
            suppress_ifgroup=_unless(a.get("suppress-ifgroup"), 0xFFFFFFFF),
            tos=m.header["tos"] or None,
            goto=a.get("goto"),
            l3mdev=True if a.get("l3mdev") else None,
            protocol=canonical.protocol_name(a["protocol"]) if "protocol" in a else None,
            ip_proto=a.get("ip-proto"),
            sport=_range(a.get("sport-range")),
            dport=_range(a.get("dport-range")),
            uid_range=_uid_range(a.get("uid-range")),
            invert=True if m.header["flags"] & FIB_RULE_INVERT else None,
        ))
    return rules


def _unless(value: int | None, unset: int) -> int | None:
    return None if value is None or value == unset else value


def _uid_range(value: Mapping[str, int] | None) -> str | None:
    if value is None or (value["start"] == 0 and value["end"] == 0xFFFFFFFF):
        return None  # the kernel reports the full range on every rule
    return _range(value)


def dump_neighbors(sock: NetlinkSocket, family: int, names: Mapping[int, str],
                   ) -> list[Neighbor]:
    neighbors = []
    for m in sock.dump(build_request(rc.RTM_GETNEIGH, {"ndm-family": family})):
        a = m.attrs
        if "dst" not in a:
            continue
        index = m.header["ndm-ifindex"]
        state = m.header["ndm-state"]
        flags = m.header["ndm-flags"]
        lladdr = a.get("lladdr")
        neighbors.append(Neighbor(
            destination=a["dst"],
            interface=names.get(index, str(index)),
            link_layer_address=addresses.mac_address(lladdr) if lladdr else None,
            state=None if state == NUD_PERMANENT else NUD_STATES.get(state, "none"),
            router=True if flags & NTF_ROUTER else None,
            proxy=True if flags & NTF_PROXY else None,
        ))
    return neighbors


def dump_nexthops(sock: NetlinkSocket, names: Mapping[int, str]) -> list[Nexthop]:
    nexthops = []
    try:
        messages = list(sock.dump(build_request(rc.RTM_GETNEXTHOP, {})))
    except KernelError as exc:  # kernels before 5.3 have no nexthop objects
        if exc.errno in (95, 22):  # EOPNOTSUPP, EINVAL
            return []
        raise
    for m in messages:
        nexthops.append(_nexthop(m.header, m.attrs, names))
    return nexthops


def _nexthop(header: Mapping[str, int], a: Mapping[str | int, Any],
             names: Mapping[int, str]) -> Nexthop:
    family = header["nh-family"]
    oif = a.get("oif")
    group = a.get("group")
    return Nexthop(
        id=a["id"],
        family=FAMILIES.get(family) if group is None else None,
        next_hop_address=a.get("gateway"),
        next_hop_interface=names.get(oif, str(oif)) if oif else None,
        blackhole=True if a.get("blackhole") else None,
        onlink=True if header["nh-flags"] & rc.RTNH_F_ONLINK else None,
        group=tuple(NexthopMember(g["id"], g["weight"]) for g in group) if group else None,
        group_type=_group_type(a.get("group-type", 0)) if group else None,
        fdb=True if a.get("fdb") else None,
        protocol=canonical.protocol_name(header["nh-protocol"]),
    )


def _group_type(number: int) -> str | None:
    """mpath (hash-threshold), the kernel's default, is said by leaving the type out."""
    return None if number == NEXTHOP_GRP_TYPE_MPATH else GROUP_TYPES.get(number, str(number))
