"""The rtnetlink tables against the real kernel, each test in a fresh namespace.

Objects are created with nlstate's own socket and tables (build_request + request), checked
with `ip -j -d` (an independent observer), then dumped with nlstate and the decoded values
compared. Kinds this kernel lacks are tried anyway: the test skips with the kernel's own
refusal, and runs its checks on a kernel that has the kind.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
from collections.abc import Callable
from typing import Any

import pytest

from nlstate import rtnl
from nlstate.kinds import macvlan, tun
from nlstate.netlink import KernelError, Message, NetlinkSocket
from nlstate.netlink.consts import NLM_F_CREATE, NLM_F_EXCL
from nlstate.rtnl import consts as c
from nlstate.rtnl.link import IFF_UP
from nlstate.rtnl.neigh import NUD_PERMANENT
from nlstate.rtnl.rule import FR_ACT_TO_TBL
from tests.conftest import Netns

CREATE = NLM_F_CREATE | NLM_F_EXCL
Attrs = dict[str | int, Any]


# --------------------------------------------------------------------------- helpers


def links(sock: NetlinkSocket) -> dict[str, Message]:
    return {m.attrs["ifname"]: m for m in sock.dump(rtnl.build_request(c.RTM_GETLINK))}


def ifindex(sock: NetlinkSocket, name: str) -> int:
    return int(links(sock)[name].header["ifi-index"])


def add_link(sock: NetlinkSocket, attrs: Attrs) -> None:
    sock.request(rtnl.build_request(c.RTM_NEWLINK, {}, attrs, CREATE,
                                    label=f"create {attrs.get('ifname')}"))


def set_link(sock: NetlinkSocket, index: int, attrs: Attrs, *, up: bool = False) -> None:
    header = {"ifi-index": index, "ifi-flags": IFF_UP if up else 0,
              "ifi-change": IFF_UP if up else 0}
    sock.request(rtnl.build_request(c.RTM_NEWLINK, header, attrs, 0, label=f"set {index}"))


def add_veth(sock: NetlinkSocket, name: str, peer: str, **peer_attrs: Any) -> tuple[int, int]:
    add_link(sock, {"ifname": name, "linkinfo": {"kind": "veth", "data": {
        "peer": {"header": {}, "attrs": {"ifname": peer, **peer_attrs}}}}})
    found = links(sock)
    return int(found[name].header["ifi-index"]), int(found[peer].header["ifi-index"])


def add_address(sock: NetlinkSocket, index: int, cidr: str) -> None:
    iface = ipaddress.ip_interface(cidr)
    family = socket.AF_INET if iface.version == 4 else socket.AF_INET6
    address = str(iface.ip)
    sock.request(rtnl.build_request(
        c.RTM_NEWADDR,
        {"ifa-family": family, "ifa-prefixlen": iface.network.prefixlen, "ifa-index": index},
        {"local": address, "address": address}, CREATE))


def gateway_link(sock: NetlinkSocket) -> int:
    """A veth pair up, 192.0.2.1/24 on gw0 (so 192.0.2.x are reachable); gw0's ifindex."""
    gw0, gw1 = add_veth(sock, "gw0", "gw1")
    add_address(sock, gw0, "192.0.2.1/24")
    set_link(sock, gw0, {}, up=True)
    set_link(sock, gw1, {}, up=True)
    return gw0


def create_or_skip(sock: NetlinkSocket, attrs: Attrs) -> None:
    """Create a link; skip the test with the kernel's own words if it lacks the kind (only
    then: any other refusal is a failure)."""
    try:
        add_link(sock, attrs)
    except KernelError as err:
        if err.errno != errno.EOPNOTSUPP or os.environ.get("NLSTATE_REQUIRE_ALL_KINDS"):
            raise  # under the full kernel (tests/fullkernel) every kind must be there
        pytest.skip(f"this kernel refuses {attrs['linkinfo']['kind']}: {err}")


def link_info(ns: Netns, name: str) -> Any:
    """`ip -j -d link show NAME`, the independent observer's view."""
    return ns.ip_json("-d", "link", "show", name)[0]


# ------------------------------------------------------------------ kinds this kernel has


@pytest.mark.netns
def test_veth_pair(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        v0, v1 = add_veth(sock, "v0", "v1", mtu=1400)
        seen = link_info(netns, "v0")
        assert seen["linkinfo"]["info_kind"] == "veth"
        assert seen["link"] == "v1"
        assert link_info(netns, "v1")["mtu"] == 1400
        found = links(sock)
        assert found["v0"].attrs["linkinfo"] == {"kind": "veth"}
        assert found["v0"].attrs["link"] == v1 and found["v1"].attrs["link"] == v0
        assert found["v1"].attrs["mtu"] == 1400


@pytest.mark.netns
def test_bridge_with_options_and_port(netns: Netns) -> None:
    options = {"stp-state": 1, "forward-delay": 500, "hello-time": 300, "max-age": 2500,
               "ageing-time": 12000, "priority": 0x1000, "mcast-snooping": 0}
    with rtnl.open_socket(netns.name) as sock:
        add_link(sock, {"ifname": "br0", "linkinfo": {"kind": "bridge", "data": options}})
        p0, _ = add_veth(sock, "p0", "p1")
        br0 = ifindex(sock, "br0")
        set_link(sock, p0, {"master": br0})  # a port first, then its port options
        set_link(sock, p0, {"linkinfo": {"slave-kind": "bridge", "slave-data": {
            "cost": 7, "priority": 5, "learning": 0}}})

        data = link_info(netns, "br0")["linkinfo"]["info_data"]
        assert {k: data[k] for k in ("stp_state", "forward_delay", "hello_time", "max_age",
                                     "ageing_time", "priority", "mcast_snooping")} == {
            "stp_state": 1, "forward_delay": 500, "hello_time": 300, "max_age": 2500,
            "ageing_time": 12000, "priority": 0x1000, "mcast_snooping": 0}
        port = link_info(netns, "p0")
        assert port["master"] == "br0"
        assert port["linkinfo"]["info_slave_kind"] == "bridge"
        assert port["linkinfo"]["info_slave_data"]["cost"] == 7
        assert port["linkinfo"]["info_slave_data"]["priority"] == 5
        assert port["linkinfo"]["info_slave_data"]["learning"] is False

        found = links(sock)
        bridge = found["br0"].attrs["linkinfo"]
        assert bridge["kind"] == "bridge"
        assert {k: bridge["data"][k] for k in options} == options
        assert bridge["data"]["bridge-id"] == {"prio": 0x1000,
                                               "addr": found["br0"].attrs["address"]}
        member = found["p0"].attrs
        assert member["master"] == br0
        assert member["linkinfo"]["slave-kind"] == "bridge"
        slave = member["linkinfo"]["slave-data"]
        assert (slave["cost"], slave["priority"], slave["learning"]) == (7, 5, 0)
        assert slave["unicast-flood"] == 1  # an untouched on/off setting reads 1, not a flag


@pytest.mark.netns
def test_vxlan(netns: Netns) -> None:
    data = {"id": 42, "port": 4789, "local": "192.0.2.1", "learning": 0, "ttl": 64,
            "ageing": 600, "port-range": {"low": 1000, "high": 2000}}
    with rtnl.open_socket(netns.name) as sock:
        add_link(sock, {"ifname": "vx0", "linkinfo": {"kind": "vxlan", "data": data}})
        seen = link_info(netns, "vx0")["linkinfo"]
        assert seen["info_kind"] == "vxlan"
        info = seen["info_data"]
        assert (info["id"], info["port"], info["local"], info["learning"], info["ttl"],
                info["ageing"]) == (42, 4789, "192.0.2.1", False, 64, 600)
        assert info["port_range"] == {"low": 1000, "high": 2000}
        decoded = links(sock)["vx0"].attrs["linkinfo"]["data"]
        assert {k: decoded[k] for k in data} == data


@pytest.mark.netns
def test_macvlan_and_macvtap(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        m0, _ = add_veth(sock, "m0", "m1")
        add_link(sock, {"ifname": "mv0", "link": m0, "linkinfo": {
            "kind": "macvlan", "data": {"mode": macvlan.MACVLAN_MODE_BRIDGE}}})
        add_link(sock, {"ifname": "mt0", "link": m0, "linkinfo": {
            "kind": "macvtap", "data": {"mode": macvlan.MACVLAN_MODE_VEPA}}})
        for name, kind, mode in (("mv0", "macvlan", "bridge"), ("mt0", "macvtap", "vepa")):
            seen = link_info(netns, name)
            assert seen["link"] == "m0"
            assert seen["linkinfo"]["info_kind"] == kind
            assert seen["linkinfo"]["info_data"]["mode"] == mode
        found = links(sock)
        for name, kind, mode_number in (("mv0", "macvlan", 4), ("mt0", "macvtap", 2)):
            info = found[name].attrs["linkinfo"]
            assert info["kind"] == kind
            assert info["data"]["mode"] == mode_number
            assert macvlan.MODES[mode_number] == ("bridge" if kind == "macvlan" else "vepa")
            assert found[name].attrs["link"] == m0


@pytest.mark.netns
def test_ifb(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        create_or_skip(sock, {"ifname": "ifb0", "linkinfo": {"kind": "ifb"}})
        assert link_info(netns, "ifb0")["linkinfo"]["info_kind"] == "ifb"
        assert links(sock)["ifb0"].attrs["linkinfo"]["kind"] == "ifb"


@pytest.mark.netns
def test_tap_is_refused_over_rtnetlink_and_decodes_in_dumps(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        with pytest.raises(KernelError) as refused:
            add_link(sock, {"ifname": "tp0", "linkinfo": {"kind": "tun", "data": {"type": 2}}})
        assert refused.value.errno == errno.EOPNOTSUPP
        # newer kernels explain; without the tun module loaded it is an unknown kind
        assert refused.value.ext_message in ("tun/tap creation via rtnetlink is not supported.",
                                             "Unknown device type")
        # created the only way the kernel allows (TUNSETIFF), by iproute2
        if netns.ip("tuntap", "add", "mode", "tap", "name", "tp0", check=False).returncode:
            pytest.skip("no /dev/net/tun here")
        assert link_info(netns, "tp0")["linkinfo"]["info_data"]["type"] == "tap"
        info = links(sock)["tp0"].attrs["linkinfo"]
        assert info["kind"] == "tun"
        assert tun.TYPES[info["data"]["type"]] == "tap"
        assert (info["data"]["persist"], info["data"]["pi"]) == (1, 0)


# ------------------------------------------------------------------ rules, neighbours, nexthops


@pytest.mark.netns
def test_rules(netns: Netns) -> None:
    v4: Attrs = {"priority": 100, "fwmark": 0x20, "fwmask": 0xFF, "table": 1000,
                 "iifname": "v0"}
    v6: Attrs = {"priority": 101, "src": "2001:db8::", "table": 1001, "tun-id": 5,
                 "uid-range": {"start": 1, "end": 10}, "ip-proto": 6,
                 "dport-range": {"start": 80, "end": 90}}
    with rtnl.open_socket(netns.name) as sock:
        sock.request(rtnl.build_request(
            c.RTM_NEWRULE, {"family": socket.AF_INET, "action": FR_ACT_TO_TBL}, v4, CREATE))
        sock.request(rtnl.build_request(
            c.RTM_NEWRULE, {"family": socket.AF_INET6, "src-len": 64, "action": FR_ACT_TO_TBL},
            v6, CREATE))

        (seen4,) = [r for r in netns.ip_json("rule", "show") if r["priority"] == 100]
        assert (seen4["fwmark"], seen4["fwmask"], seen4["iif"], seen4["table"]) == (
            "0x20", "0xff", "v0", "1000")
        (seen6,) = [r for r in netns.ip_json("-6", "rule", "show") if r["priority"] == 101]
        assert (seen6["src"], seen6["srclen"], seen6["table"], seen6["tun_id"]) == (
            "2001:db8::", 64, "1001", 5)
        assert (seen6["uid_start"], seen6["uid_end"], seen6["ipproto"]) == (1, 10, "tcp")
        assert (seen6["dport_start"], seen6["dport_end"]) == (80, 90)

        dumped = {m.attrs.get("priority"): m for m in sock.dump(rtnl.build_request(
            c.RTM_GETRULE)) if m.header["family"] in (socket.AF_INET, socket.AF_INET6)}
        assert {k: dumped[100].attrs[k] for k in v4} == v4
        assert {k: dumped[101].attrs[k] for k in v6} == v6
        assert dumped[100].header["action"] == FR_ACT_TO_TBL
        assert dumped[101].header["src-len"] == 64

        sock.request(rtnl.build_request(
            c.RTM_DELRULE, {"family": socket.AF_INET, "action": FR_ACT_TO_TBL}, v4))
        assert not [r for r in netns.ip_json("rule", "show") if r["priority"] == 100]


@pytest.mark.netns
def test_static_neighbours(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        n0, _ = add_veth(sock, "n0", "n1")
        for family, dst, lladdr in ((socket.AF_INET, "192.0.2.9", "02:00:00:00:00:09"),
                                    (socket.AF_INET6, "2001:db8::9", "02:00:00:00:00:0a")):
            sock.request(rtnl.build_request(
                c.RTM_NEWNEIGH,
                {"ndm-family": family, "ndm-ifindex": n0, "ndm-state": NUD_PERMANENT},
                {"dst": dst, "lladdr": lladdr}, CREATE))
        seen = {n["dst"]: n for n in netns.ip_json("neigh", "show", "dev", "n0")}
        assert seen["192.0.2.9"]["lladdr"] == "02:00:00:00:00:09"
        assert seen["192.0.2.9"]["state"] == ["PERMANENT"]
        assert seen["2001:db8::9"]["lladdr"] == "02:00:00:00:00:0a"

        dumped = {m.attrs["dst"]: m for m in sock.dump(rtnl.build_request(
            c.RTM_GETNEIGH, {"ndm-family": socket.AF_UNSPEC}))
            if m.header["ndm-ifindex"] == n0 and "dst" in m.attrs}
        assert dumped["192.0.2.9"].attrs["lladdr"] == "02:00:00:00:00:09"
        assert dumped["192.0.2.9"].header["ndm-state"] == NUD_PERMANENT
        assert dumped["2001:db8::9"].attrs["lladdr"] == "02:00:00:00:00:0a"
        assert dumped["2001:db8::9"].header["ndm-family"] == socket.AF_INET6
        assert set(dumped["192.0.2.9"].attrs["cacheinfo"]) == {
            "confirmed", "used", "updated", "refcnt"}


@pytest.mark.netns
def test_nexthops_and_group(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        gw0 = gateway_link(sock)
        inet: dict[str, int] = {"nh-family": socket.AF_INET}
        requests: list[tuple[dict[str, int], Attrs]] = [
            (inet, {"id": 1, "oif": gw0, "gateway": "192.0.2.2"}),
            (inet, {"id": 2, "oif": gw0, "gateway": "192.0.2.3"}),
            (inet, {"id": 3, "blackhole": True}),  # AF_INET: AF_UNSPEC is refused
            ({}, {"id": 10, "group": [{"id": 1, "weight": 3}, {"id": 2, "weight": 200}]}),
        ]
        for header, attrs in requests:
            sock.request(rtnl.build_request(c.RTM_NEWNEXTHOP, header, attrs, CREATE))

        seen = {n["id"]: n for n in netns.ip_json("nexthop", "show")}
        assert (seen[1]["gateway"], seen[1]["dev"]) == ("192.0.2.2", "gw0")
        assert "blackhole" in seen[3]
        assert seen[10]["group"] == [{"id": 1, "weight": 3}, {"id": 2, "weight": 200}]

        dumped = {m.attrs["id"]: m.attrs for m in sock.dump(rtnl.build_request(
            c.RTM_GETNEXTHOP))}
        assert {k: dumped[1][k] for k in ("oif", "gateway")} == {"oif": gw0,
                                                                 "gateway": "192.0.2.2"}
        assert dumped[3]["blackhole"] is True
        assert dumped[10]["group"] == [{"id": 1, "weight": 3}, {"id": 2, "weight": 200}]
        assert dumped[10]["group-type"] == 0


@pytest.mark.netns
def test_nexthop_group_weight_above_256(netns: Netns) -> None:
    """Weights up to 65536 (kernel 6.12+: weight_high). iproute2 before 6.12 shows only the
    low byte (300 as 44), so the kernel's view is read back with nlstate only."""
    with rtnl.open_socket(netns.name) as sock:
        gw0 = gateway_link(sock)
        for nh_id in (1, 2):
            sock.request(rtnl.build_request(c.RTM_NEWNEXTHOP, {"nh-family": socket.AF_INET}, {
                "id": nh_id, "oif": gw0, "gateway": f"192.0.2.{nh_id + 1}"}, CREATE))
        group = [{"id": 1, "weight": 1}, {"id": 2, "weight": 300}]
        try:
            sock.request(rtnl.build_request(c.RTM_NEWNEXTHOP, {}, {"id": 11, "group": group},
                                            CREATE))
        except KernelError as err:
            pytest.skip(f"this kernel refuses nexthop weights above 256: {err}")
        (reply,) = [m for m in sock.dump(rtnl.build_request(c.RTM_GETNEXTHOP))
                    if m.attrs["id"] == 11]
        assert reply.attrs["group"] == group


# ------------------------------------------------------------------ kinds this kernel may lack


def _ip_data(ns: Netns, name: str) -> dict[str, Any]:
    return dict(link_info(ns, name)["linkinfo"].get("info_data", {}))


KindCase = tuple[Callable[[int], Attrs], Callable[[Netns], None], Attrs]

KIND_CASES: dict[str, KindCase] = {
    "dummy": (lambda parent: {"ifname": "k0", "linkinfo": {"kind": "dummy"}},
              lambda ns: None, {}),
    "vlan-802.1q": (
        lambda parent: {"ifname": "k0", "link": parent, "linkinfo": {"kind": "vlan", "data": {
            "id": 100, "protocol": 0x8100, "egress-qos": {"mapping": [{"from": 1, "to": 3}]}}}},
        lambda ns: _check(_ip_data(ns, "k0"), {"id": 100, "protocol": "802.1Q"}),
        {"id": 100, "protocol": 0x8100}),
    "vlan-802.1ad": (
        lambda parent: {"ifname": "k0", "link": parent, "linkinfo": {"kind": "vlan", "data": {
            "id": 200, "protocol": 0x88A8}}},
        lambda ns: _check(_ip_data(ns, "k0"), {"id": 200, "protocol": "802.1ad"}),
        {"id": 200, "protocol": 0x88A8}),
    "bond": (lambda parent: {"ifname": "k0", "linkinfo": {"kind": "bond", "data": {
                 "mode": 1, "miimon": 100}}},
             lambda ns: _check(_ip_data(ns, "k0"), {"mode": "active-backup", "miimon": 100}),
             {"mode": 1, "miimon": 100}),
    "vrf": (lambda parent: {"ifname": "k0", "linkinfo": {"kind": "vrf", "data": {"table": 100}}},
            lambda ns: _check(_ip_data(ns, "k0"), {"table": 100}), {"table": 100}),
    "ipvlan": (lambda parent: {"ifname": "k0", "link": parent, "linkinfo": {
                   "kind": "ipvlan", "data": {"mode": 1}}},
               lambda ns: _check(_ip_data(ns, "k0"), {"mode": "l3"}), {"mode": 1}),
    "wireguard": (lambda parent: {"ifname": "k0", "linkinfo": {"kind": "wireguard"}},
                  lambda ns: None, {}),
    "gre": (lambda parent: {"ifname": "k0", "linkinfo": {"kind": "gre", "data": {
                "local": "192.0.2.1", "remote": "198.51.100.2", "ttl": 16}}},
            lambda ns: _check(_ip_data(ns, "k0"), {"local": "192.0.2.1",
                                                   "remote": "198.51.100.2", "ttl": 16}),
            {"local": "192.0.2.1", "remote": "198.51.100.2", "ttl": 16}),
    "gretap": (lambda parent: {"ifname": "k0", "linkinfo": {"kind": "gretap", "data": {
                   "local": "192.0.2.1", "remote": "198.51.100.2", "ikey": 7, "okey": 7,
                   "iflags": 0x2000, "oflags": 0x2000}}},
               lambda ns: _check(_ip_data(ns, "k0"), {"local": "192.0.2.1",
                                                      "remote": "198.51.100.2"}),
               {"local": "192.0.2.1", "remote": "198.51.100.2", "ikey": 7, "okey": 7}),
}


def _check(seen: dict[str, Any], wanted: dict[str, Any]) -> None:
    assert {k: seen.get(k) for k in wanted} == wanted


@pytest.mark.netns
@pytest.mark.parametrize("case", sorted(KIND_CASES))
def test_kind_or_the_kernels_refusal(netns: Netns, case: str) -> None:
    build, ip_check, expected_data = KIND_CASES[case]
    with rtnl.open_socket(netns.name) as sock:
        parent, _ = add_veth(sock, "up0", "up1")
        attrs = build(parent)
        kind = attrs["linkinfo"]["kind"]
        create_or_skip(sock, attrs)
        assert link_info(netns, "k0")["linkinfo"]["info_kind"] == kind
        ip_check(netns)
        decoded = links(sock)["k0"].attrs["linkinfo"]
        assert decoded["kind"] == kind
        data = decoded.get("data", {})
        assert {k: data.get(k) for k in expected_data} == expected_data


@pytest.mark.netns
def test_bond_port_or_the_kernels_refusal(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        create_or_skip(sock, {"ifname": "bond0", "linkinfo": {"kind": "bond", "data": {
            "mode": 1, "miimon": 100}}})
        e0, _ = add_veth(sock, "e0", "e1")
        set_link(sock, e0, {"master": ifindex(sock, "bond0")})
        set_link(sock, e0, {"linkinfo": {"slave-kind": "bond", "slave-data": {"queue-id": 2}}})
        seen = link_info(netns, "e0")["linkinfo"]
        assert seen["info_slave_kind"] == "bond"
        assert seen["info_slave_data"]["queue_id"] == 2
        port = links(sock)["e0"].attrs["linkinfo"]
        assert port["slave-kind"] == "bond"
        assert port["slave-data"]["queue-id"] == 2
        assert port["slave-data"]["perm-hwaddr"].count(":") == 5
