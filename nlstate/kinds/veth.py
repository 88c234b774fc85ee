"""veth: a pair of virtual Ethernet links (<linux/veth.h>).

IFLA_INFO_DATA holds VETH_INFO_PEER, whose payload is a whole link description of the peer:
an ifinfomsg followed by IFLA_* attributes. It decodes to {"header": {...}, "attrs": {...}}.
The kernel sends no IFLA_INFO_DATA for veth in dumps; the peer is found via IFLA_LINK.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import Field

from nlstate.netlink.codec import Attr, Attrs, AttrSet, decode_attrs
from nlstate.netlink.consts import align
from nlstate.rtnl.link import IFINFOMSG, LINK_ATTRS
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName

from .section import KernelData, ObservedLink, Resolver, Section

KIND = "veth"


def _decode_peer(payload: bytes, _: Attrs) -> dict[str, Any]:
    header = IFINFOMSG.decode(payload)
    return {"header": header,
            "attrs": decode_attrs(payload, align(IFINFOMSG.size), len(payload), LINK_ATTRS)}


def _encode_peer(value: Mapping[str, Any], _: object) -> bytes:
    head = IFINFOMSG.encode(value.get("header"))
    return head + b"\0" * (align(len(head)) - len(head)) + LINK_ATTRS.encode(
        value.get("attrs", {}))


DATA = AttrSet("linkinfo-veth-attrs", "veth-info-", [
    Attr("peer", "custom", decode_fn=_decode_peer, encode_fn=_encode_peer),
])


class VethConfig(FileModel):
    """`veth:` the other end of the pair."""

    peer: InterfaceName = Field(description="Name of the peer link (created with this one).")


def _observe(link: ObservedLink) -> dict[str, Any]:
    peer = link.link_name(link.attrs.get("link"))
    return {"peer": peer} if peer else {}


def to_kernel(section: VethConfig, _: Resolver) -> KernelData:
    """VETH_INFO_PEER: the peer as a link description (its name; the kernel does the rest)."""
    return {"peer": {"header": {}, "attrs": {"ifname": section.peer}}}


# veth has no changelink: the peer is chosen once, on creation
def ip_words(section: VethConfig, _: KernelData) -> list[str]:
    return ["peer", "name", section.peer]


SECTION = Section({KIND: "veth"}, "veth", VethConfig, _observe, to_kernel,
                  immutable=("peer",), changeable=False, ip_words=ip_words)
