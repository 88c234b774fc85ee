"""nlstate apply on real namespaces, checked with ip -j: examples applied twice (the second
changes nothing), failures roll back to exactly the state before, saved plans are refused
once the state has changed, one apply at a time per namespace."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Collection
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest

from nlstate import rtnl
from nlstate.apply import execute as execute_module
from nlstate.apply import verify as verify_module
from nlstate.apply.execute import FIRST_PART, PART, execute, link_indexes
from nlstate.apply.lock import RUN_DIR_VARIABLE, namespace_lock
from nlstate.apply.run import ApplyError, apply_state
from nlstate.diff import diff
from nlstate.load import load_file
from nlstate.model import State
from nlstate.netlink import NetlinkSocket
from nlstate.observe import observe_indexed, observe_with
from nlstate.plan import make_plan
from tests.conftest import Netns, run_nlstate

pytestmark = pytest.mark.netns

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yml"))


@pytest.fixture(autouse=True)
def run_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Locks and undo files of these tests live in a directory of their own."""
    folder = tmp_path / "run"
    monkeypatch.setenv(RUN_DIR_VARIABLE, str(folder))
    return folder


# what the kernel changes by itself: timers, carrier and port states, the default qdisc it
# attaches when a link first goes up (tc's business, not rtnetlink's: it stays after down),
# a bridge's STP ids, which it derives from the bridge's MAC (a new bridge without ports
# keeps 0 until its MAC is set, as a rollback that recreates it does to give its MAC back),
# and the TSO limits a bridge takes from its ports and keeps (read-only, not rtnetlink's)
VOLATILE = ("_timer", "operstate", "linkmode", "state", "flags", "addr_info", "stats",
            "qdisc", "bridge_id", "root_id", "tso_max_size", "tso_max_segs")


def dumps(ns: Netns) -> dict[str, Any]:
    """What ip -j shows of the namespace, without what the kernel changes by itself as time
    passes (timers, bridge port and carrier states, IPv6 link-local addresses, their DAD
    flags and routes); the admin state stays (UP in the flags)."""
    def scrub(value: Any) -> Any:
        if isinstance(value, dict):
            kept = {k: scrub(v) for k, v in value.items() if not k.endswith(VOLATILE)}
            if "flags" in value and isinstance(value["flags"], list):
                kept["up"] = "UP" in value["flags"]
                kept["promisc"] = "PROMISC" in value["flags"]
            if "altnames" in value:  # in the order added: a name given back comes last
                kept["altnames"] = sorted(value["altnames"])
            if "addr_info" in value:
                kept["addresses"] = sorted(
                    (a["local"], a["prefixlen"]) for a in value["addr_info"]
                    if a.get("scope") != "link")
            return kept
        if isinstance(value, list):
            return [scrub(v) for v in value]
        return value
    def settled(entry: Any) -> bool:  # IPv6 link-local routes come as the links go up
        return not str(entry.get("dst", "")).startswith(("fe80", "ff00"))
    found = {what: scrub(ns.ip_json(*what.split())) for what in (
        "-d link show", "addr show", "route show table all", "-6 route show table all",
        "rule show", "-6 rule show", "neigh show nud permanent", "nexthop show")}
    for routes in ("route show table all", "-6 route show table all"):
        found[routes] = [entry for entry in found[routes] if settled(entry)]
    return found


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_applied_twice(netns: Netns, example: Path) -> None:
    first = run_nlstate("apply", str(example), "--netns", netns.name)
    assert first.returncode == 0, first.stderr
    assert "the state matches the file" in first.stderr and first.stdout
    state = dumps(netns)
    second = run_nlstate("apply", str(example), "--netns", netns.name)
    assert second.returncode == 0, second.stderr
    assert "nothing to do" in second.stderr and second.stdout == ""
    assert dumps(netns) == state


BASE = """\
link add a0 type veth peer name a1
link add br0 type bridge
link set a1 master br0
addr add 192.0.2.1/24 dev a0
link set a0 up
link set a1 up
link set br0 up
route add 10.1.0.0/16 via 192.0.2.2
nexthop add id 5 via 192.0.2.3 dev a0
"""

GOOD = """\
interfaces:
- name: a0
  mtu: 1400
  ipv4:
    address:
    - {ip: 192.0.2.1, prefix-length: 24}
    - {ip: 192.0.2.9, prefix-length: 24}
- name: br0
  bridge:
    port: []
- name: n0
  type: veth
  veth: {peer: n1}
  ipv4:
    address:
    - {ip: 198.51.100.1, prefix-length: 24}
routes:
  config:
  - destination: 10.1.0.0/16
    next-hop-address: 192.0.2.4
    next-hop-interface: a0
  - destination: 10.2.0.0/16
    next-hop-address: 198.51.100.2
    next-hop-interface: n0
nexthops:
  config:
  - id: 5
    next-hop-address: 192.0.2.5
    next-hop-interface: a0
"""

FAULTS = {  # a refused object, and where its step falls in the plan
    "route-unreachable-gateway-last": """\
  - destination: 10.9.0.0/16
    next-hop-address: 203.0.113.1
    next-hop-interface: n0
""",
    "nexthop-unreachable-before-routes": """\
nexthops:
  config:
  - id: 5
    next-hop-address: 192.0.2.5
    next-hop-interface: a0
  - id: 6
    next-hop-address: 203.0.113.1
    next-hop-interface: a0
""",
}


def faulty(name: str) -> str:
    fault = FAULTS[name]
    if fault.startswith("nexthops:"):
        return GOOD[:GOOD.index("nexthops:")] + fault
    return GOOD.replace("nexthops:", fault + "nexthops:")


@pytest.mark.parametrize("fault", sorted(FAULTS))
def test_a_refused_step_rolls_everything_back(netns: Netns, tmp_path: Path,
                                              fault: str) -> None:
    netns.batch(BASE)
    before = dumps(netns)
    desired = tmp_path / "desired.yml"
    desired.write_text(faulty(fault))
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 1
    assert "ENETUNREACH" in result.stderr or "EINVAL" in result.stderr, result.stderr
    assert f"from {desired}:" in result.stderr  # the file and line of the object
    assert "rolled back" in result.stderr
    assert dumps(netns) == before
    good = tmp_path / "good.yml"
    good.write_text(GOOD)  # the same without the fault applies, and sticks
    assert run_nlstate("apply", str(good), "--netns", netns.name).returncode == 0
    links = {link["ifname"]: link for link in netns.ip_json("link", "show")}
    assert links["a0"]["mtu"] == 1400 and "master" not in links["a1"]
    assert {n["id"]: n for n in netns.ip_json("nexthop", "show")}[5]["gateway"] == "192.0.2.5"


DOWN_WITH_IPV6 = """\
interfaces:
- name: a0
  state: down
  ipv6:
    address:
    - {ip: 2001:db8::1, prefix-length: 64}
"""


@pytest.mark.parametrize("address_there", [False, True], ids=["new-address", "kept-address"])
def test_a_link_set_down_keeps_the_ipv6_addresses_the_file_gives(
        netns: Netns, tmp_path: Path, address_there: bool) -> None:
    """The kernel drops a link's IPv6 addresses as it goes down: the plan sets the link down
    first and gives the addresses (again) after."""
    netns.batch("link add a0 type veth peer name a1\nlink set a0 up\n"
                + ("addr add 2001:db8::1/64 dev a0 nodad\n" if address_there else ""))
    desired = tmp_path / "down.yml"
    desired.write_text(DOWN_WITH_IPV6)
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 0, result.stderr
    [link] = netns.ip_json("addr", "show", "dev", "a0")
    assert "UP" not in link["flags"]
    assert [(a["local"], a["prefixlen"]) for a in link["addr_info"]
            if a["family"] == "inet6"] == [("2001:db8::1", 64)]
    again = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert again.returncode == 0 and "nothing to do" in again.stderr


UNREACHABLE_ROUTE = ("routes:\n  config:\n  - {destination: 10.1.0.0/16, "
                     "next-hop-address: 198.51.2.9, next-hop-interface: a0}\n")

# a veth pair a0/a1 (a1 down) and a macvlan m0 on a0: m0's carrier follows a0's, which
# follows a1's state
PAIR = "link add a0 type veth peer name a1\naddr add 192.0.2.1/24 dev a0\nlink set a0 up\n"
MACVLAN = ("link add m0 link a0 type macvlan mode bridge\naddr add 198.51.100.1/24 dev m0\n"
           "link set m0 up\n")
STACKED = PAIR + MACVLAN

ROLLBACKS = {  # found by the convergence test: (start, interfaces of a file that fails)
    # the apply sets a0 up; the rollback sets it down, and the kernel drops its IPv6 address
    "ipv6-address-of-a-link-set-down-again": (
        "link add a0 type veth peer name a1\nlink add br0 type bridge\n"
        "addr add 2001:db8::1/64 dev a0 nodad\n",
        "interfaces:\n- {name: a0, mtu: 1300, state: up}\n"),
    # br0 has only its link-local address, which observe writes as `ipv6: {enabled: true}`
    # without a list: the address the apply gives it must still go
    "ipv6-address-on-a-link-that-had-none": (
        "link add a0 type veth peer name a1\nlink add br0 type bridge\n"
        "addr add 2001:db8::1/64 dev a0 nodad\nlink set a0 up\nlink set br0 up\n",
        "interfaces:\n- name: br0\n  ipv6:\n    address:\n"
        "    - {ip: 2001:db8::1, prefix-length: 64}\n"),
    # an address the apply gives noprefixroute: observe writes the one from before without
    # the flag, which must still come back as it was (with its prefix route)
    "noprefixroute-of-an-address": (
        "link add a0 type veth peer name a1\naddr add 192.0.2.1/24 dev a0\nlink set a0 up\n",
        "interfaces:\n- name: a0\n  ipv4:\n    address:\n"
        "    - {ip: 192.0.2.1, prefix-length: 24, noprefixroute: true}\n"),
    # a port the apply gives a controller leaves it again, and the bridge, which took the
    # port's MAC as it joined, gets its own back
    "port-joining-a-bridge": (
        "link add a0 type veth peer name a1\nlink add br0 type bridge\n",
        "interfaces:\n- {name: a1, controller: br0}\n"),
    # a port the apply releases (`controller: ''`) joins its bridge again
    "port-leaving-a-bridge": (
        "link add a0 type veth peer name a1\nlink add br0 type bridge\n"
        "link set a1 master br0\nlink set a1 type bridge_slave cost 7\n",
        "interfaces:\n- {name: a1, controller: ''}\n"),
    # links the apply deletes come back with their ifindexes (a veth's peer too)
    "ifindexes-of-deleted-links": (
        "link add a0 type veth peer name a1\nlink add br0 type bridge\n"
        "link add n0 type veth peer name n1\n",
        "interfaces:\n- {name: br0, state: absent}\n- {name: n1, state: absent}\n"),
    # a1 set down: its veth peer a0 loses its carrier, and with it the macvlan on a0, and
    # the kernel flushes the nexthops on both; they must come back. (a1 goes up before m0
    # is made, so m0 has its carrier from the start: one m0 gets later comes from the
    # kernel's linkwatch, which the nexthop on it would race.)
    "nexthops-on-links-that-lose-their-carrier": (
        PAIR + "link set a1 up\n" + MACVLAN + "nexthop add id 5 via 192.0.2.3 dev a0\n"
        "nexthop add id 6 via 198.51.100.3 dev m0\n",
        "interfaces:\n- {name: a1, state: down}\n"),
}


@pytest.mark.parametrize("case", sorted(ROLLBACKS))
def test_a_rollback_gives_back_what_the_kernel_changed_along(netns: Netns, tmp_path: Path,
                                                             case: str) -> None:
    start, interfaces = ROLLBACKS[case]
    netns.batch(start)
    before = dumps(netns)
    desired = tmp_path / "desired.yml"
    desired.write_text(interfaces + UNREACHABLE_ROUTE)
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 1 and "rolled back: the state is as it was" in result.stderr, \
        result.stderr
    assert dumps(netns) == before  # ifindexes included


def test_a_port_leaves_its_controller_by_its_own_key(netns: Netns, tmp_path: Path) -> None:
    """nmstate's `controller: ''`, for a port whose controller the file does not list."""
    netns.batch("link add a0 type veth peer name a1\nlink add br0 type bridge\n"
                "link set a1 master br0\nlink add b0 type veth peer name b1\n")
    desired = tmp_path / "desired.yml"
    desired.write_text("interfaces:\n- {name: a1, controller: ''}\n"
                       "- {name: b1, controller: ''}\n")  # b1 has none: nothing to do
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 0, result.stderr
    assert "ip link set a1 nomaster" in result.stdout and "b1" not in result.stdout
    links = {link["ifname"]: link for link in netns.ip_json("link", "show")}
    assert "master" not in links["a1"] and "master" not in links["b1"]
    again = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert again.returncode == 0 and "nothing to do" in again.stderr, again.stderr


def test_objects_that_give_the_kernels_defaults_are_applied_once(netns: Netns,
                                                                  tmp_path: Path) -> None:
    """Fields given as their defaults (false flags, tos 0, a route's own scope), which
    observe reports as unset: the verification failed on them, and a rule that gave them
    was taken for another rule than the one observed (its rollback left it behind)."""
    netns.batch("link add g0 type veth peer name g1\naddr add 192.0.2.1/24 dev g0\n"
                "link set g0 up\nlink set g1 up\n")
    desired = tmp_path / "desired.yml"
    desired.write_text(
        "routes:\n  config:\n"
        "  - {destination: 10.1.0.0/16, next-hop-address: 192.0.2.2, next-hop-interface: g0,\n"
        "     scope: global, tos: 0, onlink: false, metric: 0, protocol: static}\n"
        "  - {destination: 10.2.0.0/16, next-hop-interface: g0, scope: link}\n"
        "route-rules:\n  config:\n"
        "  - {priority: 100, ip-from: 10.0.0.0/8, route-table: 100, invert: false,\n"
        "     l3mdev: false, tos: 0}\n"
        "neighbors:\n  config:\n"
        "  - {destination: 192.0.2.77, interface: g0, link-layer-address: '02:00:00:00:00:77',\n"
        "     router: false, proxy: false}\n"
        "nexthops:\n  config:\n"
        "  - {id: 1, next-hop-address: 192.0.2.2, next-hop-interface: g0, onlink: false,\n"
        "     fdb: false, blackhole: false}\n"
        "interfaces:\n- {name: g1, description: ''}\n")  # no alias
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 0, result.stderr
    assert [rule["priority"] for rule in netns.ip_json("rule", "show")].count(100) == 1
    assert [(n["dst"], n["lladdr"]) for n in netns.ip_json("neigh", "show", "dev", "g0")
            if n["dst"] == "192.0.2.77"] == [("192.0.2.77", "02:00:00:00:00:77")]
    assert [nexthop["gateway"] for nexthop in netns.ip_json("nexthop", "show")] == [
        "192.0.2.2"]
    routes = {route["dst"]: route for route in netns.ip_json("route", "show")}
    assert routes["10.1.0.0/16"]["gateway"] == "192.0.2.2" and "scope" not in routes[
        "10.1.0.0/16"]  # ip -j names the scope only when it is not global
    assert routes["10.2.0.0/16"]["scope"] == "link"
    again = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert again.returncode == 0 and "nothing to do" in again.stderr, again.stdout
    netns.ip("link", "set", "g1", "alias", "someone's")
    cleared = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert cleared.returncode == 0 and "ip link set g1 alias ''" in cleared.stdout
    assert "ifalias" not in netns.ip_json("link", "show", "g1")[0]


def _refused_after(netns: Netns, tmp_path: Path, interface: str, link: str) -> None:
    """Apply a file of `interface` (an entry of `interfaces:`) and a route through `link`
    that the kernel refuses after the link's steps (its gateway is unreachable): the apply
    fails and rolls back."""
    desired = tmp_path / "refused.yml"
    desired.write_text(
        f"interfaces:\n- {interface}\nroutes:\n  config:\n"
        "  - {destination: 10.1.0.0/16, next-hop-address: 203.0.113.9, "
        f"next-hop-interface: {link}}}\n")
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 1 and "rolled back" in result.stderr, result.stderr


def test_a_rollback_gives_back_the_alias_and_promiscuous_mode(netns: Netns,
                                                              tmp_path: Path) -> None:
    """Observe says neither when a link has none: the snapshot must (it left both)."""
    netns.batch("link add g0 type veth peer name g1\nlink set g0 up\n")
    before = dumps(netns)
    _refused_after(netns, tmp_path,
                   "{name: g0, description: uplink, accept-all-mac-addresses: true}", "g0")
    [link] = netns.ip_json("link", "show", "g0")
    assert "PROMISC" not in link["flags"] and "ifalias" not in link
    assert dumps(netns) == before
    applied = run_nlstate("apply", "-", "--netns", netns.name, stdin=(
        "interfaces:\n- {name: g0, description: uplink, accept-all-mac-addresses: true}\n"))
    assert applied.returncode == 0, applied.stderr
    [link] = netns.ip_json("link", "show", "g0")
    assert "PROMISC" in link["flags"] and link["ifalias"] == "uplink"


def _alt_names(ns: Netns, link: str) -> list[str]:
    return sorted(ns.ip_json("link", "show", link)[0].get("altnames", []))


def test_alternative_names_are_added_removed_and_rolled_back(netns: Netns,
                                                            tmp_path: Path) -> None:
    """alt-names add the names listed and remove those `state: absent`; the link's other
    names stay (nmstate's way). A new link gets its names after its create. A rollback
    takes back the names added and gives back those removed."""
    netns.batch("link add e0 type veth peer name e1\n"
                "link property add dev e0 altname old-name altname kept-name\n")
    desired = tmp_path / "desired.yml"
    desired.write_text(
        "interfaces:\n"
        "- {name: e0, alt-names: [{name: old-name, state: absent},\n"
        "                         {name: a-name-longer-than-fifteen-bytes}]}\n"
        "- {name: v9, type: veth, veth: {peer: v9p}, alt-names: [{name: ninth-veth}]}\n")
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 0, result.stderr
    assert _alt_names(netns, "e0") == ["a-name-longer-than-fifteen-bytes", "kept-name"]
    assert _alt_names(netns, "v9") == ["ninth-veth"]
    again = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert again.returncode == 0 and "nothing to do" in again.stderr, again.stderr
    shown = run_nlstate("show", "--netns", netns.name, "-o", "json")
    [e0] = [link for link in json.loads(shown.stdout)["interfaces"] if link["name"] == "e0"]
    assert e0["alt-names"] == [{"name": "a-name-longer-than-fifteen-bytes"},
                               {"name": "kept-name"}]

    before = dumps(netns)
    _refused_after(netns, tmp_path,
                   "{name: e0, alt-names: [{name: kept-name, state: absent}, {name: brand-new}]}",
                   "e0")
    assert _alt_names(netns, "e0") == ["a-name-longer-than-fifteen-bytes", "kept-name"]
    assert dumps(netns) == before


def test_an_alternative_name_moves_from_one_link_to_another(netns: Netns) -> None:
    """Every link's names are removed before any is added: the link that takes the name
    comes first in the file (and in the plan)."""
    netns.batch("link add e0 type veth peer name e1\nlink property add dev e0 altname moving\n")
    result = run_nlstate("apply", "-", "--netns", netns.name, stdin=(
        "interfaces:\n"
        "- {name: a0, type: veth, veth: {peer: a1}, alt-names: [{name: moving}]}\n"
        "- {name: e0, alt-names: [{name: moving, state: absent}]}\n"))
    assert result.returncode == 0, result.stderr
    assert (_alt_names(netns, "a0"), _alt_names(netns, "e0")) == (["moving"], [])


def test_a_file_from_standard_input_is_applied(netns: Netns) -> None:
    result = run_nlstate("apply", "-", "--netns", netns.name, stdin=(
        "interfaces:\n- {name: d0, type: veth, veth: {peer: d1}, mtu: 1400}\n"))
    assert result.returncode == 0, result.stderr
    assert [link["mtu"] for link in netns.ip_json("link", "show", "d0")] == [1400]


RECREATED = ("interfaces:\n- {name: v0, type: veth, state: up, veth: {peer: q0}, mtu: 1400,\n"
             "   ipv4: {address: [{ip: 10.9.0.1, prefix-length: 24}]}}\n")


def test_steps_after_a_link_is_recreated_name_its_new_index(netns: Netns,
                                                             tmp_path: Path) -> None:
    """A veth's peer cannot change: the link is deleted and made again, with a new index;
    the steps after (its address, up) and a rollback's must not use the old one."""
    netns.batch("link add v0 type veth peer name p0\n")
    old_index = netns.ip_json("link", "show", "v0")[0]["ifindex"]
    before = dumps(netns)
    failing = tmp_path / "failing.yml"
    failing.write_text(RECREATED + UNREACHABLE_ROUTE.replace("a0", "v0"))
    result = run_nlstate("apply", str(failing), "--netns", netns.name, "--allow-recreate")
    assert result.returncode == 1 and "rolled back: the state is as it was" in result.stderr, \
        result.stderr
    assert dumps(netns) == before  # v0 with its old index again
    desired = tmp_path / "desired.yml"
    desired.write_text(RECREATED)
    result = run_nlstate("apply", str(desired), "--netns", netns.name, "--allow-recreate")
    assert result.returncode == 0, result.stderr
    [link] = netns.ip_json("addr", "show", "v0")
    assert link["ifindex"] != old_index and link["link"] == "q0" and link["mtu"] == 1400
    assert [a["local"] for a in link["addr_info"] if a["family"] == "inet"] == ["10.9.0.1"]
    assert "UP" in link["flags"]


def test_a_saved_plan_is_refused_once_the_state_changed(netns: Netns, tmp_path: Path) -> None:
    netns.batch(BASE)
    desired = tmp_path / "desired.yml"
    desired.write_text(GOOD)
    saved = tmp_path / "plan.json"
    assert run_nlstate("plan", str(desired), "--netns", netns.name, "--out", str(saved)
                   ).returncode == 2
    netns.ip("link", "set", "a0", "mtu", "1300")
    stale = run_nlstate("apply", "--plan", str(saved), "--netns", netns.name)
    assert stale.returncode == 1 and "has changed since the plan was made" in stale.stderr
    assert netns.ip_json("link", "show", "a0")[0]["mtu"] == 1300  # nothing was sent
    assert run_nlstate("plan", str(desired), "--netns", netns.name, "--out", str(saved)
                   ).returncode == 2
    fresh = run_nlstate("apply", "--plan", str(saved), "--netns", netns.name)
    assert fresh.returncode == 0, fresh.stderr
    assert netns.ip_json("link", "show", "a0")[0]["mtu"] == 1400


def test_one_apply_at_a_time(netns: Netns, tmp_path: Path) -> None:
    desired = tmp_path / "desired.yml"
    desired.write_text("interfaces:\n- name: v0\n  type: veth\n  veth: {peer: v1}\n")
    with namespace_lock(netns.name):
        busy = run_nlstate("apply", str(desired), "--netns", netns.name, "--wait", "0.2")
        assert busy.returncode == 1
        assert f"namespace {netns.name} is being changed by pid {os.getpid()}" in busy.stderr
        assert "waited 0.2 s" in busy.stderr
        assert "v0" not in {link["ifname"] for link in netns.ip_json("link", "show")}
    done = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert done.returncode == 0, done.stderr
    assert "v0" in {link["ifname"] for link in netns.ip_json("link", "show")}


def test_a_namespace_given_by_its_path_takes_the_same_lock(netns: Netns, tmp_path: Path,
                                                           ) -> None:
    desired = tmp_path / "desired.yml"
    desired.write_text("interfaces:\n- {name: v0, type: veth, veth: {peer: v1}}\n")
    path = f"/run/netns/{netns.name}"
    with namespace_lock(netns.name):
        busy = run_nlstate("apply", str(desired), "--netns", path)
        assert busy.returncode == 1 and "is being changed by pid" in busy.stderr, busy.stderr
    done = run_nlstate("apply", str(desired), "--netns", path)
    assert done.returncode == 0, done.stderr
    assert "v0" in {link["ifname"] for link in netns.ip_json("link", "show")}
    elsewhere = run_nlstate("apply", str(desired), "--netns", str(tmp_path / "ns"))
    assert elsewhere.returncode == 1
    assert elsewhere.stderr.startswith(f"nlstate: {tmp_path / 'ns'}: apply, confirm and "
                                       "rollback take a namespace by its name under "
                                       "/run/netns"), elsewhere.stderr


def long_plan_file(path: Path, count: int, refused_at: int | None = None) -> Path:
    """`count` routes via a0's gateway; the one at `refused_at` via an unreachable one."""
    lines = ["routes:", "  config:"]
    for i in range(count):
        gateway = "203.0.113.1" if i == refused_at else "192.0.2.2"
        lines.append(f"  - {{destination: 10.{i >> 8 & 255}.{i & 255}.0/24, "
                     f"next-hop-address: {gateway}, next-hop-interface: a0}}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_a_refusal_late_in_a_long_plan_rolls_back_the_parts_sent(netns: Netns,
                                                                 tmp_path: Path) -> None:
    """Steps go out in parts (built while the part before is sent): a refused route in a
    late part stops the apply, and what the parts before it did is undone."""
    netns.batch(BASE)
    before = dumps(netns)
    desired = long_plan_file(tmp_path / "routes.yml", 10_000, refused_at=9_000)
    result = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert result.returncode == 1
    assert "step 9001 failed: ip route add 10.35.40.0/24" in result.stderr, result.stderr
    assert "ENETUNREACH" in result.stderr
    assert f"from {desired}:9003" in result.stderr
    assert "rolled back" in result.stderr
    assert dumps(netns) == before


NEXTHOP_ON_STACKED = ("interfaces:\n- {name: a1, state: up}\n"
                      "nexthops:\n  config:\n"
                      "  - {id: 6, next-hop-address: 198.51.100.3, next-hop-interface: m0}\n"
                      "routes:\n  config:\n  - {destination: 10.9.0.0/16, next-hop-id: 6}\n")


def test_a_nexthop_waits_for_the_carrier_its_plan_brings(netns: Netns, tmp_path: Path) -> None:
    """a1 up gives its peer a0 a carrier at once, and the macvlan m0 on a0 one when the
    kernel's linkwatch gets to it: the nexthop on m0 (refused without a carrier) and the
    route through it wait for it instead of failing by a race (without the wait, most of
    these applies failed)."""
    netns.batch(STACKED)
    desired = tmp_path / "desired.yml"
    desired.write_text(NEXTHOP_ON_STACKED)
    for _ in range(5):
        result = run_nlstate("apply", str(desired), "--netns", netns.name)
        assert result.returncode == 0, result.stderr
        assert [n["id"] for n in netns.ip_json("nexthop", "show")] == [6]
        assert [r["dst"] for r in netns.ip_json("route", "show", "10.9.0.0/16")] == [
            "10.9.0.0/16"]
        netns.batch("route del 10.9.0.0/16\nnexthop del id 6\nlink set a1 down\n")


def test_parts_start_small_and_double(netns: Netns, tmp_path: Path) -> None:
    """The first part is small (the kernel starts while the rest is built), each next one
    twice the last up to PART; progress is reported after each."""
    netns.batch(BASE)
    desired = load_file(long_plan_file(tmp_path / "routes.yml", 10_000))
    with rtnl.open_socket(netns.name) as sock:
        before = observe_with(sock, include_kernel=False)
        plan = make_plan(diff(desired, before), before)
        reported: list[int] = []
        done = execute(sock, plan.steps, progress=reported.append)
    sizes = [FIRST_PART * 2 ** n for n in range(7)]
    assert sizes[-1] == PART
    assert [b - a for a, b in pairwise([0, *reported])] == [*sizes, 10_000 - sum(sizes)]
    assert len(done) == 10_000
    assert len(netns.ip_json("route", "show", "proto", "static")) == 10_000


def test_a_long_plan_is_outlined_unless_all_steps_are_asked_for(netns: Netns,
                                                                tmp_path: Path) -> None:
    netns.batch(BASE)
    desired = long_plan_file(tmp_path / "routes.yml", 300)
    outlined = run_nlstate("apply", str(desired), "--netns", netns.name)
    assert outlined.returncode == 0, outlined.stderr
    assert outlined.stdout.splitlines() == [
        "+ create route: 300", "Plan: 300 to create, 0 to change, 0 to delete."]
    assert "300 steps, not listed" in outlined.stderr
    assert len(netns.ip_json("route", "show", "proto", "static")) == 300
    netns.ip("route", "flush", "proto", "static")
    listed = run_nlstate("apply", str(desired), "--netns", netns.name, "--all-steps")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.count("+ ip route add") == 300


def test_sigterm_while_sending_rolls_back(netns: Netns, tmp_path: Path) -> None:
    """SIGTERM arriving once the first part of a long plan is carried out (sent from the
    progress report, on the sender thread): the apply stops, waits for the part in flight,
    and undoes what was done."""
    netns.batch(BASE)
    before = dumps(netns)
    desired = load_file(long_plan_file(tmp_path / "routes.yml", 10_000))
    reported: list[int] = []

    def terminate_once(done: int) -> None:
        if not reported:
            os.kill(os.getpid(), signal.SIGTERM)
        reported.append(done)

    with pytest.raises(ApplyError, match="interrupted by SIGTERM") as caught:
        apply_state(desired, netns.name, progress=terminate_once)
    assert caught.value.rolled_back
    assert reported and reported[0] < 10_000
    assert dumps(netns) == before


BACKED_UP = ("link add a0 type veth peer name a1\nlink add br0 type bridge\n"
             "addr add 192.0.2.1/24 dev a0\naddr add 2001:db8::1/64 dev a0 nodad\n"
             "link set a0 up\nlink set a1 up\nlink set br0 up\nlink set lo up\n"
             "route add 10.1.0.0/16 via 192.0.2.2\nnexthop add id 5 via 192.0.2.3 dev a0\n")
SINCE = ("addr add 198.51.100.7/24 dev a1\naddr add 2001:db8:5::1/64 dev br0 nodad\n"
         "route add 10.2.0.0/16 via 192.0.2.2\nnexthop add id 9 via 192.0.2.3 dev a0\n"
         "rule add priority 100 fwmark 7 table 100\n"
         # the kernel takes the link's IPv4 routes away with its last IPv4 address
         "addr del 192.0.2.1/24 dev a0\naddr add 192.0.2.1/24 dev a0 noprefixroute\n")


def test_a_saved_exact_show_gives_back_the_state(netns: Netns, tmp_path: Path) -> None:
    """`show --exact` says every address list and flag and purges unlisted objects: applied
    after addresses (on a link that had none, and an IPv6 one on a link that had only its
    link-local one), an address flag, a route, a nexthop and a rule were added, it removes
    them all (a plain `show` would leave them: it lists what there is, and a file's list is
    "to have")."""
    netns.batch(BACKED_UP)
    before = dumps(netns)
    backup = tmp_path / "backup.yml"
    shown = run_nlstate("show", "--exact", "--netns", netns.name)
    assert shown.returncode == 0, shown.stderr
    backup.write_text(shown.stdout)
    assert run_nlstate("plan", str(backup), "--netns", netns.name).stdout == "No changes.\n"
    netns.batch(SINCE)
    assert dumps(netns) != before
    restored = run_nlstate("apply", str(backup), "--netns", netns.name)
    assert restored.returncode == 0, restored.stderr
    assert dumps(netns) == before


def test_links_the_plan_creates_are_looked_up_by_name_not_dumped(
        netns: Netns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Ports and addresses need the indexes of the links just made: one RTM_GETLINK per
    link made, no dump of all links (which also leaves the kernel's carrier events of the
    new links to its link watcher's batch)."""
    desired = tmp_path / "links.yml"
    desired.write_text(
        "interfaces:\n"
        "- {name: br0, type: linux-bridge, state: up, bridge: {port: [{name: v0}]},\n"
        "   ipv4: {address: [{ip: 10.0.0.1, prefix-length: 24}]}}\n"
        "- {name: v0, type: veth, state: up, veth: {peer: p0}}\n"
        "- {name: p0, type: veth, state: up, veth: {peer: v0}}\n")
    dumps_of_links: list[object] = []
    real = execute_module.link_names

    def counted(sock: NetlinkSocket) -> dict[str, int]:
        dumps_of_links.append(sock)
        return real(sock)

    monkeypatch.setattr(execute_module, "link_names", counted)
    with rtnl.open_socket(netns.name) as sock:
        before = observe_with(sock, include_kernel=False)
        plan = make_plan(diff(load_file(desired), before), before)
        execute(sock, plan.steps, names={"lo": 1})
    assert dumps_of_links == []
    links = {link["ifname"]: link for link in netns.ip_json("link", "show")}
    assert links["v0"]["master"] == "br0"
    assert all("UP" in links[name]["flags"] for name in ("br0", "v0", "p0"))
    assert [a["local"] for a in netns.ip_json("-4", "addr", "show", "br0")[0]["addr_info"]] == [
        "10.0.0.1"]


def test_link_indexes_are_the_kernels_and_leave_out_links_not_there(netns: Netns) -> None:
    netns.batch("link add v0 type veth peer name p0\nlink add br0 type bridge\n")
    with rtnl.open_socket(netns.name) as sock:
        found = link_indexes(sock, ["br0", "gone", "p0", "v0"] * 300)  # several sendmsgs
    assert found == {link["ifname"]: link["ifindex"] for link in netns.ip_json("link", "show")
                     if link["ifname"] != "lo"}


def test_the_verification_reads_only_the_sections_the_file_speaks_of(
        netns: Netns, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the kernel has in a section the file says nothing of (no object, no absent,
    purge or protect) cannot differ from it: the verification does not dump it. A section
    given only a selector is read."""
    desired = tmp_path / "links.yml"
    desired.write_text(
        "interfaces:\n"
        "- {name: v0, type: veth, state: up, veth: {peer: p0}}\n"
        "route-rules:\n"
        "  protect: [{priority: 7}]\n")
    skipped: list[set[str]] = []

    def recorded(*args: Any, skip: Collection[str] = (), **kwargs: Any,
                 ) -> tuple[State, dict[str, int]]:
        skipped.append(set(skip))
        return observe_indexed(*args, skip=skip, **kwargs)

    monkeypatch.setattr(verify_module, "observe_indexed", recorded)
    assert apply_state(load_file(desired), netns.name).done == 2
    assert skipped == [{"routes", "neighbors", "nexthops"}]
    assert "UP" in netns.ip_json("link", "show", "v0")[0]["flags"]



# (what the namespace has first, the file, the bridge's MTU after): as ports join or leave
# it, the kernel moves a bridge's MTU to their least unless a change of its own set it,
# which neither an MTU given with the create nor one it already has is
BRIDGE_MTUS = {
    "created, a port joining": (
        "", "- {name: br0, type: linux-bridge, mtu: 1400, bridge: {port: [{name: v0}]}}\n"
        "- {name: v0, type: veth, veth: {peer: p0}}\n", 1400),
    "a port leaving": (
        "link add br0 type bridge\nlink add v0 mtu 1400 type veth peer name p0\n"
        "link add v1 type veth peer name p1\nlink set v0 master br0\nlink set v1 master br0\n",
        "- {name: br0, type: linux-bridge, mtu: 1400, bridge: {port: [{name: v1}]}}\n", 1400),
    "a port joining by its own key": (
        "link add br0 type bridge\nlink add v0 mtu 1400 type veth peer name p0\n",
        "- {name: br0, type: linux-bridge, mtu: 1500}\n- {name: v0, controller: br0}\n", 1500),
}


@pytest.mark.parametrize("case", BRIDGE_MTUS)
def test_a_bridges_mtu_given_holds_as_ports_join_or_leave(netns: Netns, tmp_path: Path,
                                                          case: str) -> None:
    first, interfaces, mtu = BRIDGE_MTUS[case]
    if first:
        netns.batch(first)
    desired = tmp_path / "bridge.yml"
    desired.write_text("interfaces:\n" + interfaces)
    apply_state(load_file(desired), netns.name)
    assert netns.ip_json("link", "show", "br0")[0]["mtu"] == mtu
    ports = {link["ifname"] for link in netns.ip_json("link", "show", "master", "br0")}
    assert ports == ({"v1"} if case == "a port leaving" else {"v0"})
