"""Hypothesis on a real kernel: random desired states applied to random starting states
either converge in one apply (a second plan is empty) or fail and leave the namespace
exactly as it was (ip -j dumps equal)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nlstate.apply.lock import RUN_DIR_VARIABLE
from nlstate.diff import diff
from nlstate.load import load_text
from nlstate.observe import observe
from nlstate.plan import make_plan
from tests.conftest import create_netns, delete_netns, run_nlstate
from tests.netns.test_apply import dumps

pytestmark = pytest.mark.netns

STARTS = [
    "link add a0 type veth peer name a1",
    "link add br0 type bridge",
    "link set a1 master br0",
    "addr add 192.0.2.1/24 dev a0",
    "addr add 2001:db8::1/64 dev a0 nodad",
    "link set a0 up",
    "link set a1 up",
    "link set br0 up",
    "link add m0 link a0 type macvlan mode bridge",
    "route add 10.1.0.0/16 via 192.0.2.2 dev a0",
    "nexthop add id 5 via 192.0.2.3 dev a0",
    "rule add fwmark 16 table 100 priority 100",
    "link add vx0 type vxlan id 42 dstport 4789",
    "link property add dev a0 altname a0-alternative-name",
]

# alternative names: added, removed, or one name for two links (the file's check refuses
# that when both are listed; the kernel, when a0 keeps the name another link asks for)
ALT_NAMES = [[{"name": "a0-alternative-name"}],
             [{"name": "a0-alternative-name", "state": "absent"}],
             [{"name": "one-name-for-two-links"}]]


@st.composite
def starts(draw: st.DrawFn) -> str:
    """The first link always, then any of the other commands (those that fail, for want of
    what they need, are skipped by ip -force)."""
    chosen = draw(st.lists(st.sampled_from(STARTS[1:]), unique=True))
    return "\n".join([STARTS[0], *sorted(chosen, key=STARTS.index)]) + "\n"


# a0 as it is (a veth whose peer is a1), or with a new peer: then deleted and created
# again, where allowed, with what is on it (m0, a1's port, addresses, routes) after it
A0_KINDS: list[dict[str, Any]] = [{}, {"type": "veth", "veth": {"peer": "a1"}},
                                  {"type": "veth", "veth": {"peer": "a2"}}]


@st.composite
def desired_states(draw: st.DrawFn) -> dict[str, Any]:
    interfaces: list[dict[str, Any]] = []
    for name, extra in (("a0", draw(st.sampled_from(A0_KINDS))),
                        ("br0", {"type": "linux-bridge"}),
                        ("n0", {"type": "veth", "veth": {"peer": "n1"}}),
                        ("m1", {"type": "mac-vlan",
                                "mac-vlan": {"base-iface": "a0", "mode": "private"}}),
                        ("a1", draw(st.sampled_from([{}, {"controller": "br0"},
                                                     {"controller": ""}]))),
                        ("vx0", {"type": "vxlan", "vxlan": draw(st.sampled_from([
                            {"id": 42, "destination-port": 4789},
                            {"id": 43, "destination-port": 4789, "learning": False}]))})):
        if not draw(st.booleans()):
            continue
        entry: dict[str, Any] = {"name": name, **extra}
        if draw(st.booleans()):
            entry["description"] = draw(st.sampled_from(["", "uplink"]))
        if draw(st.booleans()):
            entry["alt-names"] = draw(st.sampled_from(ALT_NAMES))
        if name in ("a0", "vx0") and draw(st.booleans()):  # a new peer or id: recreated
            entry["allow-recreate"] = True
        entry.update(draw(st.fixed_dictionaries({}, optional={
            "mtu": st.sampled_from([1300, 1500]),
            "state": st.sampled_from(["up", "down", "down", "absent"]),
            "accept-all-mac-addresses": st.booleans(),
        })))
        if name == "br0" and draw(st.booleans()):  # a1 is its port at the start, maybe
            ports = draw(st.sampled_from([[], ["a1"], ["n1"], ["a1", "n1"]]))
            entry["bridge"] = {"port": [{"name": port} for port in ports]}
        subnet = {"a0": 2, "br0": 3, "n0": 4, "m1": 5, "a1": 6, "vx0": 7}[name]
        ipv4 = draw(st.sampled_from([
            None, [], [{"ip": f"198.51.{subnet}.1", "prefix-length": 24}],
            [{"ip": "192.0.2.1", "prefix-length": 24}],  # a0's at the start
            [{"ip": "192.0.2.1", "prefix-length": 24, "noprefixroute": True}],
            [{"ip": "192.0.2.1", "prefix-length": 25}]]))
        if ipv4 is not None:
            entry["ipv4"] = {"address": ipv4}
        ipv6 = draw(st.sampled_from([None, [], ["2001:db8::1"], [f"2001:db8:{subnet}::1"]]))
        if ipv6 is not None:  # the start may have 2001:db8::1 on a0; the kernel drops IPv6
            entry["ipv6"] = {"address": [{"ip": ip, "prefix-length": 64} for ip in ipv6]}
        interfaces.append(entry)
    document: dict[str, Any] = {"interfaces": interfaces}
    route_entries: list[dict[str, Any]] = [
        {"destination": "10.1.0.0/16", "next-hop-address": "198.51.2.9",
         "next-hop-interface": "a0"},
        {"destination": "10.1.0.0/16", "next-hop-address": "198.51.2.9",
         "next-hop-interface": "a0", "scope": "global", "tos": 0, "onlink": False,
         "metric": 0},  # the kernel's defaults, given
        {"destination": "10.2.0.0/16", "next-hop-interface": "n0"},
        {"destination": "10.3.0.0/16", "next-hop-address": "203.0.113.9",
         "next-hop-interface": "a0"},  # unreachable unless a0 has 203.0.113.0/24: refused
        {"destination": "2001:db8:9::/48", "next-hop-address": "2001:db8::2",
         "next-hop-interface": "a0"},  # reachable while a0 has 2001:db8::1/64
    ]
    routes = draw(st.lists(st.sampled_from(route_entries),
                           unique_by=lambda route: route["destination"], max_size=3))
    purges: list[list[dict[str, Any]] | None] = [None, [{}], [{"next-hop-interface": "a0"}]]
    purge = draw(st.sampled_from(purges))
    if routes or purge:
        document["routes"] = {"config": routes, **({"purge": purge} if purge else {})}
    nexthops = draw(st.sampled_from([[], [{"id": 5, "next-hop-address": "198.51.2.9",
                                           "next-hop-interface": "a0"}],
                                     [{"id": 6, "blackhole": True}]]))
    if nexthops:
        document["nexthops"] = {"config": nexthops}
    if draw(st.booleans()):
        document["route-rules"] = {"config": [draw(st.sampled_from([
            {"priority": 100, "fwmark": 16, "route-table": 200},
            {"priority": 100, "state": "absent"},
            {"priority": 200, "ip-from": "10.0.0.0/8", "route-table": 100},
            {"priority": 200, "ip-from": "10.0.0.0/8", "route-table": 100, "invert": False,
             "tos": 0}]))]}
    return document


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(starts(), desired_states(), st.booleans())
def test_random_applies_converge_or_leave_no_trace(start: str, document: dict[str, Any],
                                                  allow_recreate: bool) -> None:
    netns = create_netns()
    folder = Path("/tmp") / f"{netns.name}-run"
    try:
        subprocess.run(["ip", "-n", netns.name, "-force", "-batch", "-"], input=start,
                       text=True, capture_output=True, check=False)
        before = dumps(netns)
        path = folder / "desired.yml"
        folder.mkdir()
        path.write_text(yaml.safe_dump(document))
        result = run_nlstate("apply", str(path), "--netns", netns.name,
                             *(["--allow-recreate"] if allow_recreate else []),
                             env={RUN_DIR_VARIABLE: str(folder)})
        recreated = "cannot change on an existing link)" in result.stdout  # a plan's reason
        event(f"{'applied' if result.returncode == 0 else 'refused or rolled back'}"
              f"{', a link recreated' if recreated else ''}")
        if result.returncode == 0:
            desired = load_text(path.read_text())
            after = observe(netns.name, include_kernel=False)
            assert not make_plan(diff(desired, after, allow_recreate=allow_recreate),
                                 after).steps
        else:  # refused when planning, or rolled back
            assert dumps(netns) == before, result.stderr
    finally:
        delete_netns(netns)
        for leftover in sorted(folder.glob("*"), reverse=True):
            leftover.unlink()
        if folder.exists():
            folder.rmdir()
