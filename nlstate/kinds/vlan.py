"""vlan: 802.1Q / 802.1ad sub-interfaces (IFLA_VLAN_*, rt-link.yaml)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nlstate.netlink.codec import Attr, AttrSet, Member, Struct
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName, VlanId

from .section import KernelData, ObservedLink, Resolver, Section, given, words_of

KIND = "vlan"

# IFLA_VLAN_PROTOCOL (a __be16 ethertype)
ETH_P_8021Q = 0x8100
ETH_P_8021AD = 0x88A8
PROTOCOLS = {ETH_P_8021Q: "802.1q", ETH_P_8021AD: "802.1ad"}

# struct ifla_vlan_flags: flags and the mask of the flags to change
VLAN_FLAG_REORDER_HDR = 0x1
VLAN_FLAG_GVRP = 0x2
VLAN_FLAG_LOOSE_BINDING = 0x4
VLAN_FLAG_MVRP = 0x8
VLAN_FLAG_BRIDGE_BINDING = 0x10
FLAGS = {
    VLAN_FLAG_REORDER_HDR: "reorder-hdr", VLAN_FLAG_GVRP: "gvrp",
    VLAN_FLAG_LOOSE_BINDING: "loose-binding", VLAN_FLAG_MVRP: "mvrp",
    VLAN_FLAG_BRIDGE_BINDING: "bridge-binding",
}  # fmt: skip

IFLA_VLAN_FLAGS = Struct("ifla-vlan-flags", [
    Member("flags", "u32"),
    Member("mask", "u32"),
])

IFLA_VLAN_QOS_MAPPING = Struct("ifla-vlan-qos-mapping", [
    Member("from", "u32"),
    Member("to", "u32"),
])

QOS_ATTRS = AttrSet("ifla-vlan-qos", "ifla-vlan-qos-", [
    Attr("mapping", "struct", struct=IFLA_VLAN_QOS_MAPPING, multi=True),
])

DATA = AttrSet("linkinfo-vlan-attrs", "ifla-vlan-", [
    Attr("id", "u16"),
    Attr("flags", "struct", struct=IFLA_VLAN_FLAGS),
    Attr("egress-qos", "nest", nested=QOS_ATTRS),
    Attr("ingress-qos", "nest", nested=QOS_ATTRS),
    Attr("protocol", "u16", byte_order="big"),
])


class VlanConfig(FileModel):
    """`vlan:` an 802.1Q/802.1ad VLAN on top of another link."""

    base_iface: InterfaceName = Field(description="The link it sits on (IFLA_LINK).")
    id: VlanId = Field(description="VLAN id (1-4094).")
    protocol: Literal["802.1q", "802.1ad"] | None = Field(
        None, description="Tag protocol; 802.1q when not given.")


def _observe(link: ObservedLink) -> dict[str, Any]:
    section = {
        "base-iface": link.link_name(link.attrs.get("link")),
        "id": link.data.get("id"),
        "protocol": PROTOCOLS.get(link.data.get("protocol", -1)),
    }
    return {k: v for k, v in section.items() if v is not None}


PROTOCOL_NUMBERS = {name: number for number, name in PROTOCOLS.items()}


def to_kernel(section: VlanConfig, _: Resolver) -> KernelData:
    """IFLA_VLAN_ID and PROTOCOL; the base link is IFLA_LINK, outside the data."""
    protocol = section.protocol
    return given({"id": section.id,
                  "protocol": PROTOCOL_NUMBERS[protocol] if protocol else None})


# vlan_changelink() changes only flags and QoS maps: id, protocol and base stay as created
def ip_words(_: VlanConfig, data: KernelData) -> list[str]:
    return words_of(data, {"protocol": "protocol", "id": "id"},
                    lambda key, value: PROTOCOLS[value] if key == "protocol" else str(value))


SECTION = Section({KIND: "vlan"}, "vlan", VlanConfig, _observe, to_kernel, base_link=True,
                  immutable=("base-iface", "id", "protocol"), ip_words=ip_words)
