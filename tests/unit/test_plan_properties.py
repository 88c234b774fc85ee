"""Properties of planning (hypothesis): for random desired states against a rich current
state, planning twice gives the same plan, and a state planned against itself (or against
its own `show` document) plans nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nlstate.diff import diff
from nlstate.load import load_file
from nlstate.model import State
from nlstate.plan import PlanError, make_plan

CURRENT = load_file(Path(__file__).resolve().parents[1] / "cases" / "noop-interfaces-from-show"
                    / "current.yml")
NAMES = [iface.name for iface in CURRENT.interfaces if iface.name != "lo"] + ["n0", "n1"]
ADDRESSES: list[dict[str, Any]] = [
    {"ip": f"192.0.2.{n}", "prefix-length": 24} for n in (10, 11, 12)] + [
    {"ip": "2001:db8::10", "prefix-length": 64, "noprefixroute": True}]


@st.composite
def interfaces(draw: st.DrawFn) -> list[dict[str, Any]]:
    chosen = draw(st.lists(st.sampled_from(NAMES), unique=True, max_size=5))
    out = []
    for name in chosen:
        entry: dict[str, Any] = {"name": name}
        if name in ("n0", "n1"):
            entry.update(type="veth", veth={"peer": "n1" if name == "n0" else "n0"})
        entry.update(draw(st.fixed_dictionaries({}, optional={
            "mtu": st.sampled_from([1400, 1500, 9000]),
            "state": st.sampled_from(["up", "down", "ignore"]),
            "description": st.sampled_from(["uplink", "lab"]),
        })))
        picked: list[dict[str, Any]] = draw(st.lists(
            st.sampled_from(ADDRESSES), unique_by=lambda a: str(a["ip"]), max_size=3))
        for family, v6 in (("ipv4", False), ("ipv6", True)):
            mine = [a for a in picked if (":" in str(a["ip"])) == v6]
            keep_empty: bool = draw(st.booleans())
            if mine or keep_empty:
                entry[family] = {"address": mine}
        out.append(entry)
    return out


@st.composite
def states(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = {"interfaces": draw(interfaces())}
    routes = draw(st.lists(st.fixed_dictionaries(
        {"destination": st.sampled_from(["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/16"]),
         "next-hop-interface": st.sampled_from(["eth0", "vx0", "n0"])},
        optional={"metric": st.sampled_from([0, 100])}),
        unique_by=lambda r: (r["destination"], r.get("metric", 0)), max_size=3))
    if routes:
        document["routes"] = {"config": routes}
    return document


def plan_text(desired: State, allow_recreate: bool = True) -> str:
    try:
        return make_plan(diff(desired, CURRENT, allow_recreate=allow_recreate), CURRENT).text()
    except PlanError as exc:
        return f"error: {exc}"


@settings(max_examples=200, deadline=None)
@given(states())
def test_planning_twice_gives_the_same_plan(document: dict[str, Any]) -> None:
    desired = State.from_document(document)
    first = plan_text(desired)
    assert plan_text(State.from_document(document)) == first
    if not first.startswith("error"):  # every step builds its request and says it as data
        plan = make_plan(diff(desired, CURRENT, allow_recreate=True), CURRENT)
        assert len(plan.document()["steps"]) == len(plan.steps)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(range(len(CURRENT.interfaces))), unique=True),
       st.lists(st.sampled_from(["mtu", "state", "ipv4", "ipv6", "mac-address"]),
                unique=True))
def test_listing_what_the_kernel_has_plans_nothing(chosen: list[int], keys: list[str]) -> None:
    """Any part of the current state, said again (some interfaces, some of their keys),
    is already so."""
    shown = CURRENT.document()
    listed = [{k: v for k, v in shown["interfaces"][i].items()
               if k in ("name", "type", *keys)} for i in chosen]
    desired = State.from_document({"interfaces": listed, "routes": shown["routes"]})
    assert not make_plan(diff(desired, CURRENT), CURRENT).steps


def test_a_state_plans_nothing_against_itself() -> None:
    assert not make_plan(diff(CURRENT, CURRENT), CURRENT).steps
    shown = State.from_document(CURRENT.document())
    assert not make_plan(diff(shown, CURRENT), CURRENT).steps
