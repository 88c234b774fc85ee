"""Absent entries, purge and protect: which unlisted objects a desired state removes."""

from __future__ import annotations

import socket

import pytest
from hypothesis import example, given
from hypothesis import strategies as st
from pydantic import ValidationError

from nlstate.model import Interface, State
from nlstate.model.records import Neighbor, Route
from nlstate.observe.exact import exact_document
from nlstate.observe.owned import may_hold_kernel_owned, route_is_kernel_owned
from nlstate.rtnl import consts as rc
from nlstate.values import canonical

DOCUMENT = {
    "routes": {
        "config": [
            {"destination": "10.0.0.0/8", "next-hop-address": "192.0.2.1"},
            {"next-hop-interface": "eth1", "state": "absent"},
        ],
        "purge": [{"table-id": 100}],
        "protect": [{"protocol": "bird"}, {"protocol": "zebra"}],
    },
    "neighbors": {"config": [{"destination": "192.0.2.9", "interface": "eth0",
                              "state": "absent"}]},
}


def route(destination: str, **fields: object) -> Route:
    return Route(destination, **fields)  # type: ignore[arg-type]


@pytest.fixture
def state() -> State:
    return State.from_document(DOCUMENT)


def test_absent_entries_are_not_objects_to_have(state: State) -> None:
    assert [r.destination for r in state.routes] == ["10.0.0.0/8"]
    assert state.neighbors == []


def test_absent_wildcard_removes_what_it_matches(state: State) -> None:
    routes = state.ownership["routes"]
    assert routes.removes(route("172.16.0.0/12", next_hop_interface="eth1", table_id=254))
    assert not routes.removes(route("172.16.0.0/12", next_hop_interface="eth2", table_id=254))


def test_purge_removes_unlisted_objects_of_its_scope(state: State) -> None:
    routes = state.ownership["routes"]
    assert routes.removes(route("10.9.0.0/16", next_hop_interface="eth0", table_id=100))
    assert not routes.removes(route("10.9.0.0/16", next_hop_interface="eth0", table_id=254))


def test_protect_wins_over_purge_and_absent(state: State) -> None:
    routes = state.ownership["routes"]
    assert not routes.removes(route("10.9.0.0/16", table_id=100, protocol="bird"))
    assert not routes.removes(route("10.9.0.0/16", next_hop_interface="eth1", protocol="zebra"))
    assert routes.removes(route("10.9.0.0/16", next_hop_interface="eth1", protocol="static"))


def test_neighbor_absent_entry(state: State) -> None:
    neighbors = state.ownership["neighbors"]
    assert neighbors.removes(Neighbor("192.0.2.9", "eth0", "02:00:00:00:00:09"))
    assert not neighbors.removes(Neighbor("192.0.2.9", "eth1", "02:00:00:00:00:09"))


def test_selectors_are_canonical_and_checked() -> None:
    state = State.from_document({"routes": {"purge": [{"destination": "2001:DB8:0::/32",
                                                       "route-type": "unicast"}]}})
    [selector] = state.ownership["routes"].purge
    assert selector.keys == (("destination", "2001:db8::/32"), ("route_type", None))
    with pytest.raises(ValidationError, match="table-id"):
        State.from_document({"routes": {"purge": [{"table-id": 0}]}})
    with pytest.raises(ValidationError, match="Extra inputs"):
        State.from_document({"routes": {"protect": [{"protocl": "bird"}]}})


def test_an_empty_selector_purges_everything_unprotected() -> None:
    state = State.from_document({"route-rules": {"purge": [{}],
                                                 "protect": [{"priority": 100}]}})
    rules = state.ownership["route-rules"]
    from nlstate.model.records import RouteRule

    assert rules.removes(RouteRule(family="ipv4", priority=200))
    assert not rules.removes(RouteRule(family="ipv4", priority=100))


def test_observed_and_shown_states_carry_no_ownership() -> None:
    assert State.from_document({"routes": {"config": []}}).ownership == {}


def test_the_exact_form_says_every_address_and_purges_the_unlisted() -> None:
    observed = State(interfaces=[
        Interface.model_validate({"name": "a0", "ipv4": {"enabled": True, "address": [
            {"ip": "192.0.2.1", "prefix-length": 24}]}, "ipv6": {"enabled": True}}),
        Interface.model_validate({"name": "a1"})],
        routes=[route("10.0.0.0/8", next_hop_address="192.0.2.9")])
    document = exact_document(observed)
    assert [i["ipv4"] for i in document["interfaces"]] == [
        {"enabled": True, "address": [{"ip": "192.0.2.1", "prefix-length": 24,
                                       "noprefixroute": False}]},
        {"address": []}]
    assert [i["ipv6"] for i in document["interfaces"]] == [
        {"enabled": True, "address": []}, {"address": []}]
    assert {key: section["purge"] for key, section in document.items()
            if key != "interfaces"} == {
        key: [{}] for key in ("routes", "route-rules", "neighbors", "nexthops")}
    assert State.from_document(document).routes == observed.routes


_RAW_ROUTES = st.tuples(
    st.sampled_from([0, 2, 3, 4, 186]),  # rtm_protocol: 2 is kernel
    st.sampled_from([254, 255, 100]),  # table: 255 is local
    st.sampled_from(sorted(rc.ROUTE_TYPES)),  # rtm_type
    st.sampled_from(["10.0.0.0", "224.0.0.0", "224.0.0.1", "fe80::", "fe80::1", "ff00::",
                     "2001:db8::", None]),  # RTA_DST (None: a default route)
)


@given(st.lists(_RAW_ROUTES, min_size=1, max_size=6))
@example([(3, 254, rc.RTN_UNICAST, "10.0.0.0"), (2, 254, rc.RTN_UNICAST, "10.0.0.0")])
@example([(3, 255, rc.RTN_UNICAST, "10.0.0.0")])
@example([(3, 254, rc.RTN_BROADCAST, "10.0.0.0")])
@example([(3, 254, rc.RTN_UNICAST, "2001:db8::"), (3, 254, rc.RTN_UNICAST, "fe80::")])
@example([(3, 254, rc.RTN_UNICAST, "224.0.0.0")])
def test_a_run_may_hold_kernel_owned_routes_exactly_when_one_of_them_is(
        raw: list[tuple[int, int, int, str | None]]) -> None:
    """The decoder's check on a run's columns agrees with route_is_kernel_owned route by
    route: else it would keep an owned route, or look at a run for nothing."""
    routes = [Route(destination=f"{dst or '0.0.0.0'}/{0 if dst is None else 8}",
                    protocol=canonical.protocol_name(protocol), table_id=table,
                    route_type=None if rtype == rc.RTN_UNICAST else rc.ROUTE_TYPES[rtype])
              for protocol, table, rtype, dst in raw]
    packed = [socket.inet_pton(socket.AF_INET6 if ":" in dst else socket.AF_INET, dst)
              for _, _, _, dst in raw if dst is not None]
    assert may_hold_kernel_owned([r[0] for r in raw], [r[1] for r in raw], [r[2] for r in raw],
                                 packed) == any(map(route_is_kernel_owned, routes))
