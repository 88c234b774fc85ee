"""Link and address request builders: golden bytes worked out from the kernel headers
(<linux/if_link.h>, <linux/veth.h>, <linux/if_addr.h>, <linux/rtnetlink.h>), and the change
logic (only what differs, immutable fields, ports) without a kernel."""

from __future__ import annotations

from typing import Any

import pytest

from nlstate.model.interface import AddressEntry, Interface
from nlstate.netlink.consts import NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE
from nlstate.netlink.message import Request
from nlstate.requests import RequestError, UnknownInterfaceError
from nlstate.requests.addresses import (
    address_command,
    address_key,
    address_recreate_fields,
    address_request,
)
from nlstate.requests.links import (
    alt_name_changes,
    alt_name_command,
    alt_name_request,
    immutable_changes,
    link_change,
    link_change_commands,
    link_create,
    link_create_commands,
    link_delete,
    link_delete_command,
    link_differences,
    link_down,
    link_up,
    port_requests,
)
from nlstate.rtnl import consts as rc
from nlstate.rtnl.link import IFF_PROMISC, IFF_UP

NAMES = {"eth0": 2, "v0": 5, "v1": 6, "br0": 7, "p0": 8}
CREATE = NLM_F_CREATE | NLM_F_EXCL


def _hex(text: str) -> bytes:
    return bytes.fromhex("".join(line.split("#")[0] for line in text.splitlines()))


def _iface(doc: dict[str, Any]) -> Interface:
    return Interface.model_validate(doc)


def _entry(doc: dict[str, Any]) -> AddressEntry:
    return AddressEntry.model_validate(doc)


def _decoded(request: Request) -> tuple[dict[str, Any], dict[str | int, Any]]:
    assert request.spec is not None
    return request.spec.decode(request.payload, 0, len(request.payload))


IFINFOMSG_ZERO = "00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00"


# ------------------------------------------------------------------------ golden bytes

def test_veth_create_golden() -> None:
    [request] = link_create(_iface({"name": "v0", "type": "veth", "mtu": 1400,
                                    "veth": {"peer": "v1"}}), NAMES)
    assert (request.type, request.flags, request.name) == (rc.RTM_NEWLINK, CREATE,
                                                           "RTM_NEWLINK")
    assert request.payload == _hex(f"""
        {IFINFOMSG_ZERO}          # ifinfomsg: family 0, index 0 (new), flags 0 (down)
        07 00 03 00 76 30 00 00   # IFLA_IFNAME "v0"
        08 00 04 00 78 05 00 00   # IFLA_MTU 1400
        30 00 12 00               # IFLA_LINKINFO
          09 00 01 00 76 65 74 68 00 00 00 00   # IFLA_INFO_KIND "veth"
          20 00 02 00                           # IFLA_INFO_DATA
            1c 00 01 00                         # VETH_INFO_PEER: ifinfomsg + IFLA_*
              {IFINFOMSG_ZERO}
              07 00 03 00 76 31 00 00           # IFLA_IFNAME "v1"
    """)
    assert request.label == "link v0 (create veth)"


def test_bridge_with_options_golden() -> None:
    [request] = link_create(_iface({"name": "br0", "type": "linux-bridge", "bridge": {
        "options": {"stp": {"enabled": True, "forward-delay": 4},
                    "vlan-protocol": "802.1ad"}}}), {})
    assert request.payload == _hex(f"""
        {IFINFOMSG_ZERO}
        08 00 03 00 62 72 30 00   # IFLA_IFNAME "br0"
        2c 00 12 00               # IFLA_LINKINFO
          0b 00 01 00 62 72 69 64 67 65 00 00   # IFLA_INFO_KIND "bridge"
          1c 00 02 00                           # IFLA_INFO_DATA
            08 00 01 00 90 01 00 00             # IFLA_BR_FORWARD_DELAY 400 (1/100 s)
            08 00 05 00 01 00 00 00             # IFLA_BR_STP_STATE 1
            06 00 08 00 88 a8 00 00             # IFLA_BR_VLAN_PROTOCOL, __be16 0x88a8
    """)


def test_vxlan_golden() -> None:
    [request] = link_create(_iface({"name": "vx0", "type": "vxlan", "vxlan": {
        "id": 42, "remote": "192.0.2.2", "destination-port": 4789, "base-iface": "eth0"}}),
        NAMES)
    assert request.payload == _hex(f"""
        {IFINFOMSG_ZERO}
        08 00 03 00 76 78 30 00   # IFLA_IFNAME "vx0"
        34 00 12 00               # IFLA_LINKINFO
          0a 00 01 00 76 78 6c 61 6e 00 00 00   # IFLA_INFO_KIND "vxlan"
          24 00 02 00                           # IFLA_INFO_DATA
            08 00 01 00 2a 00 00 00             # IFLA_VXLAN_ID 42
            08 00 03 00 02 00 00 00             # IFLA_VXLAN_LINK 2 (eth0)
            08 00 02 00 c0 00 02 02             # IFLA_VXLAN_GROUP 192.0.2.2 (the remote)
            06 00 0f 00 12 b5 00 00             # IFLA_VXLAN_PORT, __be16 4789
    """)


def test_vlan_golden() -> None:
    """vlan: the base link is IFLA_LINK, the id in IFLA_INFO_DATA (the kernel here lacks
    vlan: bytes only)."""
    [request] = link_create(_iface({"name": "eth0.10", "type": "vlan",
                                    "vlan": {"base-iface": "eth0", "id": 10}}), NAMES)
    assert request.payload == _hex(f"""
        {IFINFOMSG_ZERO}
        0c 00 03 00 65 74 68 30 2e 31 30 00   # IFLA_IFNAME "eth0.10"
        08 00 05 00 02 00 00 00   # IFLA_LINK 2
        1c 00 12 00               # IFLA_LINKINFO
          09 00 01 00 76 6c 61 6e 00 00 00 00   # IFLA_INFO_KIND "vlan"
          0c 00 02 00                           # IFLA_INFO_DATA
            06 00 01 00 0a 00 00 00             # IFLA_VLAN_ID 10
    """)


def test_a_create_asks_for_the_ifindexes_given() -> None:
    """A rollback recreates a deleted link (and its veth peer) with the ifindexes they had:
    ifi_index of the link's ifinfomsg and of the peer's inside VETH_INFO_PEER."""
    veth = _iface({"name": "v0", "type": "veth", "veth": {"peer": "v1"}})
    [plain] = link_create(veth, NAMES)
    [asked] = link_create(veth, NAMES, {"v0": 41, "v1": 42})
    index_41, index_42 = (41).to_bytes(4, "little"), (42).to_bytes(4, "little")
    assert asked.payload[4:8] == index_41 and plain.payload[4:8] == bytes(4)
    peer_at = plain.payload.index(bytes.fromhex("1c000100")) + 4  # VETH_INFO_PEER's ifinfomsg
    assert asked.payload[peer_at + 4:peer_at + 8] == index_42
    assert asked.payload[:4] + asked.payload[8:peer_at + 4] + asked.payload[peer_at + 8:] == (
        plain.payload[:4] + plain.payload[8:peer_at + 4] + plain.payload[peer_at + 8:])
    [bridge] = link_create(_iface({"name": "br0", "type": "linux-bridge"}), NAMES, {"v0": 41})
    assert bridge.payload[4:8] == bytes(4)  # only the links named


def test_address_ipv4_create_golden() -> None:
    request = address_request("create", "eth0", _entry({"ip": "192.0.2.1",
                                                        "prefix-length": 24}), NAMES)
    assert (request.type, request.flags, request.name) == (rc.RTM_NEWADDR, CREATE,
                                                           "RTM_NEWADDR")
    assert request.payload == _hex("""
        02 18 00 00 02 00 00 00   # AF_INET, prefixlen 24, flags 0, scope 0, ifindex 2
        08 00 02 00 c0 00 02 01   # IFA_LOCAL 192.0.2.1
        08 00 01 00 c0 00 02 01   # IFA_ADDRESS 192.0.2.1 (no peer)
        08 00 04 00 c0 00 02 ff   # IFA_BROADCAST 192.0.2.255 (as `brd +`)
        08 00 08 00 00 00 00 00   # IFA_FLAGS 0
    """)
    assert request.label == "address 192.0.2.1/24 dev eth0"


def test_address_ipv6_replace_golden() -> None:
    request = address_request("replace", "eth0", _entry(
        {"ip": "2001:db8::1", "prefix-length": 64, "noprefixroute": True}), NAMES)
    assert request.flags == NLM_F_CREATE | NLM_F_REPLACE
    assert request.payload == _hex("""
        0a 40 02 00 02 00 00 00   # AF_INET6, prefixlen 64, flags IFA_F_NODAD (low 8 bits)
        14 00 02 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # IFA_LOCAL
        14 00 01 00 20 01 0d b8 00 00 00 00 00 00 00 00 00 00 00 01   # IFA_ADDRESS
        08 00 08 00 02 02 00 00   # IFA_FLAGS NODAD | NOPREFIXROUTE (0x202)
    """)


def test_address_delete_with_peer_golden() -> None:
    request = address_request("delete", "eth0", _entry(
        {"ip": "10.0.0.1", "prefix-length": 32, "peer": "10.0.0.2"}), NAMES)
    assert (request.type, request.flags) == (rc.RTM_DELADDR, 0)
    assert request.payload == _hex("""
        02 20 00 00 02 00 00 00   # AF_INET, /32, ifindex 2
        08 00 02 00 0a 00 00 01   # IFA_LOCAL 10.0.0.1
        08 00 01 00 0a 00 00 02   # IFA_ADDRESS 10.0.0.2: the peer
    """)


# ------------------------------------------------------------------------ create

def test_create_common_attributes_master_and_alias() -> None:
    requests = link_create(_iface({
        "name": "p1", "type": "veth", "mac-address": "02:00:00:00:00:01",
        "controller": "br0", "description": "to the lab", "accept-all-mac-addresses": True,
        "veth": {"peer": "p2"}}), NAMES)
    header, attrs = _decoded(requests[0])
    assert (header["ifi-flags"], header["ifi-change"]) == (IFF_PROMISC, IFF_PROMISC)
    assert attrs["address"] == "02:00:00:00:00:01" and attrs["master"] == 7
    assert "ifalias" not in attrs  # the kernel's create path ignores it
    header, attrs = _decoded(requests[1])  # the alias, on the new link found by name
    assert (requests[1].flags, header["ifi-index"]) == (0, 0)
    assert attrs == {"ifname": "p1", "ifalias": "to the lab"}


def test_create_without_existing_controller_leaves_master_out() -> None:
    [request] = link_create(_iface({"name": "p1", "type": "ifb", "controller": "br9"}), NAMES)
    assert "master" not in _decoded(request)[1]
    assert link_create_commands(_iface({"name": "p1", "type": "ifb", "controller": "br9"}),
                                NAMES) == ["ip link add p1 type ifb"]


def test_create_macvlan_and_ipvlan_data() -> None:
    [request] = link_create(_iface({"name": "m0", "type": "mac-vlan", "mac-vlan": {
        "base-iface": "eth0", "mode": "passthru", "promiscuous": False}}), NAMES)
    attrs = _decoded(request)[1]
    assert attrs["link"] == 2
    assert attrs["linkinfo"] == {"kind": "macvlan", "data": {"mode": 8, "flags": 1}}
    [request] = link_create(_iface({"name": "i0", "type": "ipvlan", "ipvlan": {
        "base-iface": "eth0", "mode": "l3s", "vepa": True}}), NAMES)
    assert _decoded(request)[1]["linkinfo"] == {"kind": "ipvlan",
                                                "data": {"mode": 2, "flags": 2}}


def test_create_bond_and_vrf_data() -> None:
    [request] = link_create(_iface({"name": "bond0", "type": "bond", "link-aggregation": {
        "mode": "802.3ad", "options": {"miimon": 100, "lacp_rate": "fast",
                                       "xmit_hash_policy": "layer3+4",
                                       "arp_ip_target": ["192.0.2.9"]}}}), NAMES)
    data = _decoded(request)[1]["linkinfo"]["data"]
    assert data == {"mode": 4, "miimon": 100, "ad-lacp-rate": 1, "xmit-hash-policy": 1,
                    "arp-ip-target": ["192.0.2.9"]}
    [request] = link_create(_iface({"name": "vrf0", "type": "vrf",
                                    "vrf": {"route-table-id": 100}}), NAMES)
    assert _decoded(request)[1]["linkinfo"] == {"kind": "vrf", "data": {"table": 100}}


def test_create_refusals() -> None:
    with pytest.raises(RequestError, match="cannot create links of type ethernet"):
        link_create(_iface({"name": "e0", "type": "ethernet"}), NAMES)
    with pytest.raises(RequestError, match="give its type"):
        link_create(_iface({"name": "e0"}), NAMES)
    with pytest.raises(UnknownInterfaceError, match="nope"):
        link_create(_iface({"name": "m0", "type": "mac-vlan",
                            "mac-vlan": {"base-iface": "nope"}}), NAMES)


def test_create_commands() -> None:
    assert link_create_commands(_iface({
        "name": "v0", "type": "veth", "mtu": 1400, "description": "a b",
        "veth": {"peer": "v1"}})) == ["ip link add v0 mtu 1400 type veth peer name v1",
                                      "ip link set v0 alias 'a b'"]
    assert link_create_commands(_iface({"name": "m0", "type": "mac-vlan",
                                        "mac-vlan": {"base-iface": "eth0"}})) == [
        "ip link add m0 link eth0 type macvlan"]
    assert link_create_commands(_iface({"name": "vx0", "type": "vxlan", "vxlan": {
        "id": 5, "base-iface": "eth0", "remote": "239.1.1.1", "learning": False}})) == [
        "ip link add vx0 type vxlan id 5 dev eth0 group 239.1.1.1 nolearning"]
    assert link_create_commands(_iface({"name": "br0", "type": "linux-bridge", "bridge": {
        "options": {"stp": {"enabled": True, "forward-delay": 4}}}})) == [
        "ip link add br0 type bridge forward_delay 400 stp_state 1"]
    assert link_change_commands(_iface({"name": "br0", "type": "linux-bridge"}), _iface({
        "name": "br0", "state": "up", "bridge": {"options": {"mac-ageing-time": 30}}})) == [
        "ip link set br0 up type bridge ageing_time 3000"]


# ------------------------------------------------------------------------ change

def _veth(**extra: Any) -> Interface:
    return _iface({"name": "v0", "type": "veth", "state": "down", "mtu": 1500,
                   "mac-address": "02:00:00:00:00:01", "veth": {"peer": "v1"}, **extra})


def test_change_sends_only_what_differs() -> None:
    current = _veth()
    desired = _iface({"name": "v0", "mtu": 9000, "mac-address": "02:00:00:00:00:01",
                      "state": "up", "controller": "br0"})
    [request] = link_change(current, desired, NAMES)
    assert (request.type, request.flags) == (rc.RTM_NEWLINK, 0)
    header, attrs = _decoded(request)
    assert (header["ifi-index"], header["ifi-flags"], header["ifi-change"]) == (5, IFF_UP,
                                                                                 IFF_UP)
    assert attrs == {"mtu": 9000, "master": 7}
    assert request.label == "link v0 (change mtu, master, flags)"
    assert link_change_commands(current, desired) == ["ip link set v0 mtu 9000 master br0 up"]
    assert link_change(current, _iface({"name": "v0", "mtu": 1500}), NAMES) == []


def test_change_down_and_alias() -> None:
    current = _veth(state="up", description="old")
    [request] = link_change(current, _iface({"name": "v0", "state": "down",
                                             "description": "new"}), NAMES)
    header, attrs = _decoded(request)
    assert (header["ifi-flags"], header["ifi-change"], attrs) == (0, IFF_UP,
                                                                   {"ifalias": "new"})


def test_immutable_changes() -> None:
    vx = {"name": "vx0", "type": "vxlan", "vxlan": {"id": 1, "destination-port": 4789,
                                                    "local": "192.0.2.1"}}
    current = _iface(vx)
    assert immutable_changes(current, _iface({**vx, "vxlan": {
        "id": 2, "destination-port": 8472, "local": "192.0.2.9"}})) == [
        "vxlan.id", "vxlan.destination-port"]
    assert immutable_changes(current, _iface({**vx, "vxlan": {"id": 1, "local": "::1"}})) == [
        "vxlan.local"]  # the other family
    assert immutable_changes(_iface({**vx, "vxlan": {"id": 1}}), _iface({**vx, "vxlan": {
        "id": 1, "remote": "192.0.2.2"}})) == []  # none yet: IPv4
    assert immutable_changes(current, _iface({**vx, "type": "veth", "vxlan": None})) == [
        "type"]
    assert immutable_changes(_veth(), _veth(veth={"peer": "v9"})) == ["veth.peer"]
    mv = {"name": "m0", "type": "mac-vlan", "mac-vlan": {"base-iface": "eth0",
                                                         "mode": "bridge"}}
    assert immutable_changes(_iface(mv), _iface({**mv, "mac-vlan": {
        "base-iface": "eth1", "mode": "passthru"}})) == ["mac-vlan.base-iface", "mac-vlan.mode"]
    assert immutable_changes(_iface(mv), _iface({**mv, "mac-vlan": {
        "base-iface": "eth0", "mode": "vepa"}})) == []
    with pytest.raises(RequestError, match=r"vxlan.id cannot change .* created again"):
        link_change(current, _iface({**vx, "vxlan": {"id": 2}}), NAMES)


def test_change_kind_data_only_what_differs() -> None:
    vx = {"name": "v0", "type": "vxlan", "vxlan": {"id": 1, "local": "192.0.2.1",
                                                   "learning": True}}
    [request] = link_change(_iface(vx), _iface({**vx, "vxlan": {
        "id": 1, "local": "192.0.2.1", "learning": False}}), NAMES)
    assert _decoded(request)[1] == {"linkinfo": {"kind": "vxlan", "data": {"learning": 0}}}


def test_bridge_ports_enslave_release_then_settings() -> None:
    current = _iface({"name": "br0", "type": "linux-bridge", "bridge": {"port": [
        {"name": "v0", "stp-path-cost": 2, "stp-priority": 32}]}})
    desired = _iface({"name": "br0", "type": "linux-bridge", "bridge": {"port": [
        {"name": "p0", "stp-path-cost": 5, "stp-hairpin-mode": True}]}})
    requests = link_change(current, desired, NAMES)
    decoded = [(_decoded(r)[0]["ifi-index"], _decoded(r)[1]) for r in requests]
    assert decoded == [
        (8, {"master": 7}),  # enslave p0
        (5, {"master": 0}),  # release v0
        (8, {"linkinfo": {"slave-kind": "bridge", "slave-data": {"mode": 1, "cost": 5}}}),
    ]
    assert link_change_commands(current, desired) == [
        "ip link set p0 master br0", "ip link set v0 nomaster",
        "ip link set p0 type bridge_slave hairpin on cost 5"]
    # no port list: the ports are left alone
    assert link_change(current, _iface({"name": "br0", "bridge": {}}), NAMES) == []
    # a new controller's ports, once it has an ifindex
    assert [_decoded(r)[1] for r in port_requests(desired, NAMES)] == [
        {"master": 7},
        {"linkinfo": {"slave-kind": "bridge", "slave-data": {"mode": 1, "cost": 5}}}]


def test_bond_port_settings() -> None:
    bond = _iface({"name": "br0", "type": "bond", "link-aggregation": {
        "port": ["v0"], "ports-config": [{"name": "v0", "priority": -3}]}})
    assert [_decoded(r)[1] for r in port_requests(bond, NAMES)] == [
        {"master": 7}, {"linkinfo": {"slave-kind": "bond", "slave-data": {"prio": -3}}}]


def test_delete_up_down() -> None:
    [request] = link_delete("v0", NAMES)
    assert (request.type, request.flags, _decoded(request)) == (
        rc.RTM_DELLINK, 0, ({"ifi-family": 0, "ifi-type": 0, "ifi-index": 5, "ifi-flags": 0,
                             "ifi-change": 0}, {}))
    assert link_delete_command("v0") == "ip link del v0"
    assert _decoded(link_up("v0", NAMES)[0])[0]["ifi-flags"] == IFF_UP
    header = _decoded(link_down("v0", NAMES)[0])[0]
    assert (header["ifi-flags"], header["ifi-change"]) == (0, IFF_UP)
    with pytest.raises(UnknownInterfaceError):
        link_delete("gone", NAMES)


def test_alternative_names_golden() -> None:
    """One IFLA_PROP_LIST (52, NLA_F_NESTED) holding an IFLA_ALT_IFNAME (53) per name, on
    the link's ifindex: what `ip link property add|del` sends."""
    [add] = alt_name_request("v0", "add", ["uplink", "a-name-longer-than-fifteen"], NAMES)
    assert (add.type, add.flags, add.name) == (rc.RTM_NEWLINKPROP, CREATE, "RTM_NEWLINKPROP")
    assert add.payload == _hex("""
        00 00 00 00 05 00 00 00 00 00 00 00 00 00 00 00   # ifinfomsg: index 5
        30 00 34 80                                       # IFLA_PROP_LIST, nested
          0b 00 35 00 75 70 6c 69 6e 6b 00 00             # IFLA_ALT_IFNAME "uplink"
          1f 00 35 00 61 2d 6e 61 6d 65 2d 6c 6f 6e 67 65 72 2d 74 68 61 6e 2d 66 69 66
          74 65 65 6e 00 00                               # "a-name-longer-than-fifteen"
    """)
    [delete] = alt_name_request("v0", "del", ["uplink"], NAMES)
    assert (delete.type, delete.flags) == (rc.RTM_DELLINKPROP, 0)
    assert _decoded(delete)[1] == {"prop-list": {"alt-ifname": ["uplink"]}}
    assert alt_name_command("v0", "add", ["a", "b"]) == (
        "ip link property add dev v0 altname a altname b")


def test_alternative_names_are_added_and_removed_one_by_one() -> None:
    have = _iface({"name": "v0", "alt-names": [{"name": "kept"}, {"name": "old"}]})
    want = _iface({"name": "v0", "alt-names": [{"name": "new"}, {"name": "kept"},
                                               {"name": "old", "state": "absent"},
                                               {"name": "never", "state": "absent"}]})
    assert alt_name_changes(have, want) == (["new"], ["old"])
    assert "alt-names" in link_differences(have, want)
    assert alt_name_changes(have, _iface({"name": "v0"})) == ([], [])
    assert link_differences(have, _iface({"name": "v0", "alt-names": [{"name": "kept"}]})) == []


# ------------------------------------------------------------------------ addresses

def test_address_key_command_recreate() -> None:
    v4 = _entry({"ip": "192.0.2.1", "prefix-length": 24})
    v6 = _entry({"ip": "2001:db8::1", "prefix-length": 64})
    ptp = _entry({"ip": "10.0.0.1", "prefix-length": 32, "peer": "10.0.0.2"})
    assert address_key("eth0", v4) == ("eth0", "192.0.2.1/24")
    assert address_command("create", "eth0", v4) == "ip addr add 192.0.2.1/24 dev eth0 brd +"
    assert address_command("replace", "eth0", v6.model_copy(update={
        "noprefixroute": True})) == "ip addr replace 2001:db8::1/64 dev eth0 nodad noprefixroute"
    assert address_command("delete", "eth0", ptp) == (
        "ip addr del 10.0.0.1 peer 10.0.0.2/32 dev eth0")
    assert address_command("create", "eth0", ptp) == (
        "ip addr add 10.0.0.1 peer 10.0.0.2/32 dev eth0")
    assert address_recreate_fields(v4, v4.model_copy(update={"noprefixroute": True})) == [
        "noprefixroute"]
    assert address_recreate_fields(ptp, ptp.model_copy(update={"peer": "10.0.0.3"})) == [
        "peer"]
    assert address_recreate_fields(v6, v6.model_copy(update={"noprefixroute": True})) == []
    assert _decoded(address_request("create", "eth0", _entry(
        {"ip": "192.0.2.1", "prefix-length": 31}), NAMES))[1].get("broadcast") is None
