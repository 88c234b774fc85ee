"""`interfaces: [...]`: links with their addresses, in nmstate's vocabulary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, model_validator

from nlstate.kinds import SECTIONS as KERNEL_SECTIONS
from nlstate.kinds import hsr, iptunnel, macsec
from nlstate.kinds.bond import BondConfig
from nlstate.kinds.bridge import BridgeConfig
from nlstate.kinds.hsr import HsrConfig
from nlstate.kinds.iptunnel import IpTunnelConfig
from nlstate.kinds.ipvlan import IpvlanConfig
from nlstate.kinds.macsec import MacsecConfig
from nlstate.kinds.macvlan import MacvlanConfig
from nlstate.kinds.section import Section
from nlstate.kinds.veth import VethConfig
from nlstate.kinds.vlan import VlanConfig
from nlstate.kinds.vrf import VrfConfig
from nlstate.kinds.vxlan import VxlanConfig
from nlstate.values import addresses
from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, Loc, check
from nlstate.values.types import (
    Absent,
    AltName,
    ControllerName,
    InterfaceName,
    IPAddress,
    MacAddress,
    Mtu,
)

InterfaceType = Literal[
    "ethernet", "veth", "linux-bridge", "vxlan", "mac-vlan", "mac-vtap", "vlan", "bond", "vrf",
    "ipvlan", "hsr", "ip-tunnel", "macsec", "dummy", "loopback", "tun", "tap", "ifb",
    "wireguard", "unknown",
]
InterfaceState = Literal["up", "down", "absent", "ignore"]

# Every kind section an interface can have (those read from the kernel, and those only
# validated so far), and the section key of each interface type that has one.
SECTIONS: tuple[Section, ...] = (*KERNEL_SECTIONS, hsr.SECTION, iptunnel.SECTION,
                                 macsec.SECTION)
SECTION_OF_TYPE: dict[str, str] = {
    type_: section.key for section in SECTIONS for type_ in section.types.values()
}
SECTION_KEYS: tuple[str, ...] = tuple(dict.fromkeys(section.key for section in SECTIONS))
MIN_MTU = 68  # the least any link carrying IPv4 takes (ETH_MIN_MTU)


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
        findings: list[Finding] = []
        limit = 128 if addresses.is_ipv6(self.ip) else 32
        if self.prefix_length > limit:
            findings.append(Finding(
                ("prefix-length",), f"prefix-length {self.prefix_length} is too long for "
                f"{self.ip} (at most {limit})", self.prefix_length))
        if self.peer is not None and addresses.is_ipv6(self.peer) != (limit == 128):
            findings.append(Finding(("peer",), f"peer {self.peer} and ip {self.ip} are of "
                                    "different families; give a peer of the same family",
                                    self.peer))
        check(type(self).__name__, findings)
        return self


class IPConfig(FileModel):
    """The IPv4 or IPv6 side of an interface: static addresses only (no DHCP/autoconf)."""

    enabled: bool | None = Field(
        None, description="false: the interface has no addresses of this family (for IPv6, "
                          "IPv6 is disabled on it).")
    address: list[AddressEntry] | None = Field(
        None, description="The complete list of static addresses of this family.")
    dhcp: Literal[False] | None = Field(
        None, description="Only false is accepted: nlstate configures static addresses.")
    autoconf: Literal[False] | None = Field(
        None, description="IPv6 only; only false is accepted.")


class AltNameEntry(FileModel):
    """An alternative name of a link (IFLA_ALT_IFNAME)."""

    name: AltName = Field(description="The alternative name, up to 127 bytes.")
    state: Absent | None = Field(None, description="'absent' removes this alternative name.")


class InterfaceBase(FileModel):
    """The attributes every link has."""

    name: InterfaceName = Field(description="Interface name (IFLA_IFNAME), at most 15 bytes.")
    type: InterfaceType | None = Field(
        None, description="Kind of link; 'ethernet' is an existing wire-like link (no kind). "
                          "Not given: the type the link has now.")
    state: InterfaceState | None = Field(
        None, description="up or down (admin state); absent deletes it; ignore leaves it be.")
    mtu: Mtu | None = Field(
        None, description="MTU in bytes (IFLA_MTU); at least 68 for the link types nlstate "
                          "manages.")
    mac_address: MacAddress | None = Field(
        None, description="Link-layer address (IFLA_ADDRESS), upper case.")
    copy_mac_from: InterfaceName | None = Field(
        None, description="Give this link the MAC address of that one (resolved when "
                          "planning); instead of mac-address.")
    accept_all_mac_addresses: bool | None = Field(
        None, description="Receive frames for every MAC address: promiscuous mode "
                          "(IFF_PROMISC).")
    alt_names: list[AltNameEntry] | None = Field(
        None, description="Alternative names of the link (IFLA_PROP_LIST): those listed are "
                          "added, those `state: absent` removed; the link's other "
                          "alternative names stay (nmstate's way).")
    controller: ControllerName | None = Field(
        None, description="The bridge, bond or VRF this link is a port of (IFLA_MASTER); "
                          "'' (empty): none, the link is released from the one it has.")
    description: str | None = Field(None, description="Free text alias (IFLA_IFALIAS).")
    ipv4: IPConfig | None = Field(None, description="IPv4 addresses.")
    ipv6: IPConfig | None = Field(None, description="IPv6 addresses.")
    allow_recreate: bool | None = Field(
        None, description="true: when the file changes what cannot change on an existing "
                          "link (its type, a vxlan's id, a veth's peer, ...), the plan deletes "
                          "and creates it again, as `--allow-recreate` does for every link.")


_SECTION_ATTRIBUTES = tuple((key, key.replace("-", "_")) for key in SECTION_KEYS)

# The validation context of links read from the kernel (observe): what the kernel reports is
# what there is, so the file's consistency checks (a section of another type, a link that is
# its own port, an MTU below 68, ...) do not run on it. They would only make reading the
# state fail, and take 40% of the time of validating 3000 observed links.
OBSERVED: dict[str, str] = {"source": "kernel"}


class Interface(InterfaceBase):
    """An interface: the common attributes plus the section of its kind."""

    # one field per section key of SECTIONS (a test keeps them in step)
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
    hsr: HsrConfig | None = Field(None, description="type hsr: the two ports and protocol.")
    ip_tunnel: IpTunnelConfig | None = Field(
        None, description="type ip-tunnel: mode and endpoints.")
    macsec: MacsecConfig | None = Field(None, description="type macsec (without MKA).")

    def sections(self) -> Iterator[tuple[str, FileModel]]:
        """The kind sections given: (key, section)."""
        values = self.__dict__  # called for every link, many times over: no getattr
        for key, attribute in _SECTION_ATTRIBUTES:
            section = values[attribute]
            if section is not None:
                yield key, section

    def ports(self) -> Iterator[tuple[Loc, str]]:
        """The links this one lists as its ports, with where each is said."""
        if self.bridge is not None:
            for index, port in enumerate(self.bridge.port or ()):
                yield ("bridge", "port", index, "name"), port.name
        if self.link_aggregation is not None:
            for index, name in enumerate(self.link_aggregation.port or ()):
                yield ("link-aggregation", "port", index), name
        if self.vrf is not None:
            for index, name in enumerate(self.vrf.port or ()):
                yield ("vrf", "port", index), name
        if self.hsr is not None:
            yield ("hsr", "port1"), self.hsr.port1
            yield ("hsr", "port2"), self.hsr.port2

    def lists_ports(self) -> bool:
        """Whether its kind section gives a port list (which is then complete)."""
        return any(section is not None and section.port is not None
                   for section in (self.bridge, self.link_aggregation, self.vrf))

    def lower_links(self) -> Iterator[tuple[Loc, str]]:
        """The links this one sits on (base-iface, a veth's peer), with where each is said."""
        for key, section in self.sections():
            # the field's value, not getattr(): a model without the field raises in
            # pydantic's __getattr__ (2 µs), and every link's plan asks several times
            base = section.__dict__.get("base_iface")
            if base is not None:
                yield (key, "base-iface"), base
        if self.veth is not None:
            yield ("veth", "peer"), self.veth.peer

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Interface:
        if info.context is not OBSERVED:
            check(type(self).__name__, [*self._section_problems(), *self._self_references(),
                                        *self._value_problems()])
        return self

    def _section_problems(self) -> Iterator[Finding]:
        given = [key for key, _ in self.sections()]
        if self.type is not None:
            wanted = SECTION_OF_TYPE.get(self.type)
            for key in given:
                if key != wanted:
                    owner = "/".join(t for t, k in SECTION_OF_TYPE.items() if k == key)
                    right = f"its section is {wanted}" if wanted else "it has no section"
                    yield Finding((key,), f"a {key} section belongs to type {owner}; this "
                                  f"interface is type {self.type} ({right})")
        elif len(given) > 1:
            yield Finding((given[1],), f"an interface has one kind section, this one has "
                          f"{' and '.join(given)}; give its type and that type's section")

    def _self_references(self) -> Iterator[Finding]:
        if self.controller == self.name:
            yield Finding(("controller",), f"{self.name} cannot be its own controller",
                          self.controller)
        for loc, name in self.ports():
            if name == self.name:
                yield Finding(loc, f"{self.name} lists itself as its own port", name)
        for loc, name in self.lower_links():
            if name == self.name:
                what = "its own peer" if loc[0] == "veth" else "on top of itself"
                yield Finding(loc, f"{self.name} cannot be {what}; name another link", name)
        seen: set[str] = set()
        for loc, name in self.ports():
            if name in seen and loc[0] != "hsr":
                yield Finding(loc, f"{name} is listed twice as a port of {self.name}", name)
            seen.add(name)

    def _value_problems(self) -> Iterator[Finding]:
        if self.mtu is not None and self.mtu < MIN_MTU and self.type != "unknown":
            yield Finding(("mtu",), f"mtu {self.mtu} is below {MIN_MTU}, the least a link "
                          "carrying IPv4 takes", self.mtu)
        mac = self.mac_address
        if mac is not None and len(mac) == 17 and int(mac[:2], 16) & 1:
            yield Finding(("mac-address",), f"mac-address {mac} is a multicast or broadcast "
                          "address (the first byte is odd); a link's address is unicast", mac)
        if mac is not None and self.copy_mac_from is not None:
            yield Finding(("copy-mac-from",), "give either mac-address or copy-mac-from, not "
                          "both", self.copy_mac_from)
        if self.ipv4 is not None and self.ipv4.autoconf is not None:
            yield Finding(("ipv4", "autoconf"), "autoconf is IPv6's (router advertisements); "
                          "leave it out of ipv4", self.ipv4.autoconf)
        yield from self._alt_name_problems()
        for key, config, v6 in (("ipv4", self.ipv4, False), ("ipv6", self.ipv6, True)):
            if config is None:
                continue
            if config.enabled is False and config.address:
                yield Finding((key, "enabled"), f"{key} is disabled (enabled: false) but has "
                              "addresses; remove them or enable it", config.enabled)
            yield from _address_problems(key, config.address or [], v6)

    def _alt_name_problems(self) -> Iterator[Finding]:
        """An alternative name that is the link's own name (the kernel refuses it), or one
        listed twice."""
        seen: set[str] = set()
        for index, entry in enumerate(self.alt_names or ()):
            loc = ("alt-names", index, "name")
            if entry.name == self.name and entry.state is None:
                yield Finding(loc, f"{entry.name} is the link's own name; an alternative "
                              "name is another name for it", entry.name)
            elif entry.name in seen:
                yield Finding(loc, f"{entry.name} is listed twice", entry.name)
            seen.add(entry.name)


def _address_problems(key: str, entries: list[AddressEntry], v6: bool,
                      ) -> Iterator[Finding]:
    seen: set[str] = set()
    for index, entry in enumerate(entries):
        loc = (key, "address", index, "ip")
        if addresses.is_ipv6(entry.ip) != v6:
            other = "ipv4" if v6 else "ipv6"
            yield Finding(loc, f"{entry.ip} is not an {key} address; put it under {other}",
                          entry.ip)
        elif entry.ip in seen:
            yield Finding(loc, f"{entry.ip} is listed twice", entry.ip)
        seen.add(entry.ip)
