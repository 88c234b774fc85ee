"""vxlan: VXLAN tunnels (IFLA_VXLAN_*, <linux/if_link.h>; the kernel's spec has no vxlan set).

Wire types as the kernel's vxlan_policy: group/local are IPv4 and group6/local6 IPv6
addresses (ipaddr), port and the port-range members are __be16, label is a __be32;
gbp, remcsum-nopartial, gpe and ttl-inherit are flags (present = on).
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Any

from pydantic import Field, model_validator

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.rtnl.link import packed
from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import U16, InterfaceName, IPAddress

from .section import KernelData, ObservedLink, Resolver, Section, flag, given, u8_flag

KIND = "vxlan"

IANA_VXLAN_UDP_PORT = 4789

# IFLA_VXLAN_DF (enum ifla_vxlan_df)
DF_MODES = {0: "unset", 1: "set", 2: "inherit"}
# IFLA_VXLAN_LABEL_POLICY (enum ifla_vxlan_label_policy)
LABEL_POLICIES = {0: "fixed", 1: "inherit"}

DATA = AttrSet("linkinfo-vxlan-attrs", "ifla-vxlan-", [
    Attr("id", "u32"),
    Attr("group", "ipaddr"),
    Attr("link", "u32"),
    Attr("local", "ipaddr"),
    Attr("ttl", "u8"),
    Attr("tos", "u8"),
    Attr("learning", "u8"),
    Attr("ageing", "u32"),
    Attr("limit", "u32"),
    packed("port-range", [("low", ">H"), ("high", ">H")]),  # struct ifla_vxlan_port_range
    Attr("proxy", "u8"),
    Attr("rsc", "u8"),
    Attr("l2miss", "u8"),
    Attr("l3miss", "u8"),
    Attr("port", "u16", byte_order="big"),
    Attr("group6", "ipaddr"),
    Attr("local6", "ipaddr"),
    Attr("udp-csum", "u8"),
    Attr("udp-zero-csum6-tx", "u8"),
    Attr("udp-zero-csum6-rx", "u8"),
    Attr("remcsum-tx", "u8"),
    Attr("remcsum-rx", "u8"),
    Attr("gbp", "flag"),
    Attr("remcsum-nopartial", "flag"),
    Attr("collect-metadata", "u8"),
    Attr("label", "u32", byte_order="big"),
    Attr("gpe", "flag"),
    Attr("ttl-inherit", "flag"),
    Attr("df", "u8"),
    Attr("vnifilter", "u8"),
    Attr("localbypass", "u8"),
    Attr("label-policy", "u32"),
    Attr("reserved-bits", "binary"),  # 8 bytes: a struct vxlanhdr mask
    Attr("mc-route", "u8"),
])


class VxlanConfig(FileModel):
    """`vxlan:` a VXLAN tunnel endpoint."""

    id: Annotated[int, Field(ge=0, lt=2**24)] = Field(
        description="VXLAN network identifier (0-16777215, 24 bits).")
    base_iface: InterfaceName | None = Field(
        None, description="Underlay interface (IFLA_VXLAN_LINK).")
    local: IPAddress | None = Field(None, description="Local tunnel address.")
    remote: IPAddress | None = Field(
        None, description="Remote endpoint, or the multicast group to flood to.")
    destination_port: U16 | None = Field(
        None, description="UDP destination port (4789 is IANA's; the kernel's default is 8472).")
    learning: bool | None = Field(None, description="Learn remote MAC addresses.")

    @model_validator(mode="after")
    def _one_family(self) -> VxlanConfig:
        local, remote = self.local, self.remote
        check(type(self).__name__, [
            Finding(("remote",), f"remote {remote} and local {local} are of different "
                    "families; a VXLAN tunnel runs over IPv4 or over IPv6", remote),
        ] if local is not None and remote is not None and (":" in local) != (":" in remote)
            else [])
        return self


# the IFLA_VXLAN_* attributes _observe reads: observe decodes no others (EVPN hosts have
# vxlans by the thousand; a test holds this list to what _observe reads)
OBSERVED_DATA = ("id", "link", "local", "local6", "group", "group6", "port", "learning")


def _observe(link: ObservedLink) -> dict[str, Any]:
    data = link.data
    section = {
        "id": data.get("id"),
        "base-iface": link.link_name(data.get("link")),
        "local": data.get("local") or data.get("local6"),
        "remote": data.get("group") or data.get("group6"),
        "destination-port": data.get("port"),
        "learning": flag(data.get("learning")),
    }
    return {k: v for k, v in section.items() if v is not None}


def to_kernel(section: VxlanConfig, resolve: Resolver) -> KernelData:
    """IFLA_VXLAN_*: the remote (unicast or multicast) is IFLA_VXLAN_GROUP(6), as iproute2
    sends `remote` and `group` alike."""
    six = any(a is not None and ":" in a for a in (section.local, section.remote))
    base = section.base_iface
    return given({
        "id": section.id,
        "link": resolve(base) if base is not None else None,
        "local6" if six else "local": section.local,
        "group6" if six else "group": section.remote,
        "port": section.destination_port,
        "learning": u8_flag(section.learning),
    })


def ip_words(section: VxlanConfig, data: KernelData) -> list[str]:
    words: list[str] = []
    for key, value in data.items():
        if key == "link":
            words += ["dev", str(section.base_iface)]
        elif key in ("group", "group6"):
            multicast = ipaddress.ip_address(str(value)).is_multicast
            words += ["group" if multicast else "remote", str(value)]
        elif key in ("local", "local6"):
            words += ["local", str(value)]
        elif key == "port":
            words += ["dstport", str(value)]
        elif key == "learning":
            words.append("learning" if value else "nolearning")
        else:
            words += [str(key), str(value)]  # id
    return words


def _six(section: VxlanConfig) -> bool | None:
    """Whether the tunnel runs over IPv6 (None: the section says no address)."""
    said = [a for a in (section.local, section.remote) if a is not None]
    return ":" in said[0] if said else None


def refused(have: VxlanConfig | None, want: VxlanConfig) -> list[str]:
    """vxlan_nl2conf() refuses to move a tunnel to the other family (EOPNOTSUPP "New local
    address family does not match old", "New group address family does not match old
    group"); a tunnel created without addresses is IPv4."""
    wanted = _six(want)
    if have is None or wanted is None or wanted == bool(_six(have)):
        return []
    return [key for key, value in (("local", want.local), ("remote", want.remote))
            if value is not None]


# vxlan_nl2conf() refuses on changelink: "Cannot change VNI", "Cannot change port" (both
# EOPNOTSUPP); local, remote (in their family), base-iface and learning change in place.
SECTION = Section({KIND: "vxlan"}, "vxlan", VxlanConfig, _observe, to_kernel,
                  immutable=("id", "destination-port"), refused=refused, ip_words=ip_words)
