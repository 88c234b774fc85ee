"""One test per validation rule of the state file: each asserts where the error is (its loc,
which a loader turns into FILE:LINE:COL) and what it says.

Cross-object checks (StateFile) and checks of several keys (RouteConfig, Interface, ...)
raise errors located at the offending key, e.g. ("interfaces", 1, "controller"): see
nlstate/values/errors.py for how (a ValidationError raised inside a validator is merged into
the outer one with the outer location in front).
"""

from __future__ import annotations

import ipaddress
import typing
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from nlstate.model import State, StateFile
from nlstate.model.interface import OBSERVED, SECTION_KEYS, SECTION_OF_TYPE, SECTIONS, Interface
from nlstate.model.interface import InterfaceType as InterfaceTypeLiteral
from nlstate.model.refused import ANY, REFUSALS
from nlstate.values import addresses
from nlstate.values.errors import INVALID, REFUSED

Loc = tuple[str | int, ...]


def errors_of(document: dict[str, Any]) -> list[ErrorDetails]:
    with pytest.raises(ValidationError) as caught:
        StateFile.model_validate(document)
    return caught.value.errors()


def error_at(document: dict[str, Any], loc: Loc) -> ErrorDetails:
    """The error at exactly `loc` (there must be one)."""
    errors = errors_of(document)
    found = [e for e in errors if tuple(e["loc"]) == loc]
    assert found, f"no error at {loc}; got {[(e['loc'], e['msg']) for e in errors]}"
    return found[0]


def assert_error(document: dict[str, Any], loc: Loc, *parts: str) -> ErrorDetails:
    error = error_at(document, loc)
    for part in parts:
        assert part in error["msg"], f"{part!r} not in {error['msg']!r}"
    return error


def valid(document: dict[str, Any]) -> StateFile:
    return StateFile.model_validate(document)


def iface(**keys: Any) -> dict[str, Any]:
    """One interface entry, in file keys (kebab-case given as keyword arguments with _)."""
    return {key.replace("_", "-"): value for key, value in keys.items()}


def ifaces(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"interfaces": list(entries)}


def routes(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"routes": {"config": list(entries)}}


def rules(*entries: dict[str, Any]) -> dict[str, Any]:
    return {"route-rules": {"config": list(entries)}}


# --- out-of-range values ---------------------------------------------------------------------

RANGE_CASES: list[tuple[dict[str, Any], Loc, str]] = [
    (ifaces(iface(name="eth0", mtu=0)), ("interfaces", 0, "mtu"), "out of range"),
    (ifaces(iface(name="eth0", mtu=2**31)), ("interfaces", 0, "mtu"), "out of range"),
    (ifaces(iface(name="eth0", type="ethernet", mtu=50)), ("interfaces", 0, "mtu"),
     "below 68"),
    (ifaces(iface(name="eth0", ipv4={"address": [{"ip": "192.0.2.1", "prefix-length": 33}]})),
     ("interfaces", 0, "ipv4", "address", 0, "prefix-length"), "too long for 192.0.2.1"),
    (ifaces(iface(name="eth0", ipv6={"address": [{"ip": "2001:db8::1", "prefix-length": 129}]})),
     ("interfaces", 0, "ipv6", "address", 0, "prefix-length"), "128"),
    (ifaces(iface(name="v", type="vlan", vlan={"base-iface": "eth0", "id": 0})),
     ("interfaces", 0, "vlan", "id"), "greater than or equal to 1"),
    (ifaces(iface(name="v", type="vlan", vlan={"base-iface": "eth0", "id": 4095})),
     ("interfaces", 0, "vlan", "id"), "less than or equal to 4094"),
    (ifaces(iface(name="vx", type="vxlan", vxlan={"id": 2**24})),
     ("interfaces", 0, "vxlan", "id"), "less than 16777216"),
    (routes({"destination": "10.0.0.0/8", "metric": -1}), ("routes", "config", 0, "metric"),
     "greater than or equal to 0"),
    (rules({"priority": 2**32, "route-table": 100}), ("route-rules", "config", 0, "priority"),
     "less than or equal to 4294967295"),
    (ifaces(iface(name="br0", type="linux-bridge",
                  bridge={"options": {"stp": {"priority": 65536}}})),
     ("interfaces", 0, "bridge", "options", "stp", "priority"), "65535"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [
        {"name": "eth1", "stp-priority": 64}]})),
     ("interfaces", 0, "bridge", "port", 0, "stp-priority"), "63"),
    (ifaces(iface(name="bond0", type="bond", link_aggregation={
        "port": ["eth1"], "ports-config": [{"name": "eth1", "priority": -(2**31) - 1}]})),
     ("interfaces", 0, "link-aggregation", "ports-config", 0, "priority"), "-2147483648"),
    (routes({"destination": "10.0.0.0/8", "table-id": 0}), ("routes", "config", 0, "table-id"),
     "0 means no table"),
    (routes({"destination": "10.0.0.0/8", "table-id": 2**32}),
     ("routes", "config", 0, "table-id"), "tables are 1-4294967295"),
    (routes({"destination": "10.0.0.0/8", "table-id": "custom"}),
     ("routes", "config", 0, "table-id"), "valid integer"),
    (rules({"route-table": 0, "priority": 5}), ("route-rules", "config", 0, "route-table"),
     "0 means no table"),
    (rules({"sport": "90-80", "route-table": 100}), ("route-rules", "config", 0, "sport"),
     "0 <= N <= M <= 65535"),
    (rules({"dport": "http", "route-table": 100}), ("route-rules", "config", 0, "dport"),
     "not a number N nor a range N-M"),
    (rules({"uid-range": "5-2", "route-table": 100}), ("route-rules", "config", 0, "uid-range"),
     "out of range"),
    (ifaces(iface(name="t0", type="ip-tunnel", ip_tunnel={"mode": "ip6ip6",
                                                          "flow-label": 0x100000})),
     ("interfaces", 0, "ip-tunnel", "flow-label"), "1048575"),
]


@pytest.mark.parametrize(("document", "loc", "message"), RANGE_CASES,
                         ids=[".".join(map(str, c[1])) for c in RANGE_CASES])
def test_out_of_range_values_are_refused(document: dict[str, Any], loc: Loc, message: str,
                                         ) -> None:
    assert_error(document, loc, message)


@pytest.mark.parametrize("name", ["a" * 16, "a/b", "a b", "a:b", "", ".", "..", "tab\tx"])
def test_bad_interface_names_are_refused(name: str) -> None:
    assert_error(ifaces(iface(name=name)), ("interfaces", 0, "name"), "interface name")


def test_an_interface_name_counts_bytes_not_characters() -> None:
    valid(ifaces(iface(name="é" * 7)))  # 14 bytes
    assert_error(ifaces(iface(name="é" * 8)), ("interfaces", 0, "name"), "1 to 15 bytes")


def test_links_nlstate_does_not_know_may_have_small_mtus() -> None:
    """CAN links (mtu 16) show up as type unknown; show's output must load back."""
    valid(ifaces(iface(name="can0", type="unknown", mtu=16)))


def test_table_names_stand_for_the_kernels_reserved_numbers() -> None:
    model = valid({**routes({"destination": "10.0.0.0/8", "table-id": "main"}),
                   **rules({"priority": 5, "route-table": "local"})})
    assert model.routes is not None and model.route_rules is not None
    assert model.routes.config[0].table_id == 254
    assert model.route_rules.config[0].route_table == 255


def test_marks_may_be_hex_strings() -> None:
    model = valid(rules({"priority": 5, "fwmark": "0x30", "fwmask": 0x10, "route-table": 100}))
    assert model.route_rules is not None
    assert (model.route_rules.config[0].fwmark, model.route_rules.config[0].fwmask) == (48, 16)
    assert_error(rules({"priority": 5, "fwmark": "0xzz", "route-table": 100}),
                 ("route-rules", "config", 0, "fwmark"), "valid integer")


def test_port_ranges_are_canonical() -> None:
    model = valid(rules({"priority": 5, "sport": 80, "dport": "1024-2047", "uid-range": "7-7",
                         "route-table": 100}))
    assert model.route_rules is not None
    rule = model.route_rules.config[0]
    assert (rule.sport, rule.dport, rule.uid_range) == ("80", "1024-2047", "7")


# --- bad addresses and MACs --------------------------------------------------------------------

@pytest.mark.parametrize(("document", "loc", "message"), [
    (routes({"destination": "10.0.0.0/8", "next-hop-address": "192.0.2.300"}),
     ("routes", "config", 0, "next-hop-address"), "does not appear to be"),
    (routes({"destination": "10.0.0.0/8", "next-hop-address": "fe80::1%eth0"}),
     ("routes", "config", 0, "next-hop-address"), "zone index"),
    (routes({"destination": "10.0.0.1/8"}), ("routes", "config", 0, "destination"),
     "the network is 10.0.0.0/8"),
    (ifaces(iface(name="eth0", mac_address="02:00:00:00:00:zz")),
     ("interfaces", 0, "mac-address"), "not a link-layer address"),
    (ifaces(iface(name="eth0", mac_address="ff:ff:ff:ff:ff:ff")),
     ("interfaces", 0, "mac-address"), "multicast or broadcast"),
    (ifaces(iface(name="eth0", mac_address="02:00:00:00:00:01", copy_mac_from="eth1")),
     ("interfaces", 0, "copy-mac-from"), "either mac-address or copy-mac-from"),
])
def test_bad_addresses_are_refused(document: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(document, loc, message)


@given(st.ip_addresses())
def test_addresses_are_canonical_as_ipaddress_says(address: Any) -> None:
    text = address.exploded.upper()
    expected = str(address)
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        expected = f"::ffff:{address.ipv4_mapped}"  # inet_ntop's form, as observe reports
    assert addresses.ip_address(text) == expected


@given(st.ip_addresses(), st.integers(0, 128))
def test_prefixes_are_canonical_as_ipaddress_says(address: Any, length: int) -> None:
    length = min(length, address.max_prefixlen)
    network = ipaddress.ip_network(f"{address}/{length}", strict=False)
    if isinstance(address, ipaddress.IPv6Address) and "." in addresses.ip_address(
            str(network.network_address)):
        return  # IPv4-mapped: inet_ntop's dotted form, checked above
    assert addresses.ip_prefix(f"{network.network_address.exploded}/{length}") == str(network)
    if int(address) != int(network.network_address):
        with pytest.raises(ValueError, match="host bits set"):
            addresses.ip_prefix(f"{address}/{length}")


@given(st.ip_addresses(v=4), st.integers(0, 32), st.sampled_from(["", " ", "0", "/"]))
def test_ipv4_prefixes_pass_the_column_check_only_as_ip_prefix_keeps_them(
        address: Any, length: int, spoil: str) -> None:
    """The bulk loader keeps a column that canonical_ipv4_prefixes passes as it is: so it
    must pass none that ip_prefix refuses or rewrites, and pass canonical ones."""
    network = ipaddress.ip_network(f"{address}/{length}", strict=False)
    for text in (str(network), f"{address}/{length}", f"{spoil}{network}",
                 f"{network.network_address}/{spoil}{length}", str(network.network_address)):
        try:
            kept = addresses.ip_prefix(text) == text
        except ValueError:
            kept = False
        assert addresses.canonical_ipv4_prefixes([text]) == kept, text
        assert addresses.canonical_ipv4_prefixes([str(network), text]) == kept, text


def test_the_column_check_leaves_other_values_to_the_validators() -> None:
    assert not addresses.canonical_ipv4_prefixes(["2001:db8::/64"])
    assert not addresses.canonical_ipv4_prefixes([None, "10.0.0.0/8"])
    assert not addresses.canonical_ipv4_prefixes([5])
    assert addresses.canonical_ipv4_prefixes([])


@given(st.binary(min_size=1, max_size=20), st.sampled_from([":", "-"]), st.booleans())
def test_mac_addresses_come_out_upper_case_with_colons(packed: bytes, separator: str,
                                                      lower: bool) -> None:
    canonical = packed.hex(":").upper()
    text = packed.hex(separator)
    assert addresses.mac_address(text if lower else text.upper()) == canonical
    assert addresses.mac_address(canonical) == canonical


# --- address families ---------------------------------------------------------------------

@pytest.mark.parametrize(("document", "loc", "message"), [
    (routes({"destination": "10.0.0.0/8", "next-hop-address": "2001:db8::1"}),
     ("routes", "config", 0, "next-hop-address"), "is not IPv4 like destination 10.0.0.0/8"),
    (routes({"destination": "2001:db8::/32", "next-hop-address": "192.0.2.1"}),
     ("routes", "config", 0, "next-hop-address"), "is not IPv6"),
    (routes({"destination": "10.0.0.0/8", "source": "2001:db8::1"}),
     ("routes", "config", 0, "source"), "is not IPv4"),
    (routes({"destination": "2001:db8::/32", "tos": 4}), ("routes", "config", 0, "tos"),
     "IPv4 routes"),
    (rules({"ip-from": "2001:db8::/32", "ip-to": "10.0.0.0/8", "route-table": 100}),
     ("route-rules", "config", 0, "ip-to"), "not of the family of ip-from (ipv6)"),
    (rules({"family": "ipv4", "ip-from": "2001:db8::/32", "route-table": 100}),
     ("route-rules", "config", 0, "ip-from"), "not of the family of family (ipv4)"),
    (ifaces(iface(name="eth0", ipv4={"address": [{"ip": "2001:db8::1", "prefix-length": 64}]})),
     ("interfaces", 0, "ipv4", "address", 0, "ip"), "put it under ipv6"),
    (ifaces(iface(name="eth0", ipv4={"address": [{"ip": "192.0.2.1", "prefix-length": 32,
                                                  "peer": "2001:db8::2"}]})),
     ("interfaces", 0, "ipv4", "address", 0, "peer"), "different families"),
    (ifaces(iface(name="vx0", type="vxlan", vxlan={"id": 5, "local": "192.0.2.1",
                                                   "remote": "2001:db8::2"})),
     ("interfaces", 0, "vxlan", "remote"), "different families"),
    (ifaces(iface(name="t0", type="ip-tunnel", ip_tunnel={"mode": "ipip",
                                                          "local": "2001:db8::1"})),
     ("interfaces", 0, "ip-tunnel", "local"), "not an ipv4 address"),
    (ifaces(iface(name="t0", type="ip-tunnel", ip_tunnel={"mode": "ipip",
                                                          "ip6tun-flags": ["ign-encap-limit"]})),
     ("interfaces", 0, "ip-tunnel", "ip6tun-flags"), "for IPv6 tunnels"),
    ({"nexthops": {"config": [{"id": 1, "family": "ipv6", "next-hop-address": "192.0.2.1"}]}},
     ("nexthops", "config", 0, "next-hop-address"), "is not ipv6"),
])
def test_address_families_do_not_mix(document: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(document, loc, message)


def test_a_rule_family_is_said_or_implied() -> None:
    model = valid(rules({"ip-from": "2001:db8::/32", "route-table": 100},
                        {"fwmark": 1, "route-table": 100},
                        {"route-table": 254, "state": "absent"}))
    state = State.from_file(model)
    assert [r.family for r in state.route_rules] == ["ipv6", "ipv4"]
    # the absent entry is a selector with no family: it matches rules of both families
    assert state.ownership["route-rules"].absent[0].keys == (("route_table", 254),)


# --- route types that have no next hop -------------------------------------------------------

@pytest.mark.parametrize("route_type", ["blackhole", "unreachable", "prohibit", "throw", "nat"])
@pytest.mark.parametrize(("key", "value"), [
    ("next-hop-address", "192.0.2.1"), ("next-hop-interface", "eth0"), ("next-hop-id", 5),
    ("weight", 2),
])
def test_a_route_type_without_next_hop_refuses_one(route_type: str, key: str, value: Any,
                                                   ) -> None:
    document = routes({"destination": "10.0.0.0/8", "route-type": route_type, key: value})
    assert_error(document, ("routes", "config", 0, key), f"a {route_type} route has no next hop",
                 f"leave out {key}")


def test_ipv6_error_routes_are_reported_on_lo() -> None:
    """The kernel shows IPv6 blackhole/unreachable/prohibit routes with dev lo."""
    valid(routes({"destination": "2001:db8::/64", "route-type": "blackhole",
                  "next-hop-interface": "lo", "metric": 1024}))


def test_a_route_using_a_nexthop_object_may_say_its_hops() -> None:
    """observe reports the nexthop's gateway and interface next to next-hop-id."""
    valid(routes({"destination": "10.0.0.0/8", "next-hop-id": 10,
                  "next-hop-address": "192.0.2.2", "next-hop-interface": "v0"}))


def test_a_route_needs_a_destination_unless_absent() -> None:
    error = assert_error(routes({"next-hop-interface": "eth1"}),
                         ("routes", "config", 0, "destination"))
    assert error["type"] == "missing"
    valid(routes({"next-hop-interface": "eth1", "state": "absent"}))


# --- duplicates ------------------------------------------------------------------------------

ROUTE = {"destination": "10.0.0.0/8", "next-hop-address": "192.0.2.1"}


@pytest.mark.parametrize(("document", "loc", "message"), [
    (ifaces(iface(name="eth0"), iface(name="eth0", mtu=1500)), ("interfaces", 1, "name"),
     "eth0 is given again (first at interfaces[0])"),
    (routes(ROUTE, ROUTE), ("routes", "config", 1), "already at routes.config[0]"),
    (routes(ROUTE, {**ROUTE, "table-id": 254, "metric": 0}), ("routes", "config", 1),
     "table 254, metric 0"),
    (routes({"destination": "2001:db8::/32"}, {"destination": "2001:db8::/32", "metric": 1024}),
     ("routes", "config", 1), "metric 1024"),
    (rules({"priority": 5, "route-table": 100}, {"priority": 5, "route-table": 100}),
     ("route-rules", "config", 1), "already at route-rules.config[0]"),
    ({"neighbors": {"config": [{"destination": "192.0.2.9", "interface": "eth0"},
                               {"destination": "192.0.2.9", "interface": "eth0"}]}},
     ("neighbors", "config", 1), "already at neighbors.config[0]"),
    ({"nexthops": {"config": [{"id": 1, "blackhole": True}, {"id": 1, "blackhole": True}]}},
     ("nexthops", "config", 1, "id"), "nexthop 1 is already at nexthops.config[0]"),
    ({"nexthops": {"config": [{"id": 1, "group": [{"id": 2}, {"id": 2}]}]}},
     ("nexthops", "config", 0, "group", 1, "id"), "listed twice"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "eth1"},
                                                                    {"name": "eth1"}]})),
     ("interfaces", 0, "bridge", "port", 1, "name"), "eth1 is listed twice as a port of br0"),
    (ifaces(iface(name="bond0", type="bond", link_aggregation={
        "port": ["eth1"], "ports-config": [{"name": "eth1"}, {"name": "eth1"}]})),
     ("interfaces", 0, "link-aggregation", "ports-config", 1, "name"), "two entries"),
    (ifaces(iface(name="eth0", ipv4={"address": [{"ip": "192.0.2.1", "prefix-length": 24},
                                                 {"ip": "192.0.2.1", "prefix-length": 25}]})),
     ("interfaces", 0, "ipv4", "address", 1, "ip"), "listed twice"),
    (ifaces(iface(name="eth0", alt_names=[{"name": "uplink"},
                                          {"name": "uplink", "state": "absent"}])),
     ("interfaces", 0, "alt-names", 1, "name"), "uplink is listed twice"),
    (ifaces(iface(name="eth0", alt_names=[{"name": "eth0"}])),
     ("interfaces", 0, "alt-names", 0, "name"), "eth0 is the link's own name"),
    (ifaces(iface(name="eth0", alt_names=[{"name": "uplink"}]),
            iface(name="eth1", alt_names=[{"name": "uplink"}])),
     ("interfaces", 1, "alt-names", 0, "name"), "already an alternative name of eth0"),
    (ifaces(iface(name="eth0", alt_names=[{"name": "eth1"}]), iface(name="eth1")),
     ("interfaces", 0, "alt-names", 0, "name"), "eth1 is the name of another link"),
])
def test_duplicates_are_refused(document: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(document, loc, message)


def test_multipath_hops_and_absent_entries_are_not_duplicates() -> None:
    valid({**routes({**ROUTE, "weight": 1}, {**ROUTE, "next-hop-address": "192.0.2.2"},
                    {"destination": "10.0.0.0/8", "state": "absent"},
                    {"destination": "10.0.0.0/8", "state": "absent"}),
           **rules({"route-table": 100, "state": "absent"},
                   {"route-table": 100, "state": "absent"})})


# --- controllers, ports and reference loops -------------------------------------------------

@pytest.mark.parametrize(("document", "loc", "message"), [
    (ifaces(iface(name="a", type="linux-bridge", controller="b"),
            iface(name="b", type="linux-bridge", controller="a")),
     ("interfaces", 1, "controller"), "reference loop: a -> b -> a"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "br1"}]}),
            iface(name="br1", type="linux-bridge", bridge={"port": [{"name": "br0"}]})),
     ("interfaces", 0, "bridge", "port", 0, "name"), "reference loop: br0 -> br1 -> br0"),
    (ifaces(iface(name="v1", type="vlan", vlan={"base-iface": "v2", "id": 1}),
            iface(name="v2", type="vlan", vlan={"base-iface": "v1", "id": 2})),
     ("interfaces", 1, "vlan", "base-iface"), "reference loop: v1 -> v2 -> v1"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "br0"}]})),
     ("interfaces", 0, "bridge", "port", 0, "name"), "br0 lists itself as its own port"),
    (ifaces(iface(name="br0", type="linux-bridge", controller="br0")),
     ("interfaces", 0, "controller"), "cannot be its own controller"),
    (ifaces(iface(name="v1", type="vlan", vlan={"base-iface": "v1", "id": 1})),
     ("interfaces", 0, "vlan", "base-iface"), "cannot be on top of itself"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "eth1"}]}),
            iface(name="bond0", type="bond", link_aggregation={"port": ["eth1"]})),
     ("interfaces", 1, "link-aggregation", "port", 0), "eth1 is already a port of br0"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "eth1"}]}),
            iface(name="eth1", controller="bond0")),
     ("interfaces", 1, "controller"), "eth1 says controller bond0 but is listed as a port of br0"),
    (ifaces(iface(name="eth0", type="ethernet"), iface(name="eth1", controller="eth0")),
     ("interfaces", 1, "controller"), "eth0 is type ethernet, which has no ports"),
    (ifaces(iface(name="br0", type="linux-bridge", state="absent"),
            iface(name="eth1", controller="br0")),
     ("interfaces", 1, "controller"), "controller br0 is being removed"),
    (ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "eth2"}]}),
            iface(name="eth1", controller="br0")),
     ("interfaces", 1, "controller"), "br0's port list leaves it out"),
    (ifaces(iface(name="hsr0", type="hsr", hsr={"port1": "eth1", "port2": "eth1"})),
     ("interfaces", 0, "hsr", "port2"), "two different ports"),
])
def test_controllers_ports_and_loops(document: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(document, loc, message)


def test_ports_may_say_their_controller_too() -> None:
    valid(ifaces(iface(name="br0", type="linux-bridge", bridge={"port": [{"name": "eth1"},
                                                                         {"name": "v10"}]}),
                 iface(name="eth1", type="ethernet", controller="br0"),
                 iface(name="v10", type="vlan", controller="br0", vlan={"base-iface": "br0",
                                                                         "id": 10})))


# --- veth ------------------------------------------------------------------------------------

def test_a_veth_is_not_its_own_peer() -> None:
    assert_error(ifaces(iface(name="v0", type="veth", veth={"peer": "v0"})),
                 ("interfaces", 0, "veth", "peer"), "v0 cannot be its own peer")


def test_veth_peers_name_each_other() -> None:
    valid(ifaces(iface(name="a", type="veth", veth={"peer": "b"}),
                 iface(name="b", type="veth", veth={"peer": "a"})))
    assert_error(ifaces(iface(name="a", type="veth", veth={"peer": "b"}),
                        iface(name="b", type="veth", veth={"peer": "c"})),
                 ("interfaces", 0, "veth", "peer"), "b's peer is c")


# --- kind sections ------------------------------------------------------------------------

@pytest.mark.parametrize(("document", "loc", "message"), [
    (ifaces(iface(name="br0", type="linux-bridge", vxlan={"id": 5})), ("interfaces", 0, "vxlan"),
     "a vxlan section belongs to type vxlan; this interface is type linux-bridge "
     "(its section is bridge)"),
    (ifaces(iface(name="m0", type="mac-vlan", mac_vtap={"base-iface": "eth0"})),
     ("interfaces", 0, "mac-vtap"), "belongs to type mac-vtap"),
    (ifaces(iface(name="eth0", type="ethernet", vlan={"base-iface": "eth1", "id": 5})),
     ("interfaces", 0, "vlan"), "it has no section"),
    (ifaces(iface(name="x", bridge={}, vxlan={"id": 5})), ("interfaces", 0, "vxlan"),
     "one kind section, this one has bridge and vxlan"),
])
def test_a_section_matches_the_type(document: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(document, loc, message)


def test_every_section_is_an_interface_field_and_every_type_a_literal() -> None:
    fields = {field.alias or name for name, field in Interface.model_fields.items()}
    assert set(SECTION_KEYS) <= fields
    types = set(typing.get_args(InterfaceTypeLiteral))
    assert set(SECTION_OF_TYPE) <= types
    for section in SECTIONS:
        assert Interface.model_fields[section.key.replace("-", "_")].annotation == \
            section.model | None


# --- bridge port VLANs, bond ports, rules -------------------------------------------------------

def port_vlan(vlan: dict[str, Any]) -> dict[str, Any]:
    return ifaces(iface(name="br0", type="linux-bridge",
                        bridge={"port": [{"name": "eth1", "vlan": vlan}]}))


VLAN_LOC = ("interfaces", 0, "bridge", "port", 0, "vlan")


@pytest.mark.parametrize(("vlan", "loc", "message"), [
    ({"mode": "trunk"}, ("trunk-tags",), "a trunk port needs trunk-tags"),
    ({"mode": "trunk", "trunk-tags": [{"id": 5}], "enable-native": True}, ("tag",),
     "enable-native needs tag"),
    ({"mode": "access", "tag": 5, "trunk-tags": [{"id": 5}]}, ("trunk-tags",),
     "trunk-tags are for mode: trunk"),
    ({"mode": "access", "tag": 5, "enable-native": True}, ("enable-native",),
     "enable-native is for mode: trunk"),
    ({"mode": "access"}, ("tag",), "an access port needs tag"),
    ({"mode": "trunk", "trunk-tags": [{"id-range": {"min": 9, "max": 5}}]},
     ("trunk-tags", 0, "id-range", "max"), "max 5 is less than min 9"),
    ({"mode": "trunk", "trunk-tags": [{"id": 3, "id-range": {"min": 5, "max": 9}}]},
     ("trunk-tags", 0), "exactly one of them"),
    ({"mode": "trunk", "trunk-tags": [{"id": 4095}]}, ("trunk-tags", 0, "id"), "4094"),
])
def test_bridge_port_vlans(vlan: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(port_vlan(vlan), VLAN_LOC + loc, message)


def test_bond_ports_config_names_ports() -> None:
    assert_error(ifaces(iface(name="bond0", type="bond", link_aggregation={
        "port": ["eth1"], "ports-config": [{"name": "eth2", "queue-id": 1}]})),
        ("interfaces", 0, "link-aggregation", "ports-config", 0, "name"),
        "eth2 is in ports-config but not in port (eth1)")


@pytest.mark.parametrize(("rule", "loc", "message"), [
    ({"priority": 5, "goto": 10}, ("goto",), "goto 10 needs action: goto"),
    ({"priority": 5, "action": "goto"}, ("action",), "action goto needs goto"),
    ({"priority": 5, "action": "blackhole", "route-table": 100}, ("route-table",),
     "looks up no table"),
    ({"priority": 5, "l3mdev": True, "route-table": 100}, ("route-table",), "l3mdev"),
])
def test_rule_actions(rule: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(rules(rule), ("route-rules", "config", 0, *loc), message)


@pytest.mark.parametrize(("nexthop", "loc", "message"), [
    ({"id": 1, "group": [{"id": 2}], "next-hop-address": "192.0.2.1"}, ("next-hop-address",),
     "a group nexthop has no next-hop-address"),
    ({"id": 1, "blackhole": True, "next-hop-address": "192.0.2.1"}, ("next-hop-address",),
     "a blackhole nexthop has no next-hop-address"),
    ({"id": 1, "group-type": "resilient", "next-hop-interface": "eth0"}, ("group-type",),
     "group-type is for a group"),
    ({"id": 1, "group": [{"id": 1}]}, ("group", 0, "id"), "member of itself"),
])
def test_nexthop_objects(nexthop: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error({"nexthops": {"config": [nexthop]}}, ("nexthops", "config", 0, *loc), message)


def test_groups_have_single_nexthops_as_members() -> None:
    assert_error({"nexthops": {"config": [{"id": 1, "group": [{"id": 2}]},
                                          {"id": 3, "group": [{"id": 1}]}]}},
                 ("nexthops", "config", 1, "group", 0, "id"), "nexthop 1 is a group")


# --- IP settings ----------------------------------------------------------------------------

def test_static_addressing_says_dhcp_false() -> None:
    valid(ifaces(iface(name="eth0", ipv4={"dhcp": False, "enabled": True},
                       ipv6={"dhcp": False, "autoconf": False})))


@pytest.mark.parametrize(("document", "loc", "message"), [
    (ifaces(iface(name="eth0", ipv4={"autoconf": False})), ("interfaces", 0, "ipv4", "autoconf"),
     "autoconf is IPv6's"),
    (ifaces(iface(name="eth0", ipv6={"enabled": False, "address": [
        {"ip": "2001:db8::1", "prefix-length": 64}]})), ("interfaces", 0, "ipv6", "enabled"),
     "disabled (enabled: false) but has addresses"),
])
def test_ip_settings(document: dict[str, Any], loc: Loc, message: str) -> None:
    assert_error(document, loc, message)


def test_an_interface_given_by_name_only_is_valid() -> None:
    valid({"interfaces": [{"name": "eth1"}], **routes({"next-hop-interface": "eth1",
                                                       "state": "absent"})})


def test_interface_states() -> None:
    for state in ("up", "down", "absent", "ignore"):
        valid(ifaces(iface(name="eth0", state=state)))
    assert_error(ifaces(iface(name="eth0", state="removed")), ("interfaces", 0, "state"),
                 "'up', 'down', 'absent' or 'ignore'")


# --- refused: outside what nlstate manages ------------------------------------------------------

ETH = {"name": "eth1", "type": "ethernet"}

REFUSED_CASES: list[tuple[dict[str, Any], Loc]] = [
    ({"dns-resolver": {"config": {"server": ["192.0.2.53"]}}}, ("dns-resolver",)),
    ({"hostname": {"config": "h"}}, ("hostname",)),
    ({"ovs-db": {"other_config": {}}}, ("ovs-db",)),
    ({"ovsdb": {}}, ("ovsdb",)),
    ({"user-defined": {"interface-types": []}}, ("user-defined",)),
    ({"capture": {"x": "interfaces.name==\"a\""}}, ("capture",)),
    ({"desiredState": {}}, ("desiredState",)),
    ({"routes": {"running": []}}, ("routes", "running")),
    ({"route-rules": {"running": []}}, ("route-rules", "running")),
    (ifaces({**ETH, "profile-name": "p"}), ("interfaces", 0, "profile-name")),
    (ifaces({**ETH, "identifier": "mac-address"}), ("interfaces", 0, "identifier")),
    (ifaces({**ETH, "802.1x": {"identity": "x"}}), ("interfaces", 0, "802.1x")),
    (ifaces({**ETH, "lldp": {"enabled": True}}), ("interfaces", 0, "lldp")),
    (ifaces({**ETH, "dispatch": {"post-activation": ""}}), ("interfaces", 0, "dispatch")),
    (ifaces({**ETH, "user-defined": {}}), ("interfaces", 0, "user-defined")),
    (ifaces({**ETH, "libreswan": {"right": "192.0.2.1"}}), ("interfaces", 0, "libreswan")),
    (ifaces({**ETH, "infiniband": {"pkey": "0x80ff"}}), ("interfaces", 0, "infiniband")),
    (ifaces({**ETH, "ethtool": {"feature": {}}}), ("interfaces", 0, "ethtool")),
    (ifaces({**ETH, "ethernet": {"sr-iov": {"total-vfs": 2}}}),
     ("interfaces", 0, "ethernet", "sr-iov")),
    (ifaces({**ETH, "ethernet": {"speed": 1000}}), ("interfaces", 0, "ethernet")),
    (ifaces({**ETH, "team": {}}), ("interfaces", 0, "team")),
    (ifaces({**ETH, "wait-ip": "ipv4"}), ("interfaces", 0, "wait-ip")),
    (ifaces({**ETH, "driver": "igb"}), ("interfaces", 0, "driver")),
    (ifaces({"name": "p0", "type": "ovs-interface", "patch": {"peer": "p1"}}),
     ("interfaces", 0, "patch")),
    (ifaces({"name": "p0", "type": "ovs-interface", "dpdk": {"devargs": "x"}}),
     ("interfaces", 0, "dpdk")),
    (ifaces({"name": "ovs0", "type": "ovs-bridge"}), ("interfaces", 0, "type")),
    (ifaces({"name": "ovs0", "type": "ovs-interface"}), ("interfaces", 0, "type")),
    (ifaces({"name": "c", "type": "ipsec"}), ("interfaces", 0, "type")),
    (ifaces({"name": "ib0", "type": "infiniband"}), ("interfaces", 0, "type")),
    (ifaces({"name": "team0", "type": "team"}), ("interfaces", 0, "type")),
    (ifaces({**ETH, "ipv4": {"dhcp": True}}), ("interfaces", 0, "ipv4", "dhcp")),
    (ifaces({**ETH, "ipv6": {"autoconf": True}}), ("interfaces", 0, "ipv6", "autoconf")),
    (ifaces({**ETH, "ipv4": {"auto-dns": False}}), ("interfaces", 0, "ipv4", "auto-dns")),
    (ifaces({**ETH, "ipv4": {"auto-gateway": False}}), ("interfaces", 0, "ipv4", "auto-gateway")),
    (ifaces({**ETH, "ipv4": {"auto-routes": False}}), ("interfaces", 0, "ipv4", "auto-routes")),
    (ifaces({**ETH, "ipv4": {"auto-route-table-id": 5}}),
     ("interfaces", 0, "ipv4", "auto-route-table-id")),
    (ifaces({**ETH, "ipv6": {"auto-route-metric": 5}}),
     ("interfaces", 0, "ipv6", "auto-route-metric")),
    (ifaces({**ETH, "ipv4": {"dhcp-client-id": "mac"}}),
     ("interfaces", 0, "ipv4", "dhcp-client-id")),
    (ifaces({**ETH, "ipv6": {"dhcp-duid": "llt"}}), ("interfaces", 0, "ipv6", "dhcp-duid")),
    (ifaces({"name": "m0", "type": "macsec", "macsec": {"base-iface": "eth1", "mka-cak": "x"}}),
     ("interfaces", 0, "macsec", "mka-cak")),
    (ifaces({"name": "m0", "type": "macsec", "macsec": {"base-iface": "eth1", "mka-ckn": "x"}}),
     ("interfaces", 0, "macsec", "mka-ckn")),
    (ifaces({"name": "b0", "type": "bond", "link-aggregation": {
        "options": {"balance_slb": True}}}),
     ("interfaces", 0, "link-aggregation", "options", "balance_slb")),
    (ifaces({"name": "br0", "type": "linux-bridge", "bridge": {"port": [
        {"name": "eth1", "ovs-db": {}}]}}), ("interfaces", 0, "bridge", "port", 0, "ovs-db")),
]


@pytest.mark.parametrize(("document", "loc"), REFUSED_CASES,
                         ids=[".".join(map(str, c[1])) for c in REFUSED_CASES])
def test_what_nlstate_does_not_manage_is_refused_by_name(document: dict[str, Any], loc: Loc,
                                                         ) -> None:
    error = error_at(document, loc)
    assert error["type"] == REFUSED
    key = str(loc[-1])
    assert error["msg"].startswith(f"{key}: "), error["msg"]
    assert any(words in error["msg"] for words in (
        "outside what nlstate manages", "not supported", "not desired state", "cannot be set"))


def test_the_dns_refusal_says_what_to_use() -> None:
    error = error_at({"dns-resolver": {"config": {}}}, ("dns-resolver",))
    assert error["msg"] == ("dns-resolver: DNS is outside what nlstate manages (nlstate speaks "
                            "rtnetlink only; use systemd-resolved or NetworkManager)")


def test_the_dhcp_refusal_names_the_value_and_what_is_accepted() -> None:
    error = error_at(ifaces({**ETH, "ipv4": {"dhcp": True}}), ("interfaces", 0, "ipv4", "dhcp"))
    assert error["msg"].startswith("dhcp: true: DHCP is outside what nlstate manages")
    assert "dhcp: false (static addresses) is accepted" in error["msg"]


def test_a_refused_type_hides_the_noise_inside_its_interface() -> None:
    """An OVS bridge's options are not a linux-bridge's; saying so would only add noise."""
    errors = errors_of(ifaces({"name": "ovs0", "type": "ovs-bridge", "bridge": {
        "options": {"fail-mode": "", "stp": True}, "port": [{"name": "eth1", "vlan": 5}]}},
        {"name": "eth1", "mtuu": 1500}))
    assert [(e["loc"], e["type"]) for e in errors] == [
        (("interfaces", 0, "type"), REFUSED),
        (("interfaces", 1, "mtuu"), "extra_forbidden"),
    ]


def test_refusals_and_ordinary_errors_are_reported_together() -> None:
    errors = errors_of({"dns-resolver": {}, **routes({"destination": "10.0.0.0/8",
                                                      "metric": -1})})
    assert {(tuple(e["loc"]), e["type"]) for e in errors} == {
        (("dns-resolver",), REFUSED),
        (("routes", "config", 0, "metric"), "greater_than_equal"),
    }


def test_the_refusal_table_covers_what_the_issue_lists() -> None:
    keys = {r.key for r in REFUSALS if r.value is ANY}
    assert {"dns-resolver", "hostname", "ovs-db", "profile-name", "identifier", "802.1x",
            "lldp", "dispatch", "user-defined", "libreswan", "infiniband", "ethtool", "wait-ip",
            "team", "sr-iov", "mka-cak", "mka-ckn", "auto-*", "dhcp-*", "running"} <= keys
    values = {(r.key, r.value) for r in REFUSALS if r.value is not ANY}
    assert {("dhcp", True), ("autoconf", True), ("type", "ovs-bridge"),
            ("type", "ovs-interface")} <= values


def test_errors_of_several_keys_have_their_own_type() -> None:
    error = error_at(routes({"destination": "10.0.0.0/8", "route-type": "blackhole",
                             "next-hop-interface": "eth0"}),
                     ("routes", "config", 0, "next-hop-interface"))
    assert error["type"] == INVALID
    assert error["input"] == "eth0"


@pytest.mark.parametrize("document", [
    {"name": "br0", "type": "linux-bridge", "bridge": {"port": [{"name": "br0"}]}},
    {"name": "eth0", "type": "ethernet", "vxlan": {"id": 5}},
    {"name": "eth0", "mac-address": "01:00:5E:00:00:01"},
], ids=["own-port", "section-of-another-type", "multicast-mac"])
def test_the_file_checks_do_not_run_on_observed_links(document: dict[str, Any]) -> None:
    """A file saying these is refused; the kernel reporting them (validation context
    OBSERVED) is taken as it is: observing must not fail on what the kernel has."""
    with pytest.raises(ValidationError):
        Interface.model_validate(document)
    assert Interface.model_validate(document, context=OBSERVED).name == document["name"]
