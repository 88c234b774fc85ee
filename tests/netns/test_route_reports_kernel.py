"""Apply's verification of routes by the bytes the kernel reports (requests/route_reports.py,
observe/routes.all_reported) against the real kernel: the bodies predicted are the kernel's
own, a route the kernel holds otherwise is not proven, and the verification reports it."""

from __future__ import annotations

import socket
from collections.abc import Collection, Iterator
from operator import itemgetter
from typing import Any

import pytest

import nlstate.apply.verify as verify_module
from nlstate import rtnl
from nlstate.apply.run import apply_state
from nlstate.apply.verify import Verification, VerifyError
from nlstate.diff import Desired
from nlstate.load import load_text
from nlstate.model import State
from nlstate.model.records import Route
from nlstate.observe import observe_indexed
from nlstate.observe.routes import all_reported
from nlstate.requests import route_request
from nlstate.requests.route_reports import reported_bodies
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from tests.conftest import Netns

pytestmark = pytest.mark.netns

GW, OTHER_GW = "192.0.2.2", "192.0.2.3"
PLAIN = [
    Route("10.10.0.0/16", "gw0", GW),  # all defaults
    Route("10.11.0.0/16", "gw0", GW, metric=20, table_id=100),
    Route("10.12.0.0/16", "gw0", GW, table_id=100000),  # rtm_table: RT_TABLE_COMPAT
    Route("10.19.0.0/16", "gw0"),  # no gateway: scope link
    Route("10.20.0.0/16", "gw0", scope="host"),
    Route("10.21.0.0/16", "gw0", GW, source="192.0.2.1", protocol="bird"),
    Route("10.22.0.0/16", "gw0", "203.0.113.1", onlink=True),
    Route("10.24.0.0/16", "gw0", GW, tos=0x10),
    Route("10.25.0.0/16", "e0", "198.51.100.2", metric=10),
    Route("10.26.0.1/32", "gw0", GW, metric=0, table_id=254, scope="global", tos=0,
          onlink=False, protocol="static"),  # every default given
    Route("0.0.0.0/0", "gw0", GW, table_id=102),
]


@pytest.fixture
def links(netns: Netns) -> dict[str, int]:
    for this, peer, address in (("gw0", "gw1", "192.0.2.1/24"), ("e0", "e1", "198.51.100.1/24")):
        netns.ip("link", "add", this, "type", "veth", "peer", "name", peer)
        netns.ip("addr", "add", address, "dev", this)
        netns.ip("link", "set", this, "up")
        netns.ip("link", "set", peer, "up")
    return netns.ifindexes()


def _dumped_bodies(netns: Netns) -> set[bytes]:
    with rtnl.open_socket(netns.name) as sock:
        request = build_request(rc.RTM_GETROUTE, {"rtm-family": socket.AF_INET})
        return {data[start:end] for data, frames in sock.dump_frames(request)
                for start, end in map(itemgetter(4, 5), frames)}


def test_the_bodies_predicted_are_the_kernels(netns: Netns, links: dict[str, int]) -> None:
    netns.send([route_request("create", [route], links) for route in PLAIN])
    bodies = reported_bodies(PLAIN, links)
    assert bodies is not None
    dumped = _dumped_bodies(netns)
    missing = [route for route, body in zip(PLAIN, bodies, strict=True) if body not in dumped]
    assert not missing, f"reported otherwise: {missing}"
    with rtnl.open_socket(netns.name) as sock:
        assert all_reported(sock, set(bodies))


@pytest.mark.parametrize("change", [
    ("route", "replace", "10.10.0.0/16", "via", OTHER_GW, "dev", "gw0"),
    ("route", "del", "10.10.0.0/16"),
    ("route", "replace", "10.10.0.0/16", "via", GW, "dev", "gw0", "proto", "boot"),
    ("link", "set", "gw1", "down"),  # gw0 loses its carrier: RTNH_F_LINKDOWN
], ids=["gateway", "deleted", "protocol", "carrier"])
def test_a_route_held_otherwise_is_not_proven(netns: Netns, links: dict[str, int],
                                              change: tuple[str, ...]) -> None:
    netns.send([route_request("create", [route], links) for route in PLAIN])
    bodies = reported_bodies(PLAIN, links)
    assert bodies is not None
    netns.ip(*change)
    with rtnl.open_socket(netns.name) as sock:
        assert not all_reported(sock, set(bodies))


def _routes_file(routes: list[Route]) -> State:
    lines = ["routes:", "  config:"]
    for route in routes:
        lines.append(f"  - destination: {route.destination}")
        lines += [f"    {name.replace('_', '-')}: {value}" for name, value in
                  route._asdict().items() if value is not None and name != "destination"]
    return load_text("\n".join(lines), "routes.yml")


@pytest.fixture
def observations(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """The verification's observations, each as whether it dumped and decoded the routes
    (which only the slow path does)."""
    seen: list[bool] = []

    def counted(*args: Any, skip: Collection[str] = (), **kwargs: Any,
                ) -> tuple[State, dict[str, int]]:
        seen.append("routes" not in skip)
        return observe_indexed(*args, skip=skip, **kwargs)

    monkeypatch.setattr(verify_module, "observe_indexed", counted)
    yield seen


def test_an_apply_proves_its_routes_by_their_bytes(netns: Netns, links: dict[str, int],
                                                    observations: list[bool]) -> None:
    outcome = apply_state(_routes_file(PLAIN), netns.name)
    assert outcome.done == len(PLAIN) and observations == [False]
    assert {route["dst"] for route in netns.ip_json("route", "show", "table", "all")
            if route.get("protocol") in ("static", "bird")} >= {"10.10.0.0/16", "default"}


def test_a_file_whose_routes_cannot_be_proven_is_observed_once(
        netns: Netns, links: dict[str, int], observations: list[bool]) -> None:
    """(The first version observed without routes, then again with them.)"""
    file = _routes_file([*PLAIN, Route("10.30.0.0/16", "gw0", GW, mtu=1400)])
    assert apply_state(file, netns.name).done == len(PLAIN) + 1
    assert observations == [True]


def _verification(netns: Netns, links: dict[str, int]) -> Verification:
    desired = _routes_file(PLAIN)
    apply_state(desired, netns.name)
    verification = Verification(Desired(desired), links)
    for _ in verification.preparation():
        pass
    return verification


def test_a_route_changed_after_the_plan_fails_the_verification(
        netns: Netns, links: dict[str, int], observations: list[bool]) -> None:
    verification = _verification(netns, links)
    observations.clear()  # the apply's own
    netns.ip("route", "replace", "10.10.0.0/16", "via", OTHER_GW, "dev", "gw0")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(VerifyError) as failure:
        verification.check(sock)
    assert f"route 10.10.0.0/16 via {GW} dev gw0 metric 0: next-hop-address wanted {GW}, " \
        f"found {OTHER_GW}" in str(failure.value)
    assert observations == [False, True]


def test_routes_by_an_index_another_link_has_taken_are_decoded(
        netns: Netns, links: dict[str, int], observations: list[bool]) -> None:
    """The bodies name a link by the index it had. Once e0 is recreated and another link
    has its old index, a route through that other link is reported with the very bytes
    predicted for e0: the verification must not take them for e0's route."""
    verification = _verification(netns, links)
    observations.clear()  # the apply's own
    netns.ip("link", "del", "e0")
    netns.ip("link", "add", "e0", "type", "veth", "peer", "name", "e1")
    netns.ip("link", "add", "e2", "index", str(links["e0"]), "type", "veth", "peer", "name",
             "e3")
    for link in ("e0", "e1", "e2", "e3"):
        netns.ip("link", "set", link, "up")
    netns.ip("addr", "add", "198.51.100.1/24", "dev", "e2")
    netns.ip("route", "add", "10.25.0.0/16", "via", "198.51.100.2", "dev", "e2", "metric", "10",
             "proto", "static")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(VerifyError) as failure:
        verification.check(sock)
    assert "next-hop-interface wanted e0, found e2" in str(failure.value)
    assert observations == [False, True]
