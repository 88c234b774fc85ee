"""macvlan and macvtap: MAC-based virtual links on a parent (IFLA_MACVLAN_*, <linux/if_link.h>).

Both kinds share one attribute set.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName

from .section import KernelData, ObservedLink, Resolver, Section, given

KINDS = ("macvlan", "macvtap")

# enum macvlan_mode (IFLA_MACVLAN_MODE)
MACVLAN_MODE_PRIVATE = 1
MACVLAN_MODE_VEPA = 2
MACVLAN_MODE_BRIDGE = 4
MACVLAN_MODE_PASSTHRU = 8
MACVLAN_MODE_SOURCE = 16
MODES = {
    MACVLAN_MODE_PRIVATE: "private", MACVLAN_MODE_VEPA: "vepa", MACVLAN_MODE_BRIDGE: "bridge",
    MACVLAN_MODE_PASSTHRU: "passthru", MACVLAN_MODE_SOURCE: "source",
}  # fmt: skip

# IFLA_MACVLAN_FLAGS
MACVLAN_FLAG_NOPROMISC = 1
MACVLAN_FLAG_NODST = 2

# enum macvlan_macaddr_mode (IFLA_MACVLAN_MACADDR_MODE, for mode "source")
MACADDR_MODES = {0: "add", 1: "del", 2: "flush", 3: "set"}

# IFLA_MACVLAN_MACADDR_DATA: a nest of IFLA_MACVLAN_MACADDR attributes
MACADDR_DATA_ATTRS = AttrSet("macvlan-macaddr-data-attrs", "ifla-macvlan-", [
    (4, Attr("macaddr", "mac", multi=True)),
])

DATA = AttrSet("linkinfo-macvlan-attrs", "ifla-macvlan-", [
    Attr("mode", "u32"),
    Attr("flags", "u16"),
    Attr("macaddr-mode", "u32"),
    Attr("macaddr", "mac"),
    Attr("macaddr-data", "nest", nested=MACADDR_DATA_ATTRS),
    Attr("macaddr-count", "u32"),
    Attr("bc-queue-len", "u32"),
    Attr("bc-queue-len-used", "u32"),
    Attr("bc-cutoff", "s32"),
])


MacvlanMode = Literal["private", "vepa", "bridge", "passthru", "source"]


class MacvlanConfig(FileModel):
    """`mac-vlan:` / `mac-vtap:` a link with its own MAC address on top of another."""

    base_iface: InterfaceName = Field(description="The link it sits on (IFLA_LINK).")
    mode: MacvlanMode | None = Field(None, description="How its siblings reach each other.")
    promiscuous: bool | None = Field(
        None, description="passthru mode: put the base link in promiscuous mode (default).")


def _observe(link: ObservedLink) -> dict[str, Any]:
    flags = link.data.get("flags", 0)
    section = {
        "base-iface": link.link_name(link.attrs.get("link")),
        "mode": MODES.get(link.data.get("mode", -1)),
        "promiscuous": not flags & MACVLAN_FLAG_NOPROMISC,
    }
    return {k: v for k, v in section.items() if v is not None}


MODE_NUMBERS = {name: number for number, name in MODES.items()}


def to_kernel(section: MacvlanConfig, _: Resolver) -> KernelData:
    """IFLA_MACVLAN_MODE and FLAGS (NOPROMISC when promiscuous is false); the base link is
    IFLA_LINK, outside the data."""
    promiscuous = section.promiscuous
    return given({
        "mode": MODE_NUMBERS[section.mode] if section.mode else None,
        "flags": None if promiscuous is None else 0 if promiscuous else MACVLAN_FLAG_NOPROMISC,
    })


def ip_words(_: MacvlanConfig, data: KernelData) -> list[str]:
    words = ["mode", MODES[data["mode"]]] if "mode" in data else []
    if data.get("flags"):
        words.append("nopromisc")
    return words


def refused(have: MacvlanConfig | None, want: MacvlanConfig) -> list[str]:
    """macvlan_changelink() refuses a mode change into or out of passthru (EINVAL, no
    message)."""
    if have is None or want.mode is None or want.mode == have.mode:
        return []
    return ["mode"] if "passthru" in (want.mode, have.mode) else []


# macvlan_changelink() changes mode and flags; IFLA_LINK of an existing link is silently
# ignored: the base is fixed at creation.
_IMMUTABLE = ("base-iface",)
MACVLAN_SECTION = Section({"macvlan": "mac-vlan"}, "mac-vlan", MacvlanConfig, _observe,
                          to_kernel, base_link=True, immutable=_IMMUTABLE, refused=refused,
                          ip_words=ip_words)
MACVTAP_SECTION = Section({"macvtap": "mac-vtap"}, "mac-vtap", MacvlanConfig, _observe,
                          to_kernel, base_link=True, immutable=_IMMUTABLE, refused=refused,
                          ip_words=ip_words)
