"""The request builders against the real kernel: create, observe (nlstate and `ip -j`), delete,
replace. What a desired record leaves out (None) is not compared, except where the builders
promise the kernel's default (protocol static, scope as observe reports it, table and metric
through route_key)."""

from __future__ import annotations

import errno
import shlex
import socket
from collections.abc import Iterable
from typing import Any

import pytest

from nlstate import rtnl
from nlstate.model import State
from nlstate.model.records import Neighbor, Nexthop, NexthopMember, Route, RouteRule
from nlstate.netlink import KernelError, Request
from nlstate.observe import observe
from nlstate.requests import (
    Action,
    RouteKey,
    group_routes,
    neighbor_command,
    neighbor_key,
    neighbor_request,
    nexthop_command,
    nexthop_request,
    route_command,
    route_key,
    route_request,
    rule_command,
    rule_key,
    rule_request,
)
from tests.conftest import Netns

pytestmark = pytest.mark.netns

GW4, GW6, GW4B, GW6B = "192.0.2.2", "2001:db8:1::2", "198.51.100.2", "2001:db8:2::2"
MAC = "02:00:00:00:00:77"

ROUTES = [
    Route("10.10.0.0/16", "gw0", GW4),  # table, metric, protocol, scope: defaults
    Route("10.11.0.0/16", "gw0", GW4, metric=20, table_id=100, mtu=1400, advmss=1360,
          cwnd=10, initcwnd=10, initrwnd=20, hoplimit=64, window=65535, rtt=800, rttvar=400,
          ssthresh=100, reordering=5, quickack=True, congctl="reno"),
    Route("10.12.0.0/16", "gw0", GW4, table_id=100000),
    Route("10.13.0.0/16", "gw0", GW4, weight=3),  # multipath, two hops
    Route("10.13.0.0/16", "e0", GW4B, weight=1),
    Route("10.14.0.0/16", route_type="blackhole"),
    Route("10.15.0.0/16", route_type="unreachable", table_id=100),
    Route("10.16.0.0/16", route_type="prohibit", metric=7),
    Route("10.17.0.0/16", route_type="throw", table_id=100),
    Route("10.18.0.1/32", "lo", route_type="local", table_id=100),
    Route("10.18.0.255/32", "gw0", route_type="broadcast", table_id=101),
    Route("10.18.0.2/32", "gw0", route_type="anycast", table_id=101),
    Route("239.1.0.0/16", "gw0", route_type="multicast", table_id=101),
    Route("10.19.0.0/16", "gw0"),  # no gateway: scope link by default
    Route("10.20.0.0/16", "gw0", scope="host"),
    Route("10.21.0.0/16", "gw0", GW4, source="192.0.2.1", protocol="bird"),
    Route("10.22.0.0/16", "gw0", "203.0.113.1", onlink=True),
    Route("10.23.0.0/16", "gw0", GW6),  # an IPv6 gateway: RTA_VIA
    Route("10.24.0.0/16", "gw0", GW4, tos=0x10),
    Route("10.25.0.0/16", "gw0", GW4, metric=10),  # same prefix, two metrics
    Route("10.25.0.0/16", "e0", GW4B),
    Route("0.0.0.0/0", "gw0", GW4, table_id=102),
    Route("10.30.0.0/16", next_hop_id=10),
    Route("10.31.0.0/16", next_hop_id=1, metric=5),
    Route("2001:db8:10::/48", "gw0", GW6),  # no metric: 1024
    Route("2001:db8:11::/48", "gw0", GW6, metric=50, table_id=200, mtu=1300, hoplimit=9),
    Route("2001:db8:12::/48", "gw0", GW6, weight=2),
    Route("2001:db8:12::/48", "e0", GW6B, weight=1),
    Route("2001:db8:13::/48", route_type="blackhole"),
    Route("2001:db8:14::/48", route_type="unreachable", metric=3, table_id=300),
    Route("2001:db8:15::/48", "gw0", GW6, source="2001:db8:1::1"),
    Route("2001:db8:16::/48", "gw0"),
    Route("2001:db8:17::/48", "gw0", "2001:db8:99::1", onlink=True),
    Route("2001:db8:18::/48", next_hop_id=5),
    Route("2001:db8:19::/48", route_type="prohibit", table_id=300),
    Route("2001:db8:1a::/48", route_type="throw", table_id=300),
    Route("2001:db8:1b::1/128", "lo", route_type="local", table_id=300),
    Route("2001:db8:1c::1/128", "gw0", route_type="anycast", table_id=300),
    Route("ff38::/16", "gw0", route_type="multicast", table_id=300),
]

NEXTHOPS = [
    Nexthop(1, next_hop_address=GW4, next_hop_interface="gw0"),
    Nexthop(2, next_hop_address=GW4B, next_hop_interface="e0"),
    Nexthop(3, blackhole=True),
    Nexthop(4, family="ipv4", next_hop_interface="gw0"),
    Nexthop(5, next_hop_address=GW6, next_hop_interface="gw0"),
    Nexthop(6, next_hop_address="203.0.113.9", next_hop_interface="gw0", onlink=True),
    Nexthop(7, next_hop_address="192.0.2.50", fdb=True),
    Nexthop(8, family="ipv6", next_hop_interface="e0", protocol="zebra"),
    Nexthop(10, group=(NexthopMember(1, 3), NexthopMember(2, 1))),
    Nexthop(11, group=(NexthopMember(1), NexthopMember(2)), group_type="resilient"),
    Nexthop(12, group=(NexthopMember(7),), fdb=True),
    Nexthop(9, family="ipv6", blackhole=True),  # observe leaves out a blackhole's family
    Nexthop(13, group=(NexthopMember(1, 300), NexthopMember(2, 65535))),
]

RULES = [
    RouteRule(priority=100, ip_from="10.0.0.0/8", route_table=100),
    RouteRule(priority=101, ip_to="192.0.2.0/24", route_table=100000),
    RouteRule(priority=102, fwmark=0x10, fwmask=0xFF, route_table=100),
    RouteRule(priority=103, iif="gw0", oif="e0", route_table=100),
    RouteRule(priority=104, ip_from="10.99.0.0/16", action="blackhole"),
    RouteRule(priority=105, fwmark=5, action="unreachable"),
    RouteRule(priority=106, ip_to="10.98.0.0/16", action="prohibit"),
    RouteRule(priority=107, iif="e0", action="nop"),
    RouteRule(priority=108, fwmark=6, action="goto", goto=110),
    RouteRule(priority=109, suppress_prefix_length=0, route_table=254),
    RouteRule(priority=110, route_table=254),
    RouteRule(priority=111, suppress_ifgroup=5),  # table: main by default
    RouteRule(priority=112, tos=0x10, route_table=100),
    RouteRule(priority=113, ip_proto=6, sport="1000-2000", dport="80", route_table=100),
    RouteRule(priority=114, uid_range="1000-2000", route_table=100),
    RouteRule(priority=115, ip_from="10.1.0.0/16", invert=True, route_table=100),
    RouteRule(priority=116, fwmark=7, route_table=100, protocol="boot"),
    RouteRule(priority=117, l3mdev=True),
    RouteRule(family="ipv6", priority=200, ip_from="2001:db8::/32", route_table=200),
    RouteRule(family="ipv6", priority=201, fwmark=0x20, route_table=200),
    RouteRule(family="ipv6", priority=202, ip_to="2001:db8:99::/48", action="unreachable"),
]

NEIGHBORS = [
    Neighbor("192.0.2.77", "gw0", "02:00:00:00:00:77"),
    Neighbor("192.0.2.78", "e0", "02:00:00:00:00:78", state="noarp"),
    Neighbor("192.0.2.79", "gw0", "02:00:00:00:00:79", state="reachable"),
    Neighbor("2001:db8:1::77", "gw0", "02:00:00:00:00:87", router=True),
    Neighbor("2001:db8:2::78", "e0", "02:00:00:00:00:88", state="stale"),
]
PROXY = Neighbor("192.0.2.80", "gw0", proxy=True)


def _setup(ns: Netns) -> dict[str, int]:
    """Two veth pairs with IPv4 and IPv6 addresses, up; name -> ifindex."""
    for this, peer, v4, v6 in (("gw0", "gw1", "192.0.2.1/24", "2001:db8:1::1/64"),
                               ("e0", "e1", "198.51.100.1/24", "2001:db8:2::1/64")):
        ns.ip("link", "add", this, "type", "veth", "peer", "name", peer)
        ns.ip("addr", "add", v4, "dev", this)
        ns.ip("addr", "add", v6, "dev", this, "nodad")
        ns.ip("link", "set", this, "up")
        ns.ip("link", "set", peer, "up")
    return ns.ifindexes()


def _create_requests(names: dict[str, int]) -> list[Request]:
    return [
        *(nexthop_request("create", nh, names) for nh in NEXTHOPS),
        *(route_request("create", hops, names) for hops in group_routes(ROUTES).values()),
        *(neighbor_request("create", n, names) for n in [*NEIGHBORS, PROXY]),
        *(rule_request("create", rule) for rule in RULES),
    ]


def _delete_requests(names: dict[str, int]) -> list[Request]:
    return [
        *(rule_request("delete", rule) for rule in RULES),
        *(neighbor_request("delete", n, names) for n in [*NEIGHBORS, PROXY]),
        *(route_request("delete", hops, names) for hops in group_routes(ROUTES).values()),
        *(nexthop_request("delete", nh) for nh in reversed(NEXTHOPS)),
    ]


def _differences(desired: tuple[Any, ...], observed: tuple[Any, ...]) -> list[str]:
    """Fields the desired record says that the observed one does not have."""
    return [f"{name}: wanted {want!r}, found {got!r}"
            for name, want, got in zip(desired._fields, desired, observed,  # type: ignore[attr-defined]
                                       strict=True)
            if want is not None and want != got]


def _route_problems(desired: Iterable[Route], observed: Iterable[Route]) -> list[str]:
    found = group_routes(observed)
    problems = []
    for key, hops in group_routes(desired).items():
        if key not in found:
            problems.append(f"{key}: not found")
            continue
        got = sorted(found[key], key=_hop_order)
        want = sorted(hops, key=_hop_order)
        if len(want) == 1 and want[0].next_hop_id is not None:
            want = want * len(got)  # via a group: observe reports one hop per member
        if len(got) != len(want):
            problems.append(f"{key}: {len(want)} hop(s) wanted, found {got}")
            continue
        for w, g in zip(want, got, strict=True):
            problems += [f"{key}: {p}" for p in _differences(w, g)]
            # the defaults the builders promise, as observe reports them
            if w.protocol is None and g.protocol != "static":
                problems.append(f"{key}: protocol {g.protocol}, not static")
            if w.scope is None and g.scope is not None:
                problems.append(f"{key}: scope {g.scope}, not the default")
    return problems


def _hop_order(route: Route) -> tuple[str, str]:
    return route.next_hop_address or "", route.next_hop_interface or ""


def _by_key(records: Iterable[Any], key: Any) -> dict[Any, Any]:
    return {key(record): record for record in records}


def _problems(desired: Iterable[Any], observed: Iterable[Any], key: Any) -> list[str]:
    found = _by_key(observed, key)
    problems = []
    for record in desired:
        if key(record) not in found:
            problems.append(f"{key(record)}: not found")
            continue
        problems += [f"{key(record)}: {p}" for p in _differences(record, found[key(record)])]
    return problems


def _observed_problems(ns: Netns) -> list[str]:
    state = observe(ns.name)
    return [
        *_route_problems(ROUTES, state.routes),
        *_problems([nh._replace(family=None) if nh.blackhole else nh for nh in NEXTHOPS],
                   state.nexthops, lambda nh: nh.id),
        *_problems(RULES, state.route_rules, rule_key),
        *_problems(NEIGHBORS, state.neighbors, neighbor_key),
        *[f"nexthop {nh.id}: protocol {nh.protocol}" for nh in state.nexthops
          if nh.protocol != (_by_key(NEXTHOPS, lambda n: n.id)[nh.id].protocol or "static")],
        *[f"rule {r.priority}: protocol {r.protocol}" for r in state.route_rules
          if r.priority in {d.priority for d in RULES}
          and r.protocol != (_by_key(RULES, lambda d: d.priority)[r.priority].protocol
                             or "static")],
    ]


def _ip_routes(ns: Netns, *args: str) -> list[dict[str, Any]]:
    return [*ns.ip_json("-d", "route", "show", "table", "all", *args),
            *ns.ip_json("-d", "-6", "route", "show", "table", "all", *args)]


def _ours(routes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    destinations = {r.destination.split("/")[0] for r in ROUTES if r.destination} | {"default"}
    return [r for r in routes if r["dst"].split("/")[0] in destinations]


def _check_with_iproute2(ns: Netns) -> None:
    main = {r["dst"]: r for r in ns.ip_json("route", "show")}
    assert main["10.10.0.0/16"]["gateway"] == GW4
    assert main["10.10.0.0/16"]["protocol"] == "static"
    assert main["10.10.0.0/16"].get("metric", 0) == 0
    assert main["10.19.0.0/16"]["scope"] == "link"
    assert main["10.21.0.0/16"]["prefsrc"] == "192.0.2.1"
    assert main["10.21.0.0/16"]["protocol"] == "bird"
    assert "onlink" in main["10.22.0.0/16"]["flags"]
    assert main["10.23.0.0/16"]["via"] == {"family": "inet6", "host": GW6}
    assert main["10.30.0.0/16"]["nhid"] == 10
    assert sorted((h["gateway"], h["weight"]) for h in main["10.13.0.0/16"]["nexthops"]) == [
        (GW4, 3), (GW4B, 1)]
    table100 = {r["dst"]: r for r in ns.ip_json("route", "show", "table", "100")}
    metrics = table100["10.11.0.0/16"]["metrics"]
    assert {"mtu": 1400, "advmss": 1360, "hoplimit": 64, "congestion": "reno"}.items() <= {
        k: v for m in metrics for k, v in m.items()}.items()
    assert table100["10.11.0.0/16"]["metric"] == 20
    assert table100["10.15.0.0/16"]["type"] == "unreachable"
    assert ns.ip_json("route", "show", "table", "100000")[0]["dst"] == "10.12.0.0/16"
    six = {r["dst"]: r for r in ns.ip_json("-6", "route", "show")}
    assert six["2001:db8:10::/48"]["metric"] == 1024
    assert six["2001:db8:13::/48"]["type"] == "blackhole"
    assert {h["gateway"] for h in six["2001:db8:12::/48"]["nexthops"]} == {GW6, GW6B}
    assert ns.ip_json("-6", "route", "show", "table", "200")[0]["metric"] == 50

    rules = {r["priority"]: r for r in ns.ip_json("rule", "show")}
    assert rules[101]["table"] == "100000"
    assert rules[102]["fwmark"] == "0x10" and rules[102]["fwmask"] == "0xff"
    assert rules[103]["iif"] == "gw0" and rules[103]["oif"] == "e0"
    assert rules[104]["action"] == "blackhole"
    assert (rules[113]["sport_start"], rules[113]["sport_end"], rules[113]["dport"]) == (
        1000, 2000, 80)
    assert (rules[114]["uid_start"], rules[114]["uid_end"]) == (1000, 2000)
    assert rules[115]["not"] is None
    assert rules[116]["protocol"] == "boot" and rules[100]["protocol"] == "static"
    assert ns.ip_json("-6", "rule", "show", "priority", "200")[0]["src"] == "2001:db8::"

    neighbors = {n["dst"]: n for n in ns.ip_json("neigh", "show", "dev", "gw0")}
    assert neighbors["192.0.2.77"]["lladdr"] == MAC
    assert neighbors["192.0.2.77"]["state"] == ["PERMANENT"]
    assert "router" in neighbors["2001:db8:1::77"]
    assert [n["dst"] for n in ns.ip_json("neigh", "show", "proxy")] == ["192.0.2.80"]

    nexthops = {n["id"]: n for n in ns.ip_json("nexthop", "show")}
    assert nexthops[1]["gateway"] == GW4 and nexthops[1]["dev"] == "gw0"
    assert nexthops[10]["group"] == [{"id": 1, "weight": 3}, {"id": 2}]
    assert nexthops[11]["type"] == "resilient"
    assert "fdb" in nexthops[12]
    assert nexthops[6]["flags"] == ["onlink"]
    assert [n["id"] for n in ns.ip_json("-6", "nexthop", "show") if "blackhole" in n] == [9]


def _check_all_gone(ns: Netns) -> None:
    assert _ours(_ip_routes(ns)) == []
    priorities = {r["priority"] for r in ns.ip_json("rule", "show")}
    priorities |= {r["priority"] for r in ns.ip_json("-6", "rule", "show")}
    assert priorities == {0, 32766, 32767}
    neighbors = [n["dst"] for n in [*ns.ip_json("neigh", "show", "nud", "all"),
                                    *ns.ip_json("neigh", "show", "proxy")]]
    assert not {n.destination for n in [*NEIGHBORS, PROXY]} & set(neighbors)
    assert ns.ip_json("nexthop", "show") == []


def test_create_observe_delete(netns: Netns) -> None:
    names = _setup(netns)
    netns.send(_create_requests(names))
    assert _observed_problems(netns) == []
    _check_with_iproute2(netns)
    netns.send(_delete_requests(names))
    _check_all_gone(netns)


def _ours_observed(ns: Netns) -> State:
    """What observe reports of the objects this test made (not the kernel's own)."""
    state = observe(ns.name)
    keys = set(group_routes(ROUTES))
    priorities = {rule.priority for rule in RULES}
    neighbors = {neighbor_key(n) for n in NEIGHBORS}
    return State(
        routes=[r for r in state.routes if route_key(r) in keys],
        route_rules=[r for r in state.route_rules if r.priority in priorities],
        neighbors=[n for n in state.neighbors if neighbor_key(n) in neighbors],
        nexthops=state.nexthops,
    )


def _requests_for(state: State, action: Action, names: dict[str, int]) -> list[Request]:
    routes = [route_request(action, hops, names) for hops in group_routes(state.routes).values()]
    rules = [rule_request("create" if action == "create" else "delete", rule)
             for rule in state.route_rules]
    neighbors = [neighbor_request(action, n, names) for n in state.neighbors]
    if action == "delete":
        nexthops = [nexthop_request(action, nh) for nh in reversed(state.nexthops)]
        return [*rules, *neighbors, *routes, *nexthops]
    nexthops = [nexthop_request(action, nh, names) for nh in state.nexthops]
    return [*nexthops, *routes, *neighbors, *rules]


def test_observed_records_round_trip(netns: Netns) -> None:
    """Records as observe reports them (with the kernel's defaults, reject routes on lo,
    routes via a group as one record per member) delete and recreate exactly: what an undo
    plan relies on."""
    names = _setup(netns)
    netns.send(_create_requests(names))
    before = _ours_observed(netns)
    assert len(before.routes) >= len(ROUTES) and len(before.route_rules) == len(RULES)
    netns.send(_requests_for(before, "delete", names))
    empty = _ours_observed(netns)
    assert (empty.routes, empty.route_rules, empty.neighbors, empty.nexthops) == ([], [], [], [])
    netns.send(_requests_for(before, "create", names))
    after = _ours_observed(netns)
    for field in ("routes", "route_rules", "neighbors", "nexthops"):
        assert set(getattr(after, field)) == set(getattr(before, field)), field


def test_replace(netns: Netns) -> None:
    names = _setup(netns)
    route = [Route("10.40.0.0/16", "gw0", GW4, metric=30, table_id=100, mtu=1400)]
    v6 = [Route("2001:db8:40::/48", "gw0", GW6)]
    nexthops = [Nexthop(1, next_hop_address=GW4, next_hop_interface="gw0")]
    via_nexthop = [Route("10.41.0.0/16", next_hop_id=1)]
    neighbor = Neighbor("192.0.2.90", "gw0", "02:00:00:00:00:90")
    netns.send([*(nexthop_request("create", nh, names) for nh in nexthops),
                  route_request("create", route, names), route_request("create", v6, names),
                  route_request("create", via_nexthop, names),
                  neighbor_request("create", neighbor, names)])

    new_route = [route[0]._replace(next_hop_interface="e0", next_hop_address=GW4B, mtu=1300,
                                   advmss=1200)]
    new_v6 = [Route("2001:db8:40::/48", "gw0", GW6, weight=1),
              Route("2001:db8:40::/48", "e0", GW6B, weight=4)]
    new_nexthop = Nexthop(1, next_hop_address=GW4B, next_hop_interface="e0")
    new_neighbor = neighbor._replace(link_layer_address="02:00:00:00:00:91", state="noarp")
    netns.send([route_request("replace", new_route, names),
                  route_request("replace", new_v6, names),
                  nexthop_request("replace", new_nexthop, names),
                  neighbor_request("replace", new_neighbor, names)])

    state = observe(netns.name)
    assert _route_problems([*new_route, *new_v6], state.routes) == []
    assert len(group_routes(state.routes)[route_key(route[0])]) == 1
    assert _problems([new_nexthop], state.nexthops, lambda nh: nh.id) == []
    assert _problems([new_neighbor], state.neighbors, neighbor_key) == []
    table100 = netns.ip_json("route", "show", "table", "100")
    assert [(r["dst"], r["gateway"], r["dev"]) for r in table100] == [
        ("10.40.0.0/16", GW4B, "e0")]
    assert {k: v for m in table100[0]["metrics"] for k, v in m.items()} == {
        "mtu": 1300, "advmss": 1200}
    via = netns.ip_json("route", "show", "10.41.0.0/16")[0]
    assert via["nhid"] == 1 and via["gateway"] == GW4B  # the route follows its nexthop
    six = netns.ip_json("-6", "route", "show", "2001:db8:40::/48")[0]
    assert sorted((h["gateway"], h["weight"]) for h in six["nexthops"]) == [(GW6, 1), (GW6B, 4)]
    assert netns.ip_json("neigh", "show", "192.0.2.90", "nud", "all")[0]["lladdr"] == (
        "02:00:00:00:00:91")


def test_defaults_match_iproute2(netns: Netns) -> None:
    """Routes that `ip` adds without table or metric (it sends no RTA_PRIORITY) have the key
    of a desired route that says neither."""
    _setup(netns)
    netns.ip("route", "add", "10.50.0.0/16", "via", GW4)
    netns.ip("route", "add", "2001:db8:50::/48", "via", GW6)
    observed = {route_key(r) for r in observe(netns.name).routes}
    assert route_key(Route("10.50.0.0/16")) in observed
    assert route_key(Route("2001:db8:50::/48")) in observed
    assert route_key(Route("2001:db8:50::/48")) == RouteKey(
        socket.AF_INET6, 254, "2001:db8:50::/48", 0, 1024)


def test_kernel_refusals(netns: Netns) -> None:
    """What the kernel refuses comes back per request with its errno and extended ack."""
    names = _setup(netns)
    refused = {
        "Gateway, device and multipath can not be specified": route_request(
            "create", [Route("10.60.0.0/16", "gw0", route_type="nat")], names),
        "Backward goto not supported": rule_request(
            "create", RouteRule(priority=6, action="goto", goto=3)),
        "File exists": route_request("create", [Route("10.10.0.0/16", "gw0", GW4)], names),
    }
    requests = [route_request("create", [Route("10.10.0.0/16", "gw0", GW4)], names),
                nexthop_request("create", NEXTHOPS[0], names), *refused.values()]
    with rtnl.open_socket(netns.name) as sock:
        result = sock.batch(requests)
    assert result.errors[:2] == [None, None]
    for (reason, _), error in zip(refused.items(), result.errors[2:], strict=True):
        assert isinstance(error, KernelError)
        assert error.errno in (errno.EINVAL, errno.EEXIST)
        assert reason in str(error)


def test_nat_route_round_trip(netns: Netns) -> None:
    """A nat route (an entry the kernel keeps but no longer acts on) is created with scope
    nowhere, as the kernel wants, and observed back as the same record."""
    _setup(netns)
    route = Route("10.61.0.1/32", route_type="nat")
    netns.send([route_request("create", [route], {})])
    [shown] = [r for r in netns.ip_json("route", "show", "table", "all")
               if r.get("type") == "nat"]
    assert shown["dst"] == "10.61.0.1" and shown["scope"] == "nowhere"
    [observed] = [r for r in observe(netns.name).routes if r.route_type == "nat"]
    assert (observed.destination, observed.table_id, observed.scope) == (
        "10.61.0.1/32", 254, None)


def test_ip_commands_do_the_same(netns_pair: tuple[Netns, Netns]) -> None:
    """The `ip` commands shown for people make the same objects as the requests."""
    ours, theirs = netns_pair
    names = _setup(ours)
    _setup(theirs)
    ours.send(_create_requests(names))
    wide = NEXTHOPS[-1]  # weights over 256: iproute2 before 6.12 cannot say them
    assert wide.group and max(m.weight for m in wide.group) > 256
    ours.send([nexthop_request("delete", wide)])
    commands = [
        *(nexthop_command("create", nh) for nh in NEXTHOPS if nh != wide),
        *(route_command("create", hops) for hops in group_routes(ROUTES).values()),
        *(neighbor_command("create", n) for n in [*NEIGHBORS, PROXY]),
        *(rule_command("create", rule) for rule in RULES),
    ]
    for command in commands:
        theirs.ip(*shlex.split(command)[1:])
    made, typed = _ours_observed(ours), _ours_observed(theirs)
    for field in ("routes", "route_rules", "neighbors", "nexthops"):
        assert set(getattr(typed, field)) == set(getattr(made, field)), field
    assert theirs.ip_json("neigh", "show", "proxy") == ours.ip_json("neigh", "show", "proxy")
