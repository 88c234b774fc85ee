"""ipvlan and ipvtap: IP-based virtual links on a parent (IFLA_IPVLAN_*, <linux/if_link.h>)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName

from .section import KernelData, ObservedLink, Resolver, Section, given

KINDS = ("ipvlan", "ipvtap")

IPVLAN_MODE_L2 = 0
IPVLAN_MODE_L3 = 1
IPVLAN_MODE_L3S = 2
MODES = {IPVLAN_MODE_L2: "l2", IPVLAN_MODE_L3: "l3", IPVLAN_MODE_L3S: "l3s"}

# IFLA_IPVLAN_FLAGS; neither set means "bridge"
IPVLAN_F_PRIVATE = 0x01
IPVLAN_F_VEPA = 0x02
FLAGS = {IPVLAN_F_PRIVATE: "private", IPVLAN_F_VEPA: "vepa"}

DATA = AttrSet("linkinfo-ipvlan-attrs", "ifla-ipvlan-", [
    Attr("mode", "u16"),
    Attr("flags", "u16"),
])


class IpvlanConfig(FileModel):
    """`ipvlan:` links sharing the base link's MAC address."""

    base_iface: InterfaceName = Field(description="The link it sits on (IFLA_LINK).")
    mode: Literal["l2", "l3", "l3s"] | None = Field(None, description="Where it switches.")
    private: bool | None = Field(None, description="No traffic between siblings.")
    vepa: bool | None = Field(None, description="Siblings reach each other via the switch.")


def _observe(link: ObservedLink) -> dict[str, Any]:
    flags = link.data.get("flags", 0)
    section = {
        "base-iface": link.link_name(link.attrs.get("link")),
        "mode": MODES.get(link.data.get("mode", -1)),
        "private": bool(flags & IPVLAN_F_PRIVATE),
        "vepa": bool(flags & IPVLAN_F_VEPA),
    }
    return {k: v for k, v in section.items() if v is not None}


MODE_NUMBERS = {name: number for number, name in MODES.items()}


def to_kernel(section: IpvlanConfig, _: Resolver) -> KernelData:
    """IFLA_IPVLAN_MODE and FLAGS (private/vepa; a flag left out is off when the other is
    said); the base link is IFLA_LINK, outside the data."""
    flags = None
    if section.private is not None or section.vepa is not None:
        flags = (IPVLAN_F_PRIVATE if section.private else 0) | (
            IPVLAN_F_VEPA if section.vepa else 0)
    return given({"mode": MODE_NUMBERS[section.mode] if section.mode else None,
                  "flags": flags})


# ipvlan_link_changelink() changes mode and flags; the base is fixed at creation
def ip_words(_: IpvlanConfig, data: KernelData) -> list[str]:
    """ip takes the flags only after a mode (mode l2 when the data has none)."""
    if "mode" not in data and "flags" not in data:
        return []
    words = ["mode", MODES[data.get("mode", IPVLAN_MODE_L2)]]
    if "flags" in data:
        words.append(FLAGS.get(data["flags"], "bridge"))
    return words


SECTION = Section({"ipvlan": "ipvlan", "ipvtap": "ipvlan"}, "ipvlan", IpvlanConfig, _observe,
                  to_kernel, base_link=True, immutable=("base-iface",), ip_words=ip_words)
