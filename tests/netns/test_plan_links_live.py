"""Interfaces end to end on a real kernel: a plan made against a live namespace equals the
plan made against `nlstate show` output of it; carried out step by step it leaves the
namespace as the file says (a second plan is empty), and ip -j agrees."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlstate import rtnl
from nlstate.apply.execute import execute
from nlstate.diff import diff
from nlstate.load import load_text
from nlstate.observe import observe
from nlstate.plan import make_plan
from tests.conftest import Netns, run_nlstate

pytestmark = pytest.mark.netns

START = """\
link add va type veth peer name vb
link add br0 type bridge
link set vb master br0
link add m0 link va type macvlan mode bridge
link add vx0 type vxlan id 100 dstport 4789 local 192.0.2.10
link add old0 type veth peer name old1
addr add 192.0.2.10/24 dev va
addr add 192.0.2.11/24 dev va
addr add 10.100.0.1/24 dev vx0
link set va up
link set vb up
link set br0 up
link set m0 up
link set vx0 up
route add 10.10.0.0/16 via 10.100.0.254 dev vx0
"""

DESIRED = """\
interfaces:
- name: va
  mtu: 1400
  ipv4:
    address:
    - {ip: 192.0.2.10, prefix-length: 24}
    - {ip: 192.0.2.12, prefix-length: 24}
- name: m0
  mtu: 1400
  mac-vlan: {base-iface: va, mode: private}
- name: vx0
  vxlan: {id: 200}
- name: old0
  state: absent
- name: n0
  type: veth
  veth: {peer: n1}
  ipv4:
    address:
    - {ip: 172.16.0.1, prefix-length: 24}
  ipv6:
    address:
    - {ip: 2001:db8:16::1, prefix-length: 64}
- name: n1
  type: veth
  mtu: 9000
  veth: {peer: n0}
- name: br1
  type: linux-bridge
  mtu: 9000
  description: second bridge
  bridge:
    options:
      stp: {enabled: false}
    port:
    - name: n1
routes:
  config:
  - destination: 10.10.0.0/16
    next-hop-address: 10.100.0.254
    next-hop-interface: vx0
  - destination: 172.17.0.0/16
    next-hop-address: 172.16.0.254
    next-hop-interface: n0
"""


def test_live_plan_equals_plan_from_show(netns: Netns, tmp_path: Path) -> None:
    netns.batch(START)
    desired = tmp_path / "desired.yml"
    desired.write_text(DESIRED)
    saved = tmp_path / "current.yml"
    saved.write_text(run_nlstate("show", "--netns", netns.name).stdout)
    live = run_nlstate("plan", str(desired), "--netns", netns.name, "--allow-recreate")
    offline = run_nlstate("plan", str(desired), "--current", str(saved), "--allow-recreate")
    assert live.returncode == offline.returncode == 2, live.stderr + offline.stderr
    assert live.stdout == offline.stdout
    assert "ip link del old0 !" in live.stdout
    refused = run_nlstate("plan", str(desired), "--netns", netns.name)
    assert refused.returncode == 1
    assert "vxlan.id cannot change on an existing link" in refused.stderr


def test_interfaces_plan_carried_out_converges(netns: Netns) -> None:
    netns.batch(START)
    desired = load_text(DESIRED)
    current = observe(netns.name, include_kernel=False)
    plan = make_plan(diff(desired, current, allow_recreate=True), current)
    with rtnl.open_socket(netns.name) as sock:
        execute(sock, plan.steps)
    after = observe(netns.name, include_kernel=False)
    again = make_plan(diff(desired, after), after)
    assert not again.steps, again.text()

    links = {link["ifname"]: link for link in netns.ip_json("-d", "link", "show")}
    assert "old0" not in links and "old1" not in links
    assert links["va"]["mtu"] == 1400 and links["m0"]["mtu"] == 1400
    assert links["m0"]["linkinfo"]["info_data"]["mode"] == "private"
    assert links["vx0"]["linkinfo"]["info_data"]["id"] == 200
    assert links["n1"]["mtu"] == 9000 and links["n1"]["master"] == "br1"
    assert links["br1"]["ifalias"] == "second bridge" and "UP" in links["br1"]["flags"]
    assert "UP" in links["n0"]["flags"]
    addresses = {(a["ifname"], i["local"]) for a in netns.ip_json("addr", "show")
                 for i in a["addr_info"]}
    assert ("va", "192.0.2.12") in addresses and ("va", "192.0.2.11") not in addresses
    assert ("vx0", "10.100.0.1") in addresses  # kept across the recreation
    assert ("n0", "2001:db8:16::1") in addresses
    routes = {r["dst"]: r for r in netns.ip_json("route", "show")}
    assert routes["10.10.0.0/16"]["dev"] == "vx0"  # listed, so made again after it
    assert routes["172.17.0.0/16"]["gateway"] == "172.16.0.254"
