"""ipvlan and ipvtap: IP-based virtual links on a parent (IFLA_IPVLAN_*, <linux/if_link.h>)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName

from .section import ObservedLink, Section

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


SECTION = Section({"ipvlan": "ipvlan", "ipvtap": "ipvlan"}, "ipvlan", IpvlanConfig, _observe)
