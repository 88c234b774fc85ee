"""`nlstate show` on a namespace built with iproute2 alone, checked field by field against
`ip -j` (the independent observer), and the show -> load round trip."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest
import yaml

from nlstate import rtnl
from nlstate.model import State
from nlstate.observe import observe, observe_indexed
from nlstate.observe.owned import route_is_kernel_owned
from nlstate.output import render
from nlstate.rtnl.link import LINK
from tests.conftest import Netns

pytestmark = pytest.mark.netns

RICH_STATE = """
link add v0 type veth peer name v1
link add v2 type veth peer name v3
link add br0 type bridge
link set v2 master br0
link set br0 type bridge stp_state 1 forward_delay 1000 priority 4096
link set v2 type bridge_slave cost 7 priority 12 hairpin on
link add vx0 type vxlan id 42 dstport 4789 local 192.0.2.1 nolearning
link add mv0 link v0 type macvlan mode bridge
link add mt0 link v0 type macvtap mode vepa
link set v0 mtu 9000
link set v0 address 02:00:00:00:00:01
link set v0 alias uplink
link set v0 up
link set v1 up
link set br0 up
addr add 192.0.2.1/24 dev v0
addr add 192.0.2.5/24 dev v0 noprefixroute
addr add 2001:db8::1/64 dev v0 nodad
addr add 198.51.100.1/24 dev br0
route add 10.1.0.0/16 via 192.0.2.2 metric 10
route add 10.2.0.0/16 via 192.0.2.2 table 100
route add 10.3.0.0/16 nexthop via 192.0.2.2 weight 1 nexthop via 192.0.2.3 weight 3
route add blackhole 10.4.0.0/16
route add unreachable 10.5.0.0/16 table 200
route add prohibit 10.6.0.0/16
route add throw 10.7.0.0/16 table 100
route add 10.8.0.0/16 via 192.0.2.2 mtu 1400 advmss 1360 proto bird
route add 10.9.0.0/16 dev v0 src 192.0.2.1
route add 2001:db8:1::/48 via 2001:db8::2 metric 300
rule add fwmark 0x10/0xff table 100 priority 100
rule add iif v0 table 200 priority 200
rule add from 10.0.0.0/8 to 172.16.0.0/12 table 100 priority 300
rule add priority 400 from 203.0.113.0/24 blackhole
neigh add 192.0.2.9 lladdr 02:00:00:00:00:09 dev v0
neigh add 2001:db8::9 lladdr 02:00:00:00:00:0a dev v0
nexthop add id 1 via 192.0.2.2 dev v0
nexthop add id 2 via 192.0.2.3 dev v0
nexthop add id 3 blackhole
nexthop add id 10 group 1/2,3
route add 10.10.0.0/16 nhid 10
"""


def build_rich_state(ns: Netns) -> None:
    ns.batch(RICH_STATE)


def nlstate_show(ns: Netns, *args: str) -> Any:
    result = subprocess.run([sys.executable, "-m", "nlstate", "show", "--netns", ns.name, *args],
                            capture_output=True, text=True, check=True)
    return result.stdout


def by_name(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {i["name"]: i for i in document["interfaces"]}


def test_interfaces_match_iproute2(netns: Netns) -> None:
    build_rich_state(netns)
    shown = json.loads(nlstate_show(netns, "-o", "json"))
    ours = by_name(shown)
    theirs = {link["ifname"]: link for link in netns.ip_json("-d", "link", "show")}
    assert set(ours) == set(theirs)
    kinds = {"veth": "veth", "bridge": "linux-bridge", "vxlan": "vxlan", "macvlan": "mac-vlan",
             "macvtap": "mac-vtap"}
    for name, link in theirs.items():
        iface = ours[name]
        assert iface["mtu"] == link["mtu"], name
        if link["link_type"] in ("ether", "loopback"):
            assert iface["mac-address"] == link["address"].upper(), name
        else:  # e.g. the fallback tunnels (gre0, sit0) a kernel makes in every namespace
            assert "mac-address" not in iface, name
        assert iface["state"] == ("up" if "UP" in link["flags"] else "down"), name
        kind = link.get("linkinfo", {}).get("info_kind")
        expected_type = kinds.get(kind, "loopback" if name == "lo" else "unknown")
        assert iface["type"] == expected_type, name
        assert iface.get("controller") == link.get("master"), name
        assert iface.get("description") == link.get("ifalias"), name

    addresses = {
        (a["ifname"], i["local"], i["prefixlen"])
        for a in netns.ip_json("addr", "show") for i in a["addr_info"]
        if i["scope"] != "host" and not i["local"].startswith("fe80:")
    }
    shown_addresses = {
        (name, entry["ip"], entry["prefix-length"])
        for name, iface in ours.items() for family in ("ipv4", "ipv6")
        for entry in iface.get(family, {}).get("address", [])
    }
    assert shown_addresses == addresses
    v0 = {e["ip"]: e for e in ours["v0"]["ipv4"]["address"]}
    assert v0["192.0.2.5"].get("noprefixroute") is True
    assert "noprefixroute" not in v0["192.0.2.1"]


def test_observing_links_leaves_out_only_what_it_does_not_read(
        netns: Netns, monkeypatch: pytest.MonkeyPatch) -> None:
    """observe decodes the few link attributes it reads (rtnl.LINK_OBSERVED): the state it
    finds is the one it finds decoding every attribute."""
    build_rich_state(netns)
    lean = observe(netns.name).interfaces
    monkeypatch.setattr(rtnl, "LINK_OBSERVED", LINK)
    assert observe(netns.name).interfaces == lean
    assert {iface.name for iface in lean} >= {"v0", "br0", "vx0", "mv0"}


def test_kind_sections_match_iproute2(netns: Netns) -> None:
    build_rich_state(netns)
    ours = by_name(json.loads(nlstate_show(netns, "-o", "json")))
    theirs = {link["ifname"]: link for link in netns.ip_json("-d", "link", "show")}

    for name in ("v0", "v1", "v2", "v3"):
        assert ours[name]["veth"] == {"peer": theirs[name]["link"]}

    bridge_data = theirs["br0"]["linkinfo"]["info_data"]
    options = ours["br0"]["bridge"]["options"]
    assert options["stp"] == {
        "enabled": bridge_data["stp_state"] == 1,
        "forward-delay": bridge_data["forward_delay"] // 100,
        "hello-time": bridge_data["hello_time"] // 100,
        "max-age": bridge_data["max_age"] // 100,
        "priority": bridge_data["priority"],
    }
    assert options["stp"]["forward-delay"] == 10 and options["stp"]["priority"] == 4096
    assert options["mac-ageing-time"] == bridge_data["ageing_time"] // 100
    assert options["multicast-snooping"] == bool(bridge_data["mcast_snooping"])
    port_data = theirs["v2"]["linkinfo"]["info_slave_data"]
    assert ours["br0"]["bridge"]["port"] == [{
        "name": "v2", "stp-hairpin-mode": port_data["hairpin"],
        "stp-path-cost": port_data["cost"], "stp-priority": port_data["priority"],
    }]
    assert port_data["hairpin"] is True and port_data["cost"] == 7

    vxlan_data = theirs["vx0"]["linkinfo"]["info_data"]
    assert ours["vx0"]["vxlan"] == {
        "id": vxlan_data["id"], "local": vxlan_data["local"],
        "destination-port": vxlan_data["port"], "learning": vxlan_data["learning"],
    }
    for name, key in (("mv0", "mac-vlan"), ("mt0", "mac-vtap")):
        assert ours[name][key]["base-iface"] == theirs[name]["link"]
        assert ours[name][key]["mode"] == theirs[name]["linkinfo"]["info_data"]["mode"]


def _ip_routes(ns: Netns) -> list[dict[str, Any]]:
    routes = []
    for family in ("-4", "-6"):
        routes += ns.ip_json(family, "-d", "route", "show", "table", "all")
    return routes


def test_routes_match_iproute2(netns: Netns) -> None:
    build_rich_state(netns)
    shown = json.loads(nlstate_show(netns, "-o", "json", "--all"))["routes"]["config"]
    tables = {"main": 254, "local": 255, "default": 253}
    ip_routes = _ip_routes(netns)
    expected = set()
    for r in ip_routes:
        dst = r["dst"]
        family6 = ":" in dst or r.get("family") == "inet6"
        if dst == "default":
            dst = "::/0" if family6 else "0.0.0.0/0"
        elif "/" not in dst:
            dst += "/128" if ":" in dst else "/32"
        table = r.get("table", "main")
        table_id = tables.get(table, int(table) if str(table).isdigit() else table)
        hops = r.get("nexthops") or [r]
        if "nhid" in r:  # the hops ip shows are the nexthop object's (compat mode)
            hops = [{}]
        for hop in hops:
            expected.add((dst, table_id, hop.get("gateway"), hop.get("dev"),
                          r.get("metric", 0), r.get("type", "unicast")))
    ours = {(e["destination"], e["table-id"], e.get("next-hop-address"),
             e.get("next-hop-interface"), e["metric"], e.get("route-type", "unicast"))
            for e in shown}
    assert ours == expected

    by_dst: dict[str, list[dict[str, Any]]] = {}
    for e in shown:
        by_dst.setdefault(e["destination"], []).append(e)
    assert sorted(h["weight"] for h in by_dst["10.3.0.0/16"]) == [1, 3]
    assert by_dst["10.8.0.0/16"][0]["mtu"] == 1400
    assert by_dst["10.8.0.0/16"][0]["advmss"] == 1360
    assert by_dst["10.8.0.0/16"][0]["protocol"] == "bird"
    assert by_dst["10.9.0.0/16"][0]["source"] == "192.0.2.1"
    assert by_dst["10.10.0.0/16"][0]["next-hop-id"] == 10
    assert by_dst["10.5.0.0/16"][0]["route-type"] == "unreachable"
    assert by_dst["2001:db8:1::/48"][0]["metric"] == 300


def test_observing_gives_every_links_index_by_name(netns: Netns) -> None:
    """What apply's steps are built with, from the observation, not a second dump."""
    build_rich_state(netns)
    with rtnl.open_socket(netns.name) as sock:
        state, names = observe_indexed(sock, include_kernel=False)
    assert names == netns.ifindexes()
    assert set(names) == {iface.name for iface in state.interfaces}


def test_leaving_out_the_kernels_routes_leaves_out_exactly_those_it_owns(netns: Netns) -> None:
    """The route decoder leaves kernel-owned routes out run by run (a run that cannot hold
    one is not looked at route by route): the result is the full dump filtered route by
    route. Routes owned for each reason, next to ones that are not, in the same dump."""
    build_rich_state(netns)
    netns.batch("""
route add 10.11.0.0/16 dev v0 proto kernel
route add 10.12.0.0/16 dev v0 proto static
route add 224.0.0.0/4 dev v0 proto static
route add 239.1.0.0/16 dev v0 proto static
route add broadcast 10.13.0.255 dev v0 table main proto static
route add local 10.14.0.1 dev v0 table main proto static
route add 10.15.0.0/16 dev v0 table local proto static
route add fe80::/64 dev v1 proto static metric 5
route add fe80::1/128 dev v1 proto static
""")
    everything = observe(netns.name).routes
    left = observe(netns.name, include_kernel=False).routes
    assert left == [r for r in everything if not route_is_kernel_owned(r)]
    owned = {r.destination for r in everything if route_is_kernel_owned(r)}
    assert {"10.11.0.0/16", "224.0.0.0/4", "10.13.0.255/32", "10.14.0.1/32", "10.15.0.0/16",
            "fe80::/64"} <= owned
    assert {"10.12.0.0/16", "239.1.0.0/16", "fe80::1/128", "10.1.0.0/16"} <= {
        r.destination for r in left}


def test_rules_neighbors_nexthops_match_iproute2(netns: Netns) -> None:
    build_rich_state(netns)
    shown = json.loads(nlstate_show(netns, "-o", "json"))
    rules = {r["priority"]: r for r in shown["route-rules"]["config"]}
    ip_rules = {r["priority"]: r for r in netns.ip_json("rule", "show")}
    assert set(rules) == {p for p in ip_rules if p not in (0, 32766, 32767)}
    assert rules[100]["fwmark"] == int(ip_rules[100]["fwmark"], 16)
    assert rules[100]["fwmask"] == int(ip_rules[100]["fwmask"], 16)
    assert rules[100]["route-table"] == int(ip_rules[100]["table"])
    assert rules[200]["iif"] == ip_rules[200]["iif"]
    assert rules[300]["ip-from"] == f"{ip_rules[300]['src']}/{ip_rules[300]['srclen']}"
    assert rules[300]["ip-to"] == f"{ip_rules[300]['dst']}/{ip_rules[300]['dstlen']}"
    assert rules[400]["action"] == ip_rules[400]["action"] == "blackhole"

    neighbors = {(n["destination"], n["interface"], n["link-layer-address"])
                 for n in shown["neighbors"]["config"]}
    ip_neighbors = {(n["dst"], n["dev"], n["lladdr"].upper())
                    for n in netns.ip_json("neigh", "show", "nud", "permanent")}
    assert neighbors == ip_neighbors

    nexthops = {n["id"]: n for n in shown["nexthops"]["config"]}
    ip_nexthops = {n["id"]: n for n in netns.ip_json("nexthop", "show")}
    assert set(nexthops) == set(ip_nexthops)
    assert nexthops[1]["next-hop-address"] == ip_nexthops[1]["gateway"]
    assert nexthops[1]["next-hop-interface"] == ip_nexthops[1]["dev"]
    assert nexthops[3]["blackhole"] is True
    assert [(m["id"], m["weight"]) for m in nexthops[10]["group"]] == [
        (m["id"], m.get("weight", 1)) for m in ip_nexthops[10]["group"]]


@pytest.mark.parametrize("fmt", ["yaml", "json"])
@pytest.mark.parametrize("include_kernel", [False, True])
def test_rendered_state_loads_back_equal(netns: Netns, fmt: str, include_kernel: bool) -> None:
    build_rich_state(netns)
    observed = observe(netns.name, include_kernel=include_kernel)
    text = render(observed.document(), fmt)
    document = json.loads(text) if fmt == "json" else yaml.safe_load(text)
    assert State.from_document(document) == observed
    assert observed.routes and observed.interfaces and observed.nexthops and observed.neighbors


def test_show_command_output_describes_the_namespace(netns: Netns) -> None:
    build_rich_state(netns)
    text = nlstate_show(netns)
    assert State.from_document(yaml.safe_load(text)) == observe(netns.name,
                                                                include_kernel=False)
