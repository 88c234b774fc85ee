"""Links and their addresses from RTM_GETLINK / RTM_GETADDR dumps."""

from __future__ import annotations

import socket
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nlstate.kinds import INTERFACE_TYPES, SECTION_BY_KIND
from nlstate.kinds.section import ObservedLink, ObservedPort
from nlstate.netlink.message import Message
from nlstate.rtnl.addr import IFA_F_NOPREFIXROUTE
from nlstate.rtnl.link import IFF_PROMISC, IFF_UP
from nlstate.values import addresses

ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772

TUN_TYPES = {1: "tun", 2: "tap"}

# IFA_PROTO values: the kernel made the address (loopback, router advertisement, link-local)
KERNEL_ADDRESS_PROTOCOLS = frozenset({1, 2, 3})


@dataclass
class LinkView:
    """One link as observed: its ifindex, decoded attributes and addresses by family."""

    index: int
    flags: int
    link_type: int
    attrs: dict[str | int, Any]
    addresses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    ports: list[LinkView] = field(default_factory=list)  # links whose controller this is

    @property
    def name(self) -> str:
        return str(self.attrs["ifname"])

    @property
    def info(self) -> dict[str | int, Any]:
        info = self.attrs.get("linkinfo")
        return info if isinstance(info, dict) else {}

    @property
    def kind(self) -> str | None:
        info = self.attrs.get("linkinfo") or {}
        kind = info.get("kind")
        return str(kind) if kind else None

    def interface_type(self) -> str:
        kind = self.kind
        if kind == "tun":
            data = (self.attrs.get("linkinfo") or {}).get("data") or {}
            tun_type = data.get("type") if isinstance(data, dict) else None
            return TUN_TYPES.get(tun_type, "tun") if isinstance(tun_type, int) else "tun"
        if kind is not None:
            return INTERFACE_TYPES.get(kind, "unknown")
        if self.link_type == ARPHRD_LOOPBACK:
            return "loopback"
        if self.link_type == ARPHRD_ETHER:
            return "ethernet"
        return "unknown"


def collect_links(links: Iterable[Message], addresses: Iterable[Message]) -> dict[int, LinkView]:
    views = {
        m.header["ifi-index"]: LinkView(m.header["ifi-index"], m.header["ifi-flags"],
                                        m.header["ifi-type"], m.attrs)
        for m in links
    }
    for port in views.values():
        controller = views.get(port.attrs.get("master") or 0)
        if controller is not None:
            controller.ports.append(port)
    for m in addresses:
        view = views.get(m.header["ifa-index"])
        if view is None:
            continue
        family = m.header["ifa-family"]
        view.addresses.setdefault(family, []).append(_address_entry(m, view))
    return views


def address_ip_and_peer(attrs: Mapping[str | int, Any]) -> tuple[str | None, str | None]:
    """An RTM_NEWADDR's address and its peer (IFA_ADDRESS, when it is not IFA_LOCAL)."""
    local, address = attrs.get("local"), attrs.get("address")
    return local or address, address if local and address and local != address else None


def _address_entry(m: Message, view: LinkView) -> dict[str, Any]:
    attrs = m.attrs
    ip, peer = address_ip_and_peer(attrs)
    entry: dict[str, Any] = {"ip": ip, "prefix-length": m.header["ifa-prefixlen"]}
    if peer:
        entry["peer"] = peer
    flags = attrs.get("flags", m.header["ifa-flags"])
    if flags & IFA_F_NOPREFIXROUTE:
        entry["noprefixroute"] = True
    entry["_kernel"] = kernel_owned_address(entry["ip"], attrs.get("proto"), view.link_type)
    return entry


def kernel_owned_address(ip: str, proto: int | None, link_type: int) -> bool:
    """Whether the kernel made the address (nlstate leaves those be)."""
    if proto in KERNEL_ADDRESS_PROTOCOLS:
        return True
    if ip.startswith("fe80:"):
        return True
    return link_type == ARPHRD_LOOPBACK and ip in ("127.0.0.1", "::1")


def _section(view: LinkView, views: dict[int, LinkView], names: dict[int, str],
             ) -> tuple[str, dict[str, Any]] | None:
    section = SECTION_BY_KIND.get(view.kind or "")
    if section is None:
        return None
    data = view.info.get("data")
    ports = [ObservedPort(port.name, port.info.get("slave-data") or {}) for port in view.ports]
    link = ObservedLink(view.name, view.attrs, data if isinstance(data, dict) else {}, ports,
                        names)
    return section.key, section.observe(link)


def interface_document(view: LinkView, views: dict[int, LinkView], names: dict[int, str],
                       include_kernel: bool) -> dict[str, Any]:
    """The interface as the file says it (validated into an Interface by the caller)."""
    attrs = view.attrs
    doc: dict[str, Any] = {
        "name": view.name,
        "type": view.interface_type(),
        "state": "up" if view.flags & IFF_UP else "down",
    }
    if "mtu" in attrs:
        doc["mtu"] = attrs["mtu"]
    if attrs.get("address") and view.link_type in (ARPHRD_ETHER, ARPHRD_LOOPBACK):
        doc["mac-address"] = addresses.mac_address(attrs["address"])
    if attrs.get("master"):
        doc["controller"] = names.get(attrs["master"], str(attrs["master"]))
    if attrs.get("ifalias"):
        doc["description"] = attrs["ifalias"]
    alt_names = (attrs.get("prop-list") or {}).get("alt-ifname")
    if alt_names:  # the kernel lists them in the order they were added; nmstate sorts them
        doc["alt-names"] = [{"name": name} for name in sorted(alt_names)]
    if view.flags & IFF_PROMISC:  # the promiscuous mode asked for (a bridge's of its
        doc["accept-all-mac-addresses"] = True  # ports is in IFLA_PROMISCUITY, not here)
    for family, key in ((socket.AF_INET, "ipv4"), (socket.AF_INET6, "ipv6")):
        present = view.addresses.get(family, [])
        entries = [{k: v for k, v in e.items() if k != "_kernel"}
                   for e in present if include_kernel or not e["_kernel"]]
        section: dict[str, Any] = {"enabled": bool(present)}
        if entries:
            section["address"] = entries
        doc[key] = section
    kind_section = _section(view, views, names)
    if kind_section is not None:
        doc[kind_section[0]] = kind_section[1]
    return doc
