"""Plan order and rendering (no kernel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlstate import plan_links
from nlstate.diff import diff
from nlstate.diff_links import LinkChange
from nlstate.load import LoadError, load_file
from nlstate.model import State
from nlstate.model.interface import Interface
from nlstate.model.records import Nexthop, NexthopMember, Route, RouteRule
from nlstate.plan import make_plan
from nlstate.plan_links import PlanError, link_steps
from nlstate.requests import RequestError
from nlstate.requests.links import link_create_commands

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


def test_outline_counts_steps_by_action_and_type() -> None:
    """What apply prints of a long plan: the order of first appearance, disruptive ones
    counted."""
    desired = State.from_document({
        "routes": {"config": [{"destination": "10.1.0.0/16", "next-hop-id": 10, "mtu": 1400},
                              {"destination": "10.3.0.0/16", "next-hop-id": 10},
                              {"destination": "10.4.0.0/16", "next-hop-id": 10}]},
        "route-rules": {"config": [{"priority": 100, "fwmark": 16, "route-table": 100,
                                    "protocol": "static"}]},
    })
    current = State(routes=CURRENT.routes, route_rules=CURRENT.route_rules,
                    nexthops=CURRENT.nexthops,
                    interfaces=[Interface.model_validate({"name": "eth0", "mtu": 1500}),
                                Interface.model_validate({"name": "br9",
                                                          "type": "linux-bridge"})])
    desired.interfaces = [Interface.model_validate({"name": "eth0", "mtu": 1400}),
                          Interface.model_validate({"name": "br9", "state": "absent"})]
    plan = make_plan(diff(desired, current), current)
    assert plan.outline().splitlines() == [
        "- delete rule: 1",
        "- delete link: 1 (1 disruptive !)",
        "~ change link: 1",
        "~ replace route: 1",
        "+ create route: 2",
        "+ create rule: 1",
        "Plan: 3 to create, 2 to change, 2 to delete. 1 disruptive (!).",
    ]
    assert plan.summary() == plan.outline().splitlines()[-1]


def test_no_changes() -> None:
    plan = make_plan(diff(CURRENT, CURRENT), CURRENT)
    assert plan.steps == [] and plan.text() == "No changes.\n"


def test_links_that_sit_on_each_other_are_a_cycle_named_in_the_error() -> None:
    """A file cannot say it (validation refuses loops), but the planner checks anyway."""
    def macvlan(name: str, base: str) -> Interface:
        return Interface.model_validate({"name": name, "type": "mac-vlan",
                                         "mac-vlan": {"base-iface": base, "mode": "bridge"}})

    changes = [LinkChange("create", "m0", None, macvlan("m0", "m1")),
               LinkChange("create", "m1", None, macvlan("m1", "m0"))]
    with pytest.raises(PlanError, match="in a cycle: m0 -> m1 -> m0"):
        link_steps(changes)


def test_a_create_step_names_the_links_it_makes_a_veths_peer_too() -> None:
    """The executor looks up the indexes of exactly these once they are made."""
    veth = Interface.model_validate({"name": "v0", "type": "veth", "veth": {"peer": "p0"}})
    bridge = Interface.model_validate({"name": "br0", "type": "linux-bridge"})
    steps = link_steps([LinkChange("create", "v0", None, veth),
                        LinkChange("create", "br0", None, bridge)]).setup
    assert {step.records[0].link: step.records[0].creates for step in steps
            if step.action == "create"} == {"v0": ("v0", "p0"), "br0": ("br0",)}


def _creatable_links() -> list[Interface]:
    """Every link with a type that the cases and examples name, and some with more set."""
    root = Path(__file__).resolve().parents[2]
    files = [*(root / "tests" / "cases").glob("*/desired.yml"), *(root / "examples").glob("*.yml")]
    links = []
    for path in files:
        try:
            state = load_file(path)
        except LoadError:
            continue  # the cases of invalid files
        links += [iface for iface in state.interfaces if iface.type is not None]
    links += [Interface.model_validate(document) for document in (
        {"name": "v9", "type": "veth", "mtu": 9000, "mac-address": "02:00:00:00:00:09",
         "accept-all-mac-addresses": True, "veth": {"peer": "p9"}},
        {"name": "b9", "type": "linux-bridge", "bridge": {
            "options": {"stp": {"enabled": True}}, "port": [{"name": "v9"}]}},
    )]
    return [link for link in links if _creatable(link)]


def _creatable(link: Interface) -> bool:
    try:
        link_create_commands(link)
    except RequestError:
        return False  # a type nlstate does not create (loopback, ethernet)
    return True


@pytest.mark.parametrize("link", _creatable_links(), ids=lambda link: link.name)
def test_a_link_created_as_the_file_says_is_changed_in_place_as_before_the_shortcut(
        link: Interface, monkeypatch: pytest.MonkeyPatch) -> None:
    """link_steps skips the in-place comparison for links their own create made; each
    with and without a controller or alias plans the same steps as without the skip."""
    for variant in (link, link.replaced(controller="br-up"), link.replaced(controller=""),
                    link.replaced(description="x")):
        changes = [LinkChange("create", variant.name, None, variant)]
        shortcut = link_steps(changes)
        with monkeypatch.context() as patched:
            patched.setattr(plan_links, "_made_as_said", lambda *_: False)
            general = link_steps(changes)
        assert [step.command for step in shortcut.setup] == [
            step.command for step in general.setup]
