"""The link and address request builders against the real kernel: create interfaces from
Interface models, observe them (nlstate and `ip -j -d`), change them in place, delete them.
Kinds this kernel lacks are tried anyway: the test skips with the kernel's own refusal (and
fails under NLSTATE_REQUIRE_ALL_KINDS)."""

from __future__ import annotations

import errno
import os
import shlex
from typing import Any

import pytest

from nlstate import rtnl
from nlstate.model.interface import AddressEntry, Interface
from nlstate.netlink import KernelError
from nlstate.observe import observe
from nlstate.requests.addresses import address_recreate_fields, address_request
from nlstate.requests.links import (
    link_change,
    link_change_commands,
    link_create,
    link_create_commands,
    link_delete,
    link_down,
    link_up,
    port_requests,
)
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from tests.conftest import Netns

pytestmark = pytest.mark.netns


def _iface(doc: dict[str, Any]) -> Interface:
    return Interface.model_validate(doc)


def _create_or_skip(ns: Netns, iface: Interface) -> None:
    """Create the link; skip with the kernel's words if it lacks the kind (only then)."""
    with rtnl.open_socket(ns.name) as sock:
        try:
            sock.request(link_create(iface, ns.ifindexes())[0])
        except KernelError as err:
            if err.errno != errno.EOPNOTSUPP or os.environ.get("NLSTATE_REQUIRE_ALL_KINDS"):
                raise
            pytest.skip(f"this kernel refuses {iface.type}: {err}")


def _observed(ns: Netns, name: str) -> Interface:
    found = {iface.name: iface for iface in observe(ns.name).interfaces}
    return found[name]


def _mismatches(want: Any, got: Any, path: str = "") -> list[str]:
    """Where `got` differs from `want` on what `want` says (nested documents)."""
    if isinstance(want, dict) and isinstance(got, dict):
        return [p for key, value in want.items()
                for p in _mismatches(value, got.get(key), f"{path}.{key}")]
    if isinstance(want, list) and isinstance(got, list) and len(want) == len(got):
        return [p for i, (w, g) in enumerate(zip(want, got, strict=True))
                for p in _mismatches(w, g, f"{path}[{i}]")]
    return [] if want == got else [f"{path}: wanted {want!r}, found {got!r}"]


def _assert_matches(ns: Netns, desired: Interface) -> Interface:
    found = _observed(ns, desired.name)
    doc = desired.document()
    assert _mismatches(doc, found.document()) == []
    return found


def _link(ns: Netns, name: str) -> Any:
    return ns.ip_json("-d", "link", "show", name)[0]


def _veth(ns: Netns, name: str = "v0", peer: str = "v1") -> None:
    ns.send(link_create(_iface({"name": name, "type": "veth", "veth": {"peer": peer}}),
                          ns.ifindexes()))


# ------------------------------------------------------------------ create, per kind

KERNEL_KINDS: list[dict[str, Any]] = [
    {"name": "v0", "type": "veth", "mtu": 1400, "mac-address": "02:00:00:00:00:01",
     "description": "uplink", "veth": {"peer": "v1"}},
    {"name": "br0", "type": "linux-bridge", "mtu": 1450, "bridge": {"options": {
        "stp": {"enabled": True, "forward-delay": 5, "hello-time": 3, "max-age": 12,
                "priority": 100},
        "mac-ageing-time": 100, "group-forward-mask": 8, "hash-max": 1024,
        "multicast-snooping": False, "multicast-querier": True}}},
    {"name": "vx0", "type": "vxlan", "vxlan": {
        "id": 42, "local": "192.0.2.1", "remote": "198.51.100.1", "destination-port": 4789,
        "base-iface": "base0", "learning": False}},
    {"name": "vx6", "type": "vxlan", "vxlan": {
        "id": 43, "local": "2001:db8::1", "remote": "ff05::100", "base-iface": "base0"}},
    {"name": "mv0", "type": "mac-vlan", "mac-address": "02:00:00:00:00:05",
     "mac-vlan": {"base-iface": "base0", "mode": "private"}},
    {"name": "mt0", "type": "mac-vtap", "mac-vtap": {"base-iface": "base0", "mode": "vepa"}},
    {"name": "mp0", "type": "mac-vlan",
     "mac-vlan": {"base-iface": "base0", "mode": "passthru", "promiscuous": False}},
    {"name": "ifb0", "type": "ifb", "mtu": 1300},
]


@pytest.mark.parametrize("doc", KERNEL_KINDS, ids=[d["name"] for d in KERNEL_KINDS])
def test_create_kind(netns: Netns, doc: dict[str, Any]) -> None:
    _veth(netns, "base0", "base1")
    desired = _iface(doc)
    netns.send(link_create(desired, netns.ifindexes()))
    found = _assert_matches(netns, desired)
    seen = _link(netns, desired.name)
    assert seen["linkinfo"]["info_kind"] == {"mac-vlan": "macvlan", "mac-vtap": "macvtap",
                                             "linux-bridge": "bridge"}.get(doc["type"],
                                                                           doc["type"])
    assert found.state == "down" and "UP" not in seen["flags"]
    if "mtu" in doc:
        assert seen["mtu"] == doc["mtu"]
    if "description" in doc:
        assert seen["ifalias"] == doc["description"]
    if "mac-address" in doc:
        assert seen["address"] == doc["mac-address"].lower()
    netns.send(link_delete(desired.name, netns.ifindexes()))
    assert desired.name not in netns.ifindexes()


def test_ip_agrees_on_kind_options(netns: Netns) -> None:
    _veth(netns, "base0", "base1")
    for doc in KERNEL_KINDS[1:3]:
        netns.send(link_create(_iface(doc), netns.ifindexes()))
    bridge = _link(netns, "br0")["linkinfo"]["info_data"]
    assert (bridge["stp_state"], bridge["forward_delay"], bridge["hello_time"],
            bridge["max_age"], bridge["priority"], bridge["ageing_time"]) == (
        1, 500, 300, 1200, 100, 10000)
    assert (int(bridge["group_fwd_mask"], 16), bridge["mcast_hash_max"], bridge["mcast_snooping"],
            bridge["mcast_querier"]) == (8, 1024, 0, 1)
    vxlan = _link(netns, "vx0")["linkinfo"]["info_data"]
    assert (vxlan["id"], vxlan["local"], vxlan["remote"], vxlan["port"], vxlan["link"],
            vxlan["learning"]) == (42, "192.0.2.1", "198.51.100.1", 4789, "base0", False)


BYTES_ONLY_KINDS: list[dict[str, Any]] = [
    {"name": "vl0", "type": "vlan", "mtu": 1400,
     "vlan": {"base-iface": "base0", "id": 10, "protocol": "802.1ad"}},
    {"name": "bond0", "type": "bond", "link-aggregation": {
        "mode": "active-backup", "options": {"miimon": 100}}},
    {"name": "vrf0", "type": "vrf", "vrf": {"route-table-id": 100}},
    {"name": "ipv0", "type": "ipvlan",
     "ipvlan": {"base-iface": "base0", "mode": "l3", "private": True}},
    {"name": "d0", "type": "dummy"},
]


@pytest.mark.parametrize("doc", BYTES_ONLY_KINDS, ids=[d["name"] for d in BYTES_ONLY_KINDS])
def test_create_kind_the_kernel_may_lack(netns: Netns, doc: dict[str, Any]) -> None:
    _veth(netns, "base0", "base1")
    desired = _iface(doc)
    _create_or_skip(netns, desired)
    _assert_matches(netns, desired)
    netns.send(link_delete(desired.name, netns.ifindexes()))


# ------------------------------------------------------------------ change in place

def test_change_common_attributes(netns: Netns) -> None:
    _veth(netns)
    current = _observed(netns, "v0")
    desired = _iface({"name": "v0", "mtu": 1280, "mac-address": "02:00:00:00:00:aa",
                      "description": "changed", "state": "up",
                      "accept-all-mac-addresses": True})
    requests = link_change(current, desired, netns.ifindexes())
    assert len(requests) == 1
    netns.send(requests)
    _assert_matches(netns, desired.model_copy(update={"accept_all_mac_addresses": None}))
    seen = _link(netns, "v0")
    assert (seen["mtu"], seen["address"], seen["ifalias"]) == (1280, "02:00:00:00:00:aa",
                                                               "changed")
    assert "UP" in seen["flags"] and "PROMISC" in seen["flags"]
    assert link_change(_observed(netns, "v0"), desired.model_copy(
        update={"accept_all_mac_addresses": None}), netns.ifindexes()) == []
    netns.send(link_change(_observed(netns, "v0"),
                             _iface({"name": "v0", "state": "down"}), netns.ifindexes()))
    assert "UP" not in _link(netns, "v0")["flags"]
    netns.send(link_up("v0", netns.ifindexes()))
    assert "UP" in _link(netns, "v0")["flags"]
    netns.send(link_down("v0", netns.ifindexes()))
    assert "UP" not in _link(netns, "v0")["flags"]


def test_change_bridge_options_ports_and_port_options(netns: Netns) -> None:
    _veth(netns)
    _veth(netns, "p0", "p1")
    bridge = _iface({"name": "br0", "type": "linux-bridge", "bridge": {"options": {
        "stp": {"enabled": False}, "mac-ageing-time": 300}}})
    netns.send(link_create(bridge, netns.ifindexes()))
    # a port enslaved by its own controller field, on an existing link
    netns.send(link_change(_observed(netns, "v0"),
                             _iface({"name": "v0", "controller": "br0"}), netns.ifindexes()))
    assert _link(netns, "v0")["master"] == "br0"

    desired = _iface({"name": "br0", "type": "linux-bridge", "bridge": {
        "options": {"stp": {"enabled": True, "priority": 4096}, "mac-ageing-time": 60,
                    "multicast-snooping": False},
        "port": [{"name": "v0", "stp-path-cost": 7, "stp-priority": 9,
                  "stp-hairpin-mode": True},
                 {"name": "p0", "stp-path-cost": 11}]}})
    requests = link_change(_observed(netns, "br0"), desired, netns.ifindexes())
    # bridge options; enslave p0; then port settings of v0 and p0, each a request of its own
    assert len(requests) == 4
    netns.send(requests)
    _assert_matches(netns, desired)
    assert _link(netns, "p0")["master"] == "br0"
    port = _link(netns, "v0")["linkinfo"]["info_slave_data"]
    assert (port["cost"], port["priority"], port["hairpin"]) == (7, 9, True)
    assert link_change(_observed(netns, "br0"), desired, netns.ifindexes()) == []

    released = _iface({"name": "br0", "bridge": {"port": [{"name": "p0"}]}})
    netns.send(link_change(_observed(netns, "br0"), released, netns.ifindexes()))
    assert "master" not in _link(netns, "v0")
    assert _link(netns, "p0")["master"] == "br0"


def test_port_settings_with_the_enslaving_request_are_refused(netns: Netns) -> None:
    """Why port settings go in a request of their own: with IFLA_MASTER they are parsed
    against the port's controller before the request, which it has none of."""
    _veth(netns)
    netns.send(link_create(_iface({"name": "br0", "type": "linux-bridge"}), netns.ifindexes()))
    names = netns.ifindexes()
    both = build_request(rc.RTM_NEWLINK, {"ifi-index": names["v0"]}, {
        "master": names["br0"],
        "linkinfo": {"slave-kind": "bridge", "slave-data": {"cost": 5}}}, 0, "v0")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(KernelError) as refused:
        sock.request(both)
    assert refused.value.errno == errno.EOPNOTSUPP
    assert "master" not in _link(netns, "v0")


def test_port_requests_after_creating_the_controller(netns: Netns) -> None:
    _veth(netns)
    bridge = _iface({"name": "br0", "type": "linux-bridge",
                     "bridge": {"port": [{"name": "v0", "stp-path-cost": 3}]}})
    netns.send(link_create(bridge, netns.ifindexes()))
    netns.send(port_requests(bridge, netns.ifindexes()))
    _assert_matches(netns, bridge)


def test_change_vxlan_in_place_and_refusals(netns: Netns) -> None:
    _veth(netns, "base0", "base1")
    doc = KERNEL_KINDS[2]
    netns.send(link_create(_iface(doc), netns.ifindexes()))
    moved = _iface({**doc, "vxlan": {**doc["vxlan"], "local": "192.0.2.9",
                                     "remote": "198.51.100.9", "learning": True}})
    netns.send(link_change(_observed(netns, "vx0"), moved, netns.ifindexes()))
    _assert_matches(netns, moved)
    # what immutable_changes guards against, sent anyway: the kernel's own refusals
    index = netns.ifindexes()["vx0"]
    for data, reason in (({"id": 99}, "Cannot change VNI"),
                         ({"port": 8472}, "Cannot change port"),
                         ({"local6": "2001:db8::1"},
                          "New local address family does not match old"),
                         ({"group6": "2001:db8::2"},
                          "New group address family does not match old group")):
        request = build_request(rc.RTM_NEWLINK, {"ifi-index": index},
                                {"linkinfo": {"kind": "vxlan", "data": data}}, 0, "vx0")
        with rtnl.open_socket(netns.name) as sock, pytest.raises(KernelError) as refused:
            sock.request(request)
        assert refused.value.errno == errno.EOPNOTSUPP
        assert refused.value.ext_message == reason


def test_change_macvlan_mode(netns: Netns) -> None:
    _veth(netns, "base0", "base1")
    doc = KERNEL_KINDS[4]
    netns.send(link_create(_iface(doc), netns.ifindexes()))
    bridged = _iface({**doc, "mac-vlan": {"base-iface": "base0", "mode": "bridge"}})
    netns.send(link_change(_observed(netns, "mv0"), bridged, netns.ifindexes()))
    _assert_matches(netns, bridged)
    assert _link(netns, "mv0")["linkinfo"]["info_data"]["mode"] == "bridge"
    # into passthru: immutable_changes says so; sent anyway, the kernel refuses (no message)
    request = build_request(rc.RTM_NEWLINK, {"ifi-index": netns.ifindexes()["mv0"]}, {
        "linkinfo": {"kind": "macvlan", "data": {"mode": 8}}}, 0, "mv0")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(KernelError) as refused:
        sock.request(request)
    assert refused.value.errno == errno.EINVAL


def test_veth_has_no_changelink(netns: Netns) -> None:
    """Kind data sent to a kind without changelink: the kernel's refusal."""
    _veth(netns)
    request = build_request(rc.RTM_NEWLINK, {"ifi-index": netns.ifindexes()["v0"]}, {
        "linkinfo": {"kind": "veth", "data": {"peer": {"header": {}, "attrs": {
            "ifname": "v9"}}}}}, 0, "v0")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(KernelError) as refused:
        sock.request(request)
    assert refused.value.errno == errno.EOPNOTSUPP


# ------------------------------------------------------------------ addresses

def _addresses(ns: Netns, name: str) -> list[tuple[str, int, str | None, list[str]]]:
    info = ns.ip_json("addr", "show", "dev", name)[0]["addr_info"]
    return sorted((a["local"], a["prefixlen"], a.get("broadcast") or a.get("address"),
                   sorted(k for k in ("noprefixroute", "nodad", "tentative") if a.get(k)))
                  for a in info if a.get("scope") != "link")


def test_addresses_create_replace_delete(netns: Netns) -> None:
    _veth(netns)
    netns.send(link_up("v0", netns.ifindexes()) + link_up("v1", netns.ifindexes()))
    names = netns.ifindexes()
    entries = [
        AddressEntry.model_validate({"ip": "192.0.2.1", "prefix-length": 24}),
        AddressEntry.model_validate({"ip": "10.9.0.1", "prefix-length": 32,
                                     "peer": "10.9.0.2"}),
        AddressEntry.model_validate({"ip": "2001:db8::1", "prefix-length": 64}),
        AddressEntry.model_validate({"ip": "198.51.100.1", "prefix-length": 24,
                                     "noprefixroute": True}),
    ]
    netns.send([address_request("create", "v0", e, names) for e in entries])
    assert _addresses(netns, "v0") == [
        ("10.9.0.1", 32, "10.9.0.2", []),
        ("192.0.2.1", 24, "192.0.2.255", []),
        ("198.51.100.1", 24, "198.51.100.255", ["noprefixroute"]),
        ("2001:db8::1", 64, None, ["nodad"]),  # usable at once: not tentative
    ]
    observed = _observed(netns, "v0")
    assert observed.ipv4 is not None and observed.ipv6 is not None
    assert set(entries) <= set(observed.ipv4.address or []) | set(observed.ipv6.address or [])
    assert not netns.ip_json("route", "show", "198.51.100.0/24")

    # IPv6: a replace changes the flags in place; IPv4 keeps them (the kernel's replace
    # updates only metric, protocol and lifetimes): delete and create
    for entry in (entries[0], entries[2]):
        changed = entry.model_copy(update={"noprefixroute": True})
        if address_recreate_fields(entry, changed):
            assert entry is entries[0]
            netns.send([address_request("delete", "v0", entry, names),
                          address_request("create", "v0", changed, names)])
        else:
            netns.send([address_request("replace", "v0", changed, names)])
    assert ("192.0.2.1", 24, "192.0.2.255", ["noprefixroute"]) in _addresses(netns, "v0")
    assert ("2001:db8::1", 64, None, ["nodad", "noprefixroute"]) in _addresses(netns, "v0")
    unchanged = entries[0].model_copy(update={"noprefixroute": False})
    netns.send([address_request("replace", "v0", unchanged, names)])
    assert ("192.0.2.1", 24, "192.0.2.255", ["noprefixroute"]) in _addresses(netns, "v0")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(KernelError) as refused:
        sock.request(address_request("create", "v0", entries[2], names))
    assert refused.value.errno == errno.EEXIST

    netns.send([address_request("delete", "v0", e, names) for e in entries])
    assert _addresses(netns, "v0") == []


# ------------------------------------------------------------------ the `ip` commands

def _kind_documents(ns: Netns) -> dict[str, dict[str, Any]]:
    """Each link's document without what the kernel picks at random (MAC addresses)."""
    docs = {}
    for iface in observe(ns.name).interfaces:
        doc = iface.document()
        doc.pop("mac-address", None)
        docs[iface.name] = doc
    return docs


def test_ip_commands_do_the_same(netns_pair: tuple[Netns, Netns]) -> None:
    """The `ip` commands shown for people make and change links as the requests do."""
    ours, theirs = netns_pair
    for ns in (ours, theirs):
        _veth(ns, "base0", "base1")
        _veth(ns, "p0", "p1")
    for doc in KERNEL_KINDS:
        if doc["name"] == "mp0":
            continue  # passthru must be its base link's only macvlan (EINVAL)
        desired = _iface(doc)
        ours.send(link_create(desired, ours.ifindexes()))
        for command in link_create_commands(desired):
            theirs.ip(*shlex.split(command)[1:])
    changes = [
        _iface({"name": "br0", "state": "up", "mtu": 1400, "description": "lab bridge",
                "bridge": {"options": {"stp": {"enabled": False}, "mac-ageing-time": 30},
                           "port": [{"name": "p0", "stp-path-cost": 9,
                                     "stp-hairpin-mode": True}]}}),
        _iface({"name": "vx0", "vxlan": {"id": 42, "local": "192.0.2.7", "learning": True}}),
        _iface({"name": "mv0", "mac-vlan": {"base-iface": "base0", "mode": "vepa"}}),
    ]
    for desired in changes:
        ours.send(link_change(_observed(ours, desired.name), desired, ours.ifindexes()))
        for command in link_change_commands(_observed(theirs, desired.name), desired):
            theirs.ip(*shlex.split(command)[1:])
    assert _kind_documents(theirs) == _kind_documents(ours)
