"""Request builders: golden bytes worked out by hand from the kernel headers (<linux/rtnetlink.h>,
<linux/fib_rules.h>, <linux/neighbour.h>, <linux/nexthop.h>), and decode(encode) through
the rtnl tables."""

from __future__ import annotations

import socket
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nlstate.model.records import Neighbor, Nexthop, NexthopMember, Route, RouteRule
from nlstate.netlink.consts import NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE
from nlstate.netlink.message import Request
from nlstate.requests import (
    RequestError,
    RouteKey,
    UnknownInterfaceError,
    group_routes,
    neighbor_command,
    neighbor_request,
    nexthop_command,
    nexthop_request,
    route_command,
    route_key,
    route_keys,
    route_request,
    route_requests,
    rule_command,
    rule_key,
    rule_request,
)
from nlstate.requests import routes as routes_module
from nlstate.rtnl import consts as rc

NAMES = {"eth0": 2, "eth1": 3, "lo": 1}


def _hex(text: str) -> bytes:
    """Bytes from hex written in groups, with # comments."""
    return bytes.fromhex("".join(line.split("#")[0] for line in text.splitlines()))


def _decoded(request: Request) -> tuple[dict[str, Any], dict[str | int, Any]]:
    assert request.spec is not None
    return request.spec.decode(request.payload, 0, len(request.payload))


# ------------------------------------------------------------------------ golden bytes

def test_route_create_golden() -> None:
    request = route_request("create", [Route("10.0.0.0/8", "eth0", "192.0.2.1", table_id=100)],
                            NAMES)
    assert (request.type, request.flags, request.name) == (
        rc.RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, "RTM_NEWROUTE")
    assert request.payload == _hex("""
        02 08 00 00 64 04 00 01   # family 2, dst_len 8, src_len 0, tos 0, table 100,
                                  # protocol 4 (RTPROT_STATIC), scope 0 (universe), type 1
        00 00 00 00               # rtm_flags
        08 00 01 00 0a 00 00 00   # RTA_DST 10.0.0.0
        08 00 0f 00 64 00 00 00   # RTA_TABLE 100
        08 00 06 00 00 00 00 00   # RTA_PRIORITY 0 (the IPv4 default, said explicitly)
        08 00 05 00 c0 00 02 01   # RTA_GATEWAY 192.0.2.1
        08 00 04 00 02 00 00 00   # RTA_OIF 2
    """)
    assert request.label == "route 10.0.0.0/8 via 192.0.2.1 dev eth0 table 100"


def test_route_delete_ipv6_big_table_golden() -> None:
    request = route_request("delete", [Route("2001:db8::/32", "eth0", "2001:db8::1",
                                             table_id=1000, mtu=1400)], NAMES)
    assert (request.type, request.flags, request.name) == (rc.RTM_DELROUTE, 0, "RTM_DELROUTE")
    assert request.payload == _hex("""
        0a 20 00 00 00 00 ff 01   # AF_INET6, dst_len 32, tos 0, table 0 (RT_TABLE_UNSPEC:
                                  # > 255 goes in RTA_TABLE), protocol 0 (any),
                                  # scope 255 (RT_SCOPE_NOWHERE: any), type unicast
        00 00 00 00
        14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 00   # RTA_DST 2001:db8::
        08 00 0f 00 e8 03 00 00   # RTA_TABLE 1000
        08 00 06 00 00 04 00 00   # RTA_PRIORITY 1024 (IP6_RT_PRIO_USER)
    """)  # a delete names the key only: no next hop, no metrics


def test_multipath_golden() -> None:
    hops = [Route("10.1.0.0/16", "eth0", "192.0.2.1", weight=3),
            Route("10.1.0.0/16", "eth1", "198.51.100.1", weight=1, onlink=True)]
    request = route_request("replace", hops, NAMES)
    assert request.flags == NLM_F_CREATE | NLM_F_REPLACE
    assert request.payload == _hex("""
        02 10 00 00 fe 04 00 01   # AF_INET, /16, table 254 (main), static, universe, unicast
        00 00 00 00
        08 00 01 00 0a 01 00 00   # RTA_DST 10.1.0.0
        08 00 0f 00 fe 00 00 00   # RTA_TABLE 254
        08 00 06 00 00 00 00 00   # RTA_PRIORITY 0
        24 00 09 00               # RTA_MULTIPATH, 36 bytes
        10 00 00 02 02 00 00 00   #   rtnexthop len 16, flags 0, hops 2 (weight 3), ifindex 2
        08 00 05 00 c0 00 02 01   #   RTA_GATEWAY 192.0.2.1
        10 00 04 00 03 00 00 00   #   rtnexthop len 16, flags RTNH_F_ONLINK, hops 0, ifindex 3
        08 00 05 00 c6 33 64 01   #   RTA_GATEWAY 198.51.100.1
    """)


def test_rule_golden() -> None:
    rule = RouteRule(priority=100, ip_from="10.0.0.0/8", fwmark=0x10, fwmask=0xFF,
                     route_table=1000)
    request = rule_request("create", rule)
    assert (request.type, request.flags) == (rc.RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL)
    assert request.payload == _hex("""
        02 00 08 00 00 00 00 01   # AF_INET, dst_len 0, src_len 8, tos 0, table 0 (> 255),
                                  # res1, res2, action FR_ACT_TO_TBL
        00 00 00 00               # flags
        08 00 02 00 0a 00 00 00   # FRA_SRC 10.0.0.0
        08 00 0f 00 e8 03 00 00   # FRA_TABLE 1000
        08 00 06 00 64 00 00 00   # FRA_PRIORITY 100
        08 00 0a 00 10 00 00 00   # FRA_FWMARK 0x10
        08 00 10 00 ff 00 00 00   # FRA_FWMASK 0xff
        05 00 15 00 04 00 00 00   # FRA_PROTOCOL 4 (static), padded
    """)


def test_neighbor_golden() -> None:
    request = neighbor_request("create", Neighbor("192.0.2.9", "eth0", "02:00:00:00:00:09"),
                               NAMES)
    assert request.type == rc.RTM_NEWNEIGH
    assert request.payload == _hex("""
        02 00 00 00               # ndm_family AF_INET, padding
        02 00 00 00               # ndm_ifindex 2
        80 00 00 00               # ndm_state NUD_PERMANENT, ndm_flags 0, ndm_type 0
        08 00 01 00 c0 00 02 09   # NDA_DST 192.0.2.9
        0a 00 02 00 02 00 00 00 00 09 00 00   # NDA_LLADDR, padded
    """)


def test_nexthop_group_golden() -> None:
    request = nexthop_request("create", Nexthop(10, group=(NexthopMember(1, 3),
                                                           NexthopMember(2, 300))))
    assert request.type == rc.RTM_NEWNEXTHOP
    assert request.payload == _hex("""
        00 00 04 00 00 00 00 00   # nh_family AF_UNSPEC (a group), scope 0, protocol static,
                                  # resvd, nh_flags 0
        08 00 01 00 0a 00 00 00   # NHA_ID 10
        14 00 02 00               # NHA_GROUP, two struct nexthop_grp:
        01 00 00 00 02 00 00 00   #   id 1, weight 3 - 1, weight_high 0, resvd2
        02 00 00 00 2b 01 00 00   #   id 2, weight 300 - 1 = 0x12b: low 0x2b, high 0x01
        06 00 03 00 00 00 00 00   # NHA_GROUP_TYPE mpath (u16), padded
    """)


# ------------------------------------------------------------------------ decode(encode)

def test_route_decodes_to_what_was_said() -> None:
    route = Route("10.2.0.0/16", "eth0", "2001:db8::1", metric=7, table_id=300, tos=0x10,
                  source="192.0.2.5", protocol="bird", mtu=1400, quickack=True, congctl="reno",
                  onlink=True)
    header, attrs = _decoded(route_request("create", [route], NAMES))
    assert header["rtm-table"] == rc.RT_TABLE_UNSPEC and attrs["table"] == 300
    assert (header["rtm-tos"], header["rtm-protocol"], header["rtm-flags"]) == (
        0x10, 12, rc.RTNH_F_ONLINK)  # bird
    assert attrs["via"] == {"family": socket.AF_INET6, "address": "2001:db8::1"}
    assert "gateway" not in attrs
    assert (attrs["priority"], attrs["prefsrc"], attrs["oif"]) == (7, "192.0.2.5", 2)
    assert attrs["metrics"] == {"mtu": 1400, "quickack": 1, "cc-algo": "reno"}


@pytest.mark.parametrize(("route", "scope"), [
    (Route("10.0.0.0/8", "eth0"), rc.RT_SCOPE_LINK),
    (Route("10.0.0.0/8", "eth0", "192.0.2.1"), rc.RT_SCOPE_UNIVERSE),
    (Route("10.0.0.0/8", next_hop_id=4), rc.RT_SCOPE_UNIVERSE),
    (Route("10.0.0.1/32", "lo", route_type="local"), rc.RT_SCOPE_HOST),
    (Route("10.0.0.255/32", "eth0", route_type="broadcast"), rc.RT_SCOPE_LINK),
    (Route("10.0.0.0/8", route_type="blackhole"), rc.RT_SCOPE_UNIVERSE),
    (Route("2001:db8::/32", "eth0"), rc.RT_SCOPE_UNIVERSE),
    (Route("10.0.0.0/8", "eth0", scope="host"), rc.RT_SCOPE_HOST),
])
def test_default_scope_is_observes(route: Route, scope: int) -> None:
    header, _ = _decoded(route_request("create", [route], NAMES))
    assert header["rtm-scope"] == scope


def test_reject_routes_and_nexthop_ids_send_no_next_hop() -> None:
    # as observe reports them: an IPv6 blackhole on lo, a route via a nexthop group as one
    # record per member (with the member's gateway)
    _, attrs = _decoded(route_request("create", [Route("2001:db8::/32", "lo",
                                                       route_type="blackhole")], NAMES))
    assert "oif" not in attrs
    via_group = [Route("10.0.0.0/8", "eth0", "192.0.2.1", next_hop_id=10, weight=1),
                 Route("10.0.0.0/8", "eth1", "198.51.100.1", next_hop_id=10, weight=2)]
    _, attrs = _decoded(route_request("create", via_group, NAMES))
    assert attrs["nh-id"] == 10
    assert not {"oif", "gateway", "multipath"} & set(attrs)


def test_multipath_decodes() -> None:
    hops = [Route("2001:db8::/32", "eth0", "fe80::1", weight=2),
            Route("2001:db8::/32", "eth1", "fe80::2", mtu=1300)]
    _, attrs = _decoded(route_request("create", hops, NAMES))
    assert [(h["ifindex"], h["hops"], h["attrs"]["gateway"]) for h in attrs["multipath"]] == [
        (2, 1, "fe80::1"), (3, 0, "fe80::2")]
    assert attrs["metrics"] == {"mtu": 1300}  # a route-wide field said on one hop


def test_rule_decodes() -> None:
    rule = RouteRule(family="ipv6", priority=5, ip_to="2001:db8::/32", iif="eth0", oif="eth1",
                     action="goto", goto=9, invert=True, ip_proto=17, sport="53",
                     dport="1000-2000", uid_range="0-99", suppress_prefix_length=0,
                     suppress_ifgroup=4, protocol="bird", tos=0x08)
    header, attrs = _decoded(rule_request("create", rule))
    assert header == {"family": socket.AF_INET6, "dst-len": 32, "src-len": 0, "tos": 0x08,
                      "table": 0, "action": 2, "flags": 2}
    assert "table" not in attrs
    assert attrs["sport-range"] == {"start": 53, "end": 53}
    assert attrs["dport-range"] == {"start": 1000, "end": 2000}
    assert attrs["uid-range"] == {"start": 0, "end": 99}
    assert (attrs["iifname"], attrs["oifname"], attrs["goto"], attrs["protocol"]) == (
        "eth0", "eth1", 9, 12)
    assert (attrs["suppress-prefixlen"], attrs["suppress-ifgroup"], attrs["ip-proto"]) == (
        0, 4, 17)


def test_rule_defaults() -> None:
    header, attrs = _decoded(rule_request("create", RouteRule(priority=7)))
    assert (header["family"], header["table"], attrs["table"], attrs["protocol"]) == (
        socket.AF_INET, 254, 254, 4)
    _, attrs = _decoded(rule_request("create", RouteRule(priority=7, l3mdev=True)))
    assert attrs["l3mdev"] == 1 and "table" not in attrs
    # a delete sends only what the record says (no protocol, no default table)
    _, attrs = _decoded(rule_request("delete", RouteRule(priority=7)))
    assert attrs == {"priority": 7}


def test_neighbor_variants() -> None:
    header, attrs = _decoded(neighbor_request(
        "replace", Neighbor("2001:db8::5", "eth1", "02:00:00:00:00:05", state="stale",
                            router=True), NAMES))
    assert (header["ndm-family"], header["ndm-ifindex"], header["ndm-state"],
            header["ndm-flags"]) == (socket.AF_INET6, 3, 0x04, 0x80)
    header, attrs = _decoded(neighbor_request("create", Neighbor("192.0.2.5", "eth0",
                                                                 proxy=True), NAMES))
    assert (header["ndm-state"], header["ndm-flags"], attrs) == (0, 0x08, {"dst": "192.0.2.5"})
    request = neighbor_request("delete", Neighbor("192.0.2.5", "eth0", "02:00:00:00:00:05"),
                               NAMES)
    assert (request.type, request.flags) == (rc.RTM_DELNEIGH, 0)
    assert _decoded(request)[1] == {"dst": "192.0.2.5"}


def test_nexthop_variants() -> None:
    header, attrs = _decoded(nexthop_request(
        "replace", Nexthop(3, next_hop_address="2001:db8::1", next_hop_interface="eth0",
                           onlink=True, protocol="zebra"), NAMES))
    assert header == {"nh-family": socket.AF_INET6, "nh-scope": 0, "nh-protocol": 11,
                      "nh-flags": rc.RTNH_F_ONLINK}
    assert attrs == {"id": 3, "oif": 2, "gateway": "2001:db8::1"}
    header, attrs = _decoded(nexthop_request("create", Nexthop(4, blackhole=True)))
    assert header["nh-family"] == socket.AF_INET and attrs == {"id": 4, "blackhole": True}
    _, attrs = _decoded(nexthop_request("create", Nexthop(
        5, group=(NexthopMember(1), NexthopMember(2)), group_type="resilient")))
    assert attrs["group-type"] == 1 and attrs["res-group"] == {"buckets": 128}
    _, attrs = _decoded(nexthop_request("replace", Nexthop(
        5, group=(NexthopMember(1),), group_type="resilient")))
    assert "res-group" not in attrs  # the bucket count cannot change
    _, attrs = _decoded(nexthop_request("create", Nexthop(6, next_hop_address="192.0.2.1",
                                                          fdb=True)))
    assert attrs == {"id": 6, "gateway": "192.0.2.1", "fdb": True}
    request = nexthop_request("delete", Nexthop(6, next_hop_address="192.0.2.1"))
    assert (request.type, _decoded(request)[1]) == (rc.RTM_DELNEXTHOP, {"id": 6})


# ------------------------------------------------------------------------ keys

def test_route_key_fills_what_observe_reports() -> None:
    assert route_key(Route("10.0.0.0/8")) == RouteKey(socket.AF_INET, 254, "10.0.0.0/8", 0, 0)
    assert route_key(Route("2001:db8::/32")) == RouteKey(socket.AF_INET6, 254, "2001:db8::/32",
                                                         0, 1024)
    assert route_key(Route("2001:db8::/32", metric=0)).metric == 1024
    assert route_key(Route("10.0.0.0/8", table_id=100, tos=8, metric=5)) == RouteKey(
        socket.AF_INET, 100, "10.0.0.0/8", 8, 5)
    grouped = group_routes([Route("10.0.0.0/8", "eth0"), Route("10.0.0.0/8", "eth1"),
                            Route("10.0.0.0/8", "eth0", metric=5)])
    assert [len(hops) for hops in grouped.values()] == [2, 1]


def test_rule_key() -> None:
    assert rule_key(RouteRule(priority=1, protocol="bird")) == RouteRule(
        family="ipv4", priority=1, route_table=254)
    assert rule_key(RouteRule(priority=1, fwmark=3, fwmask=0xFFFFFFFF)) == rule_key(
        RouteRule(family="ipv4", priority=1, fwmark=3, route_table=254, protocol="static"))
    assert rule_key(RouteRule(priority=1, action="blackhole")).route_table is None


# ------------------------------------------------------------------------ errors, text

def test_unknown_interface_names_object_and_interface() -> None:
    with pytest.raises(UnknownInterfaceError) as info:
        route_request("create", [Route("10.0.0.0/8", "eth9", "192.0.2.1")], NAMES)
    assert info.value.interface == "eth9"
    assert str(info.value) == ("route 10.0.0.0/8 via 192.0.2.1 dev eth9: no interface named "
                               "'eth9'")
    with pytest.raises(UnknownInterfaceError, match=r"neighbour 192\.0\.2\.1"):
        neighbor_request("create", Neighbor("192.0.2.1", "eth9"), NAMES)
    with pytest.raises(UnknownInterfaceError, match="nexthop id 1"):
        nexthop_request("create", Nexthop(1, next_hop_interface="eth9"), NAMES)


def test_inconsistent_records_are_refused() -> None:
    with pytest.raises(RequestError, match="one key"):
        route_request("create", [Route("10.0.0.0/8", "eth0"),
                                 Route("10.0.0.0/8", "eth1", metric=3)], NAMES)
    with pytest.raises(RequestError, match="disagree on protocol"):
        route_request("create", [Route("10.0.0.0/8", "eth0", protocol="bird"),
                                 Route("10.0.0.0/8", "eth1", protocol="zebra")], NAMES)
    with pytest.raises(RequestError, match="no key"):
        route_request("create", [Route(None, "eth0")], NAMES)
    with pytest.raises(RequestError, match="delete and create"):
        rule_request("replace", RouteRule(priority=1))  # type: ignore[arg-type]


def test_ip_commands() -> None:
    route = Route("10.0.0.0/8", "eth0", "192.0.2.1", table_id=100, metric=5, mtu=1400)
    assert route_command("create", [route]) == (
        "ip route add 10.0.0.0/8 table 100 metric 5 proto static mtu 1400 via 192.0.2.1 dev eth0")
    assert route_command("delete", [route]) == "ip route del 10.0.0.0/8 table 100 metric 5"
    hops = [Route("10.1.0.0/16", "eth0", "192.0.2.1", weight=3),
            Route("10.1.0.0/16", "eth1", "2001:db8::1", onlink=True)]
    assert route_command("replace", hops) == (
        "ip route replace 10.1.0.0/16 proto static nexthop via 192.0.2.1 dev eth0 weight 3 "
        "nexthop via inet6 2001:db8::1 dev eth1 onlink weight 1")
    assert route_command("create", [Route("10.0.0.1/32", "lo", route_type="local")]) == (
        "ip route add local 10.0.0.1/32 table main proto static dev lo")
    rule = RouteRule(family="ipv6", priority=5, ip_from="2001:db8::/32", fwmark=16, fwmask=255,
                     route_table=200)
    assert rule_command("create", rule) == (
        "ip -6 rule add priority 5 from 2001:db8::/32 fwmark 0x10/0xff lookup 200 "
        "protocol static")
    assert rule_command("create", RouteRule(priority=9)) == (
        "ip rule add priority 9 lookup main protocol static")
    assert rule_command("delete", RouteRule(priority=9, action="blackhole")) == (
        "ip rule del priority 9 blackhole")
    assert neighbor_command("create", Neighbor("192.0.2.5", "eth0", "02:AA:00:00:00:05")) == (
        "ip neigh add 192.0.2.5 lladdr 02:aa:00:00:00:05 dev eth0 nud permanent")
    assert neighbor_command("delete", Neighbor("192.0.2.5", "eth0", "02:AA:00:00:00:05")) == (
        "ip neigh del 192.0.2.5 dev eth0")
    assert nexthop_command("create", Nexthop(10, group=(NexthopMember(1, 3),
                                                        NexthopMember(2)))) == (
        "ip nexthop add id 10 group 1,3/2 proto static")
    assert nexthop_command("replace", Nexthop(1, next_hop_address="192.0.2.1",
                                              next_hop_interface="eth0", onlink=True)) == (
        "ip nexthop replace id 1 via 192.0.2.1 dev eth0 onlink proto static")
    assert nexthop_command("delete", Nexthop(1)) == "ip nexthop del id 1"


_PLAIN_ROUTES = st.builds(
    lambda v6, host, gateway, device, table, metric, tos, scope, protocol, source, onlink: Route(
        destination=f"2001:db8:{host:x}::/64" if v6 else f"10.{host % 256}.0.0/16",
        next_hop_address=(("2001:db8::1" if v6 else "192.0.2.1") if gateway else None),
        next_hop_interface="eth0" if device else None, table_id=table, metric=metric,
        tos=tos, scope=scope, protocol=protocol,
        source=(("2001:db8::9" if v6 else "192.0.2.9") if source else None), onlink=onlink),
    st.booleans(), st.integers(0, 65535), st.booleans(), st.booleans(),
    st.sampled_from([None, 254, 100, 1000]), st.sampled_from([None, 0, 100]),
    st.sampled_from([None, 0, 8]), st.sampled_from([None, "global", "link"]),
    st.sampled_from([None, "static", "bird"]), st.booleans(), st.sampled_from([None, True]))


@settings(max_examples=300, deadline=None)
@given(_PLAIN_ROUTES, st.sampled_from(["create", "replace"]))
def test_plain_routes_pack_the_bytes_of_the_general_path(route: Route, action: str) -> None:
    """route_request packs plain routes directly: the same request as the general path."""
    fast = route_request(action, [route], {"eth0": 7})  # type: ignore[arg-type]
    with patch.object(routes_module, "_plain", lambda route: False):
        general = route_request(action, [route], {"eth0": 7})  # type: ignore[arg-type]
    assert fast == general


_DEFAULT_ROUTES = st.sampled_from([
    Route(destination="0.0.0.0/0", next_hop_address="192.0.2.1"),
    Route(destination="::/0", next_hop_address="2001:db8::1", next_hop_interface="eth0"),
    Route(destination="192.0.2.0/24", next_hop_interface="eth0", route_type="blackhole"),
    Route(destination="10.1.0.0/16", next_hop_interface="eth0", mtu=1400),
    Route(destination="10.2.0.0/16", next_hop_address="2001:db8::1"),  # IPv4 via IPv6
])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PLAIN_ROUTES, _DEFAULT_ROUTES), max_size=12),
       st.sampled_from(["create", "replace", "delete"]))
def test_routes_built_many_at_once_are_those_built_one_by_one(routes: list[Route],
                                                              action: str) -> None:
    """route_requests (apply's way, sharing bytes between routes of one shape) gives each
    route's request as route_request does, unlabelled."""
    names = {"eth0": 7}
    many = route_requests(action, [[route] for route in routes], names)  # type: ignore[arg-type]
    one_by_one = [route_request(action, [route], names)  # type: ignore[arg-type]
                  for route in routes]
    assert many == [request._replace(label="") for request in one_by_one]


def test_multipath_routes_built_many_at_once() -> None:
    hops = [Route(destination="10.9.0.0/16", next_hop_address=gateway, next_hop_interface="eth0")
            for gateway in ("192.0.2.1", "192.0.2.2")]
    many = route_requests("create", [hops, hops[:1]], {"eth0": 7})
    assert many == [route_request("create", hops, {"eth0": 7})._replace(label=""),
                    route_request("create", hops[:1], {"eth0": 7})._replace(label="")]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(
    Route, destination=st.sampled_from(["10.0.0.0/8", "2001:db8::/64", "0.0.0.0/0", "::/0"]),
    metric=st.sampled_from([None, 0, 100]), table_id=st.sampled_from([None, 254, 1000]),
    tos=st.sampled_from([None, 0, 8])), max_size=8))
def test_route_keys_of_many_are_route_key_of_each(routes: list[Route]) -> None:
    assert route_keys(routes) == [route_key(route) for route in routes]
