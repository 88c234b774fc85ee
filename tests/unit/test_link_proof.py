"""Which files apply's verification checks by a narrow link dump (apply/link_proof.py): only
those whose links ask nothing beyond what that dump reads; the rest are observed and diffed."""

from __future__ import annotations

import pytest

from nlstate.apply.link_proof import LinkProof
from nlstate.load import load_text

PLAIN = [
    "{name: br0, type: linux-bridge, state: up, bridge: {port: [{name: v0}]}}",
    "{name: v0, type: veth, state: down, mtu: 1400, controller: br0, veth: {peer: p0}}",
    "{name: eth0, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}, "
    "ipv6: {enabled: true, address: []}}",
    "{name: old, state: absent}",
    "{name: other, state: ignore, mac-address: '02:00:00:00:00:01'}",
    "{name: br1, type: linux-bridge, allow-recreate: true}",
]

NOT_PLAIN = {
    "bridge options": "{name: x0, type: linux-bridge, bridge: {options: {stp: {enabled: "
                      "false}}}}",
    "a port's settings": "{name: x0, type: linux-bridge, bridge: {port: [{name: x1, "
                         "stp-priority: 3}]}}",
    "a MAC address": "{name: x0, mac-address: '02:00:00:00:00:01'}",
    "alternative names": "{name: x0, alt-names: [{name: uplink}]}",
    "a description": "{name: x0, description: uplink}",
    "a release": "{name: x0, controller: ''}",
    "a family disabled": "{name: x0, ipv6: {enabled: false}}",
    "noprefixroute": "{name: x0, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24, "
                     "noprefixroute: true}]}}",
    "a peer address": "{name: x0, ipv4: {address: [{ip: 192.0.2.1, prefix-length: 32, "
                      "peer: 192.0.2.2}]}}",
    "a tap, whose type is in its kind's data": "{name: t0, type: tap}",
    "another kind's section": "{name: vx0, type: vxlan, vxlan: {id: 5, destination-port: "
                              "4789}}",
}


def _file(*interfaces: str) -> str:
    return "interfaces:\n" + "".join(f"- {interface}\n" for interface in interfaces)


def test_plain_links_get_a_proof() -> None:
    assert LinkProof.of(load_text(_file(*PLAIN), "links.yml")) is not None


@pytest.mark.parametrize("case", NOT_PLAIN)
def test_one_link_asking_more_leaves_the_file_to_the_whole_verification(case: str) -> None:
    assert LinkProof.of(load_text(_file(*PLAIN, NOT_PLAIN[case]), "links.yml")) is None
