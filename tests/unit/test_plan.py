"""Plan order and rendering (no kernel)."""

from __future__ import annotations

from nlstate.diff import diff
from nlstate.model import State
from nlstate.model.records import Nexthop, NexthopMember, Route, RouteRule
from nlstate.plan import make_plan

GROUP = Nexthop(10, group=(NexthopMember(1), NexthopMember(2)), protocol="static")
CURRENT = State(
    routes=[Route("10.1.0.0/16", next_hop_id=10, metric=0, table_id=254, protocol="static")],
    route_rules=[RouteRule("ipv4", 100, fwmark=16, route_table=100, protocol="boot")],
    nexthops=[Nexthop(1, "ipv4", "192.0.2.1", "eth0", protocol="static"),
              Nexthop(2, "ipv4", "192.0.2.2", "eth0", protocol="static"), GROUP],
)


def test_deletes_go_dependents_first_and_creates_parents_first() -> None:
    desired = State.from_document({
        "routes": {"config": [{"destination": "10.2.0.0/16", "next-hop-id": 30}],
                   "purge": [{}]},
        "route-rules": {"config": [{"priority": 100, "fwmark": 16, "route-table": 100,
                                    "protocol": "static"}]},
        "nexthops": {"config": [{"id": 30, "group": [{"id": 3}]},
                                {"id": 3, "next-hop-address": "192.0.2.3",
                                 "next-hop-interface": "eth0"}],
                     "purge": [{}]},
    })
    plan = make_plan(diff(desired, CURRENT), CURRENT)
    assert [step.command for step in plan.steps] == [
        # deletes, dependents first: the rule (a change of a rule is delete + create), the
        # route using group 10, then the group before its members
        "ip rule del priority 100 fwmark 0x10 lookup 100 protocol boot",
        "ip route del 10.1.0.0/16 metric 0",
        "ip nexthop del id 10",
        "ip nexthop del id 1",
        "ip nexthop del id 2",
        # creates, parents first: the member before its group, the group before the route
        "ip nexthop add id 3 via 192.0.2.3 dev eth0 proto static",
        "ip nexthop add id 30 group 3 proto static",
        "ip route add 10.2.0.0/16 proto static nhid 30",
        "ip rule add priority 100 fwmark 0x10 lookup 100 protocol static",
    ]


def test_text_and_json() -> None:
    desired = State.from_document({"routes": {"config": [
        {"destination": "10.1.0.0/16", "next-hop-id": 10, "mtu": 1400}]}})
    plan = make_plan(diff(desired, CURRENT), CURRENT)
    assert plan.text().splitlines() == [
        "   1 ~ ip route replace 10.1.0.0/16 metric 0 proto static mtu 1400 nhid 10",
        "       (differs from the file: mtu)",
        "Plan: 0 to create, 1 to change, 0 to delete.",
    ]
    [step] = plan.document()["steps"]
    assert step["message"] == "RTM_NEWROUTE"
    assert step["flags"] == ["REQUEST", "ACK", "REPLACE", "CREATE"]
    assert len(plan.document()["fingerprint"]) == 16


def test_no_changes() -> None:
    plan = make_plan(diff(CURRENT, CURRENT), CURRENT)
    assert plan.steps == [] and plan.text() == "No changes.\n"
