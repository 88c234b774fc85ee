"""`interfaces: [...]`: links with their addresses, in nmstate's vocabulary."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from nlstate.kinds.bond import BondConfig
from nlstate.kinds.bridge import BridgeConfig
from nlstate.kinds.ipvlan import IpvlanConfig
from nlstate.kinds.macvlan import MacvlanConfig
from nlstate.kinds.veth import VethConfig
from nlstate.kinds.vlan import VlanConfig
from nlstate.kinds.vrf import VrfConfig
from nlstate.kinds.vxlan import VxlanConfig
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName, IPAddress, MacAddress

InterfaceType = Literal[
    "ethernet", "veth", "linux-bridge", "vxlan", "mac-vlan", "mac-vtap", "vlan", "bond", "vrf",
    "ipvlan", "dummy", "loopback", "tun", "tap", "ifb", "wireguard", "unknown",
]
InterfaceState = Literal["up", "down", "absent", "ignore"]


class AddressEntry(FileModel):
    """One address on an interface."""

    ip: IPAddress = Field(description="The address, e.g. 192.0.2.10 or 2001:db8::10.")
    prefix_length: Annotated[int, Field(ge=0, le=128)] = Field(
        description="Prefix length: 0-32 for IPv4, 0-128 for IPv6.")
    noprefixroute: bool | None = Field(
        None, description="Do not add the prefix route for this address (IFA_F_NOPREFIXROUTE).")
    peer: IPAddress | None = Field(
        None, description="Peer address of a point-to-point link (IFA_ADDRESS).")

    @model_validator(mode="after")
    def _prefix_fits_family(self) -> AddressEntry:
        limit = 128 if ":" in self.ip else 32
        if self.prefix_length > limit:
            raise ValueError(f"prefix-length {self.prefix_length} is too long for {self.ip} "
                             f"(at most {limit})")
        return self


class IPConfig(FileModel):
    """The IPv4 or IPv6 side of an interface: static addresses only (no DHCP/autoconf)."""

    enabled: bool | None = Field(
        None, description="false: the interface has no addresses of this family.")
    address: list[AddressEntry] | None = Field(
        None, description="The complete list of static addresses of this family.")
    dhcp: Literal[False] | None = Field(
        None, description="Only false is accepted: nlstate configures static addresses.")
    autoconf: Literal[False] | None = Field(
        None, description="IPv6 only; only false is accepted.")


class InterfaceBase(FileModel):
    """The attributes every link has."""

    name: InterfaceName = Field(description="Interface name (IFLA_IFNAME), at most 15 bytes.")
    type: InterfaceType | None = Field(
        None, description="Kind of link; 'ethernet' is an existing wire-like link (no kind).")
    state: InterfaceState | None = Field(
        None, description="up or down (admin state); absent deletes it; ignore leaves it be.")
    mtu: Annotated[int, Field(ge=68, le=0xFFFFFFFF)] | None = Field(
        None, description="MTU in bytes (IFLA_MTU).")
    mac_address: MacAddress | None = Field(
        None, description="Link-layer address (IFLA_ADDRESS), upper case.")
    controller: InterfaceName | None = Field(
        None, description="The bridge, bond or VRF this link is a port of (IFLA_MASTER).")
    description: str | None = Field(None, description="Free text alias (IFLA_IFALIAS).")
    ipv4: IPConfig | None = Field(None, description="IPv4 addresses.")
    ipv6: IPConfig | None = Field(None, description="IPv6 addresses.")


class Interface(InterfaceBase):
    """An interface: the common attributes plus the section of its kind."""

    veth: VethConfig | None = Field(None, description="type veth: the peer.")
    bridge: BridgeConfig | None = Field(
        None, description="type linux-bridge: options and ports.")
    vxlan: VxlanConfig | None = Field(None, description="type vxlan: the tunnel.")
    mac_vlan: MacvlanConfig | None = Field(None, description="type mac-vlan.")
    mac_vtap: MacvlanConfig | None = Field(None, description="type mac-vtap.")
    vlan: VlanConfig | None = Field(None, description="type vlan.")
    link_aggregation: BondConfig | None = Field(
        None, description="type bond: mode, options and ports.")
    vrf: VrfConfig | None = Field(None, description="type vrf: table and ports.")
    ipvlan: IpvlanConfig | None = Field(None, description="type ipvlan.")
