"""diff(desired, current): only what the file says is compared; ownership decides removals."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nlstate.diff import Change, Desired, diff
from nlstate.diff_links import merged
from nlstate.model import State
from nlstate.model.interface import AltNameEntry, Interface
from nlstate.model.records import Neighbor, Nexthop, Route, RouteRule
from nlstate.objects import ROUTES

KERNEL_ROUTE = Route("192.0.2.0/24", "eth0", None, 0, 254, protocol="kernel", source="192.0.2.10")
BOOT_ROUTE = Route("10.1.0.0/16", "eth0", "192.0.2.1", 0, 254, protocol="boot")
BIRD_ROUTE = Route("10.2.0.0/16", "eth0", "192.0.2.2", 0, 100, protocol="bird")
TABLE_100 = Route("10.3.0.0/16", "eth0", "192.0.2.3", 0, 100, protocol="static")
MULTIPATH = [Route("10.4.0.0/16", "eth0", "192.0.2.1", 0, 254, weight=1, protocol="static"),
             Route("10.4.0.0/16", "eth1", "192.0.2.129", 0, 254, weight=3, protocol="static")]
V6 = Route("2001:db8:1::/48", "eth0", "2001:db8::1", 1024, 254, protocol="static")

CURRENT = State(
    routes=[KERNEL_ROUTE, BOOT_ROUTE, BIRD_ROUTE, TABLE_100, *MULTIPATH, V6],
    route_rules=[RouteRule("ipv4", 0, route_table=255), RouteRule("ipv4", 100, fwmark=16,
                                                                  route_table=100,
                                                                  protocol="static")],
    neighbors=[Neighbor("192.0.2.9", "eth0", "02:00:00:00:00:09")],
    nexthops=[Nexthop(1, "ipv4", "192.0.2.1", "eth0", protocol="static")],
)


def desired(document: dict[str, Any]) -> State:
    return State.from_document(document)


def routes(*entries: dict[str, Any], **section: Any) -> State:
    return desired({"routes": {"config": list(entries), **section}})


def summary(changes: list[Change]) -> list[tuple[str, str, str]]:
    return [(c.op, c.section, str(getattr(c.key, "destination", c.key))) for c in changes]


def test_a_state_diffs_to_nothing_against_itself() -> None:
    assert not diff(CURRENT, CURRENT)


def test_unset_fields_are_dont_care() -> None:
    # no metric (IPv6: 1024), no table (main), no protocol: the kernel's route matches
    result = diff(routes({"destination": "10.1.0.0/16", "next-hop-address": "192.0.2.1"},
                         {"destination": "2001:db8:1::/48", "next-hop-address": "2001:db8::1"}),
                  CURRENT)
    assert not result


def test_a_field_given_as_the_kernels_default_matches_the_route_as_observed() -> None:
    """Observe reports tos 0, onlink off and a route's default scope as unset; a file that
    gives them matches (a second apply had replaced such routes every time)."""
    defaults = {"tos": 0, "onlink": False}
    result = diff(routes(
        {"destination": "10.1.0.0/16", "next-hop-address": "192.0.2.1", "scope": "global",
         **defaults},
        *({"destination": "10.4.0.0/16", "next-hop-interface": hop.next_hop_interface,
           "next-hop-address": hop.next_hop_address, "weight": hop.weight, "scope": "global",
           **defaults} for hop in MULTIPATH),
        {"destination": "2001:db8:1::/48", "scope": "global", "onlink": False}), CURRENT)
    assert not result
    linked = State(routes=[Route("10.5.0.0/16", "eth0", protocol="static")])
    assert not diff(routes({"destination": "10.5.0.0/16", "next-hop-interface": "eth0",
                            "scope": "link"}), linked)


def test_flags_given_off_match_the_objects_as_observed() -> None:
    """Observe reports rule, neighbour and nexthop flags as true or unset (and a rule's tos
    0 and full fwmask as unset); the rule's identity is the same with them given."""
    result = diff(desired({
        "route-rules": {"config": [{"priority": 100, "fwmark": 16, "route-table": 100,
                                    "invert": False, "l3mdev": False, "tos": 0,
                                    "fwmask": 0xFFFFFFFF}]},
        "neighbors": {"config": [{"destination": "192.0.2.9", "interface": "eth0",
                                  "link-layer-address": "02:00:00:00:00:09",
                                  "router": False, "proxy": False}]},
        "nexthops": {"config": [{"id": 1, "next-hop-address": "192.0.2.1",
                                 "next-hop-interface": "eth0", "onlink": False,
                                 "blackhole": False, "fdb": False}]}}), CURRENT)
    assert not result
    [change] = diff(desired({"nexthops": {"config": [{"id": 1, "onlink": True}]}}),
                    CURRENT).changes
    assert change.fields == ("onlink",)


def test_a_default_given_still_changes_a_route_that_differs_from_it() -> None:
    current = State(routes=[BOOT_ROUTE._replace(scope="link", onlink=True)])
    [change] = diff(routes({"destination": "10.1.0.0/16", "next-hop-address": "192.0.2.1",
                            "scope": "global", "tos": 0, "onlink": False}), current).changes
    assert change.fields == ("scope", "onlink")  # tos is in the key: tos 0 is this route's
    assert change.after == (BOOT_ROUTE._replace(scope="global", onlink=False),)
    linked = State(routes=[Route("10.5.0.0/16", "eth0", protocol="static")])
    [change] = diff(routes({"destination": "10.5.0.0/16", "next-hop-interface": "eth0",
                            "scope": "global"}), linked).changes
    assert change.fields == ("scope",)


def test_a_missing_route_is_created_with_what_the_file_says() -> None:
    result = diff(routes({"destination": "10.9.0.0/16", "next-hop-address": "192.0.2.1",
                          "table-id": 100}), CURRENT)
    [change] = result.changes
    assert (change.op, change.before) == ("create", ())
    assert change.after[0].table_id == 100 and change.after[0].protocol is None


def test_a_changed_field_is_an_update_that_keeps_the_rest() -> None:
    result = diff(routes({"destination": "10.1.0.0/16", "next-hop-address": "192.0.2.1",
                          "mtu": 1400}), CURRENT)
    [change] = result.changes
    assert change.op == "update" and change.fields == ("mtu",)
    assert change.after == (BOOT_ROUTE._replace(mtu=1400),)


def test_a_new_gateway_replaces_the_hop() -> None:
    [change] = diff(routes({"destination": "10.1.0.0/16", "next-hop-address": "192.0.2.7"}),
                    CURRENT).changes
    assert change.op == "update"
    assert change.after == (BOOT_ROUTE._replace(next_hop_address="192.0.2.7"),)


def test_multipath_hops_are_compared_as_a_set() -> None:
    same = [{"destination": "10.4.0.0/16", "next-hop-address": "192.0.2.129",
             "next-hop-interface": "eth1", "weight": 3},
            {"destination": "10.4.0.0/16", "next-hop-address": "192.0.2.1",
             "next-hop-interface": "eth0", "weight": 1}]
    assert not diff(routes(*same), CURRENT)
    reweighted = [dict(same[0], weight=2), same[1]]
    [change] = diff(routes(*reweighted), CURRENT).changes
    assert change.fields == ("weight",)
    extra: list[dict[str, Any]] = [*same, {"destination": "10.4.0.0/16",
                                           "next-hop-address": "192.0.2.130",
                                           "next-hop-interface": "eth1"}]
    [grown] = diff(routes(*extra), CURRENT).changes
    assert len(grown.after) == 3 and "next_hop_address" in grown.fields


def test_unlisted_objects_are_left_alone_by_default() -> None:
    assert not diff(desired({"routes": {"config": []}, "route-rules": {"config": []}}),
                    CURRENT)


def test_absent_wildcard_removes_matching_objects_but_not_the_kernels() -> None:
    result = diff(routes({"next-hop-interface": "eth0", "state": "absent"}), CURRENT)
    assert summary(result.changes) == [
        ("delete", "routes", "10.1.0.0/16"), ("delete", "routes", "10.2.0.0/16"),
        ("delete", "routes", "10.3.0.0/16"), ("update", "routes", "10.4.0.0/16"),
        ("delete", "routes", "2001:db8:1::/48")]
    partial = result.changes[3]
    assert partial.after == (MULTIPATH[1],)  # only the eth0 hop goes
    assert "absent entry matches: next-hop-interface=eth0" in partial.reason


def test_purge_removes_unlisted_objects_of_its_scope_and_protect_wins() -> None:
    result = diff(routes({"destination": "10.9.0.0/16", "next-hop-address": "192.0.2.1",
                          "table-id": 100},
                         purge=[{"table-id": 100}], protect=[{"protocol": "bird"}]), CURRENT)
    assert summary(result.changes) == [("create", "routes", "10.9.0.0/16"),
                                       ("delete", "routes", "10.3.0.0/16")]
    assert result.changes[1].reason == "not in the file, and purge matches: table-id=100"


def test_changing_a_protected_object_is_a_conflict() -> None:
    result = diff(routes({"destination": "10.2.0.0/16", "next-hop-address": "192.0.2.2",
                          "table-id": 100, "mtu": 1300}, protect=[{"protocol": "bird"}]),
                  CURRENT)
    assert not result.changes
    assert result.conflicts and "protected" in result.conflicts[0]


def test_rules_neighbors_and_nexthops() -> None:
    result = diff(desired({
        "route-rules": {"config": [{"priority": 100, "fwmark": 16, "route-table": 100,
                                    "protocol": "boot"}], "purge": [{}]},
        "neighbors": {"config": [{"destination": "192.0.2.9", "interface": "eth0",
                                  "link-layer-address": "02:00:00:00:00:0a"}]},
        "nexthops": {"config": [{"id": 2, "blackhole": True}],
                     "purge": [{"protocol": "static"}]},
    }), CURRENT)
    assert [(c.op, c.section, c.fields) for c in result.changes] == [
        ("create", "nexthops", ()), ("delete", "nexthops", ()),
        ("update", "route-rules", ("protocol",)),
        ("update", "neighbors", ("link_layer_address",))]
    # the default rules are the kernel's: purge [{}] does not reach them


# ---------------------------------------------------------------------------- properties

_ROUTES = st.builds(
    Route,
    destination=st.sampled_from(["10.0.0.0/8", "10.1.0.0/16", "2001:db8::/32", "0.0.0.0/0"]),
    next_hop_interface=st.sampled_from(["eth0", "eth1"]),
    next_hop_address=st.sampled_from([None, "192.0.2.1", "192.0.2.2"]),
    metric=st.sampled_from([0, 10, 1024]),
    table_id=st.sampled_from([254, 100]),
    protocol=st.sampled_from(["static", "boot", "bird"]),
    mtu=st.sampled_from([None, 1400]),
)
_RULES = st.builds(RouteRule, family=st.just("ipv4"), priority=st.integers(1, 5),
                   fwmark=st.sampled_from([None, 1, 2]), route_table=st.sampled_from([100, 254]))


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROUTES, max_size=12), st.lists(_RULES, max_size=6))
def test_any_state_diffs_to_nothing_against_itself(routes: list[Route],
                                                   rules: list[RouteRule]) -> None:
    state = State(routes=routes, route_rules=rules)
    assert not diff(state, state).changes


@settings(max_examples=300, deadline=None)
@given(st.lists(_ROUTES, max_size=12), st.lists(_ROUTES, max_size=12))
def test_diff_is_deterministic_and_converges(wanted: list[Route], have: list[Route]) -> None:
    desired, current = State(routes=wanted), State(routes=have)
    first, second = diff(desired, current), diff(desired, current)
    assert first.changes == second.changes
    # applying the changes' `after` records gives a state that diffs to nothing
    after = {c.key: c.after for c in first.changes}
    keys = list(dict.fromkeys(c.key for c in first.changes))
    untouched = [r for r in have if ROUTES.key(r) not in after]
    applied = State(routes=untouched + [r for key in keys for r in after[key]])
    assert not diff(desired, applied).changes


_WANTED = st.builds(  # as a file says them: some fields unset, some records unlike others
    Route,
    destination=st.sampled_from(["10.0.0.0/8", "10.1.0.0/16", "2001:db8::/32"]),
    next_hop_interface=st.sampled_from([None, "eth0"]),
    next_hop_address=st.sampled_from([None, "192.0.2.1"]),
    metric=st.sampled_from([None, 10]),
    table_id=st.sampled_from([None, 100]),
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WANTED, max_size=8, unique_by=ROUTES.key), st.lists(_ROUTES, max_size=12),
       st.lists(_ROUTES, max_size=12))
def test_the_files_side_worked_out_once_serves_every_diff(
        wanted: list[Route], first: list[Route], second: list[Route]) -> None:
    """apply diffs one Desired twice (to plan, then to verify, with its preparation done
    in between): as fresh diffs would."""
    desired = State(routes=wanted)
    once = Desired(desired)
    for have in (first, second, first):
        if have is second:
            for _ in once.preparation():
                pass
        current = State(routes=have)
        assert diff(once, current).changes == diff(desired, current).changes


def test_listing_an_object_and_removing_it_is_a_conflict() -> None:
    result = diff(routes({"destination": "10.1.0.0/16", "next-hop-address": "192.0.2.1"},
                         {"destination": "10.1.0.0/16", "state": "absent"}), CURRENT)
    assert result.conflicts and "absent entry destination=10.1.0.0/16" in result.conflicts[0]


def test_a_recreated_link_takes_the_files_addresses_over_the_kernels_none() -> None:
    def link(ipv4: dict[str, object]) -> Interface:
        return Interface.model_validate({"name": "v0", "type": "veth", "veth": {"peer": "p0"},
                                         "ipv4": ipv4})

    none = link({"enabled": False})
    some = link({"enabled": True, "address": [{"ip": "10.9.0.1", "prefix-length": 24}]})
    given = Interface.model_validate({"name": "v0", "ipv4": {
        "address": [{"ip": "10.9.0.1", "prefix-length": 24}]}})
    assert merged(none, given).ipv4 == some.ipv4
    assert merged(some, none).ipv4 == none.ipv4


def test_a_recreated_link_keeps_its_alternative_names_and_the_files() -> None:
    """alt-names add and remove names: the link made again has the kernel's names, less
    those the file removes, and the file's."""
    have = Interface.model_validate({"name": "v0", "type": "veth", "veth": {"peer": "v1"},
                                     "alt-names": [{"name": "kept"}, {"name": "dropped"}]})
    want = Interface.model_validate({"name": "v0", "veth": {"peer": "v2"}, "alt-names": [
        {"name": "added"}, {"name": "dropped", "state": "absent"}]})
    assert merged(have, want).alt_names == [
        AltNameEntry.model_validate({"name": name}) for name in ("added", "kept")]
