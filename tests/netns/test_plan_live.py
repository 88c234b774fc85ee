"""A plan made against a live namespace, sent step by step, leaves the namespace as the file
says: observing again diffs to nothing, and ip -j agrees."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from nlstate import rtnl
from nlstate.diff import diff
from nlstate.model import State
from nlstate.observe import observe
from nlstate.plan import make_plan
from nlstate.rtnl import consts as rc
from tests.conftest import Netns
from tests.netns.test_show import build_rich_state

pytestmark = pytest.mark.netns


def edited(document: dict[str, Any]) -> dict[str, Any]:
    document = copy.deepcopy(document)
    routes = [r for r in document["routes"]["config"]
              if r["destination"] not in ("10.9.0.0/16", "10.5.0.0/16")]  # no longer listed
    document["routes"]["config"] = routes
    next(r for r in routes if r["destination"] == "10.1.0.0/16")["mtu"] = 1300  # replace
    routes.append({"destination": "10.50.0.0/16", "next-hop-address": "192.0.2.3",
                   "table-id": 300})  # create, table > 255
    routes.append({"destination": "10.9.0.0/16", "state": "absent"})  # absent entry
    document["routes"]["purge"] = [{"table-id": 200}]  # removes the unreachable route
    rules = document["route-rules"]["config"]
    next(r for r in rules if r["priority"] == 100)["protocol"] = "static"  # delete + create
    nexthops = document["nexthops"]["config"]
    nexthops.append({"id": 20, "next-hop-address": "192.0.2.4", "next-hop-interface": "v0"})
    nexthops.append({"id": 21, "group": [{"id": 20, "weight": 2}, {"id": 1}]})
    neighbors = document["neighbors"]["config"]
    neighbors[0]["link-layer-address"] = "02:00:00:00:00:99"  # replace
    return document


def test_plan_applied_converges(netns: Netns) -> None:
    build_rich_state(netns)
    current = observe(netns.name)
    desired = State.from_document(edited(observe(netns.name, include_kernel=False).document()))
    plan = make_plan(diff(desired, current), current)
    actions = [(s.action, s.kind.section) for s in plan.steps]
    assert ("delete", "route-rules") in actions and ("create", "route-rules") in actions
    assert actions.index(("create", "nexthops")) < actions.index(("create", "routes"))
    with rtnl.open_socket(netns.name) as sock:
        names = {m.attrs["ifname"]: m.header["ifi-index"]
                 for m in sock.dump(rtnl.build_request(rc.RTM_GETLINK))}
        result = sock.batch([step.request(names) for step in plan.steps], ack="each",
                            stop_on_error=True)
    assert result.failed == [], [str(e) for e in result.errors if e]
    after = observe(netns.name)
    remaining = diff(desired, after)
    assert not remaining.changes, remaining.changes
    assert not make_plan(diff(desired, after), after).steps  # a second plan is empty

    ip_routes = {r["dst"]: r for r in netns.ip_json("route", "show", "table", "all")}
    assert ip_routes["10.1.0.0/16"]["metrics"] == [{"mtu": 1300}]
    assert ip_routes["10.50.0.0/16"]["table"] == "300"
    assert "10.9.0.0/16" not in ip_routes and "10.5.0.0/16" not in ip_routes
    [rule] = [r for r in netns.ip_json("rule", "show") if r["priority"] == 100]
    assert rule["protocol"] == "static"
    assert {n["id"] for n in netns.ip_json("nexthop", "show")} >= {20, 21}
