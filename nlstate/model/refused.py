"""Keys and values that belong to NetworkManager, Open vSwitch or other daemons, not to the
kernel's rtnetlink: refused with a message that names the key and says why, never ignored.

The refusals are data (REFUSALS); StateFile's validator hands pydantic's errors to
`explain`, which replaces the generic "Extra inputs are not permitted" / "Input should be
..." of a refused key or value with the refusal, at the same location. An interface whose
type is refused (type: ovs-bridge) is refused as a whole: the other errors inside it (keys
of an OVS bridge that a linux-bridge lacks) are left out, since they would only add noise.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic_core import ErrorDetails, InitErrorDetails, PydanticCustomError, core_schema

from nlstate.values.errors import REFUSED, Loc

ANY: Any = object()  # a key refused whatever its value

_RTNL = "nlstate speaks rtnetlink only"


@dataclass(frozen=True)
class Refusal:
    """A refused key (or a key's refused value), why, and what to use instead.

    key: the key, or a prefix pattern ending in '*' ("dhcp-*").
    value: only this value is refused (dhcp: true); ANY refuses the key itself.
    under: only as a child of this key (ethernet.sr-iov).
    """

    key: str
    reason: str
    value: Any = ANY
    under: str | None = None

    def matches(self, key: str, parent: str | None) -> bool:
        if self.under is not None and self.under != parent:
            return False
        if self.key.endswith("*"):
            return key.startswith(self.key[:-1])
        return key == self.key

    def message(self, key: str) -> str:
        if self.value is ANY:
            return f"{key}: {self.reason}"
        return f"{key}: {_yaml(self.value)}: {self.reason}"


def _yaml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


REFUSALS: tuple[Refusal, ...] = (
    # top level
    Refusal("dns-resolver", f"DNS is outside what nlstate manages ({_RTNL}; use "
            "systemd-resolved or NetworkManager)"),
    Refusal("hostname", f"the host name is outside what nlstate manages ({_RTNL}; use "
            "hostnamectl or NetworkManager)"),
    Refusal("ovs-db", f"the Open vSwitch database is outside what nlstate manages ({_RTNL}; "
            "use ovs-vsctl or nmstate)"),
    Refusal("ovsdb", f"the Open vSwitch database is outside what nlstate manages ({_RTNL}; "
            "use ovs-vsctl or nmstate)"),
    Refusal("user-defined", "NetworkManager's user-defined interface types (handler scripts) "
            f"are outside what nlstate manages ({_RTNL}; use NetworkManager)"),
    Refusal("capture", "nmpolicy (capture and desiredState) is not supported; give nlstate "
            "the desired state itself"),
    Refusal("desiredState", "nmpolicy (capture and desiredState) is not supported; give "
            "nlstate the desired state itself"),
    Refusal("running", "running is nmstate's report of the current state, not desired "
            "state; put what should be there under config (nlstate show prints the current "
            "state)"),
    # interfaces
    Refusal("type", f"Open vSwitch is outside what nlstate manages ({_RTNL}; use ovs-vsctl "
            "or nmstate); a kernel bridge is type linux-bridge", value="ovs-bridge"),
    Refusal("type", f"Open vSwitch is outside what nlstate manages ({_RTNL}; use ovs-vsctl "
            "or nmstate)", value="ovs-interface"),
    Refusal("type", f"IPsec (libreswan) is outside what nlstate manages ({_RTNL}; use "
            "libreswan or NetworkManager)", value="ipsec"),
    Refusal("type", "InfiniBand (IPoIB) links are outside what nlstate manages (they need "
            "InfiniBand hardware; use NetworkManager)", value="infiniband"),
    Refusal("type", "team devices need the teamd daemon, outside what nlstate manages; use "
            "type bond", value="team"),
    Refusal("profile-name", "NetworkManager profiles are outside what nlstate manages "
            f"({_RTNL}); an interface is known by its name"),
    Refusal("identifier", "matching a NetworkManager profile by MAC address is outside what "
            f"nlstate manages ({_RTNL}); an interface is known by its name"),
    Refusal("802.1x", "802.1X authentication needs wpa_supplicant, outside what nlstate "
            f"manages ({_RTNL}; use NetworkManager or wpa_supplicant)"),
    Refusal("lldp", f"LLDP needs an agent, outside what nlstate manages ({_RTNL}; use lldpd "
            "or NetworkManager)"),
    Refusal("dispatch", "NetworkManager dispatcher scripts are outside what nlstate manages "
            f"({_RTNL})"),
    Refusal("libreswan", f"IPsec (libreswan) is outside what nlstate manages ({_RTNL}; use "
            "libreswan or NetworkManager)"),
    Refusal("infiniband", "InfiniBand (IPoIB) links are outside what nlstate manages (they "
            "need InfiniBand hardware; use NetworkManager)"),
    Refusal("ethtool", "ethtool settings (offloads, rings, coalescing, pause) go over the "
            f"ethtool netlink family, outside what nlstate manages ({_RTNL}; use ethtool or "
            "NetworkManager)"),
    Refusal("ethernet", "speed, duplex and auto-negotiation are ethtool settings, outside "
            f"what nlstate manages ({_RTNL}; use ethtool or NetworkManager)"),
    Refusal("sr-iov", "SR-IOV (the number of VFs, set through sysfs, and the VFs' settings) "
            f"is outside what nlstate manages ({_RTNL}; use NetworkManager or sysfs)",
            under="ethernet"),
    Refusal("team", "team devices need the teamd daemon, outside what nlstate manages; use "
            "a bond (link-aggregation)"),
    Refusal("wait-ip", "wait-ip is a NetworkManager activation condition, outside what "
            f"nlstate manages ({_RTNL}); nlstate sets static addresses"),
    Refusal("driver", "the driver is reported by nmstate and cannot be set; nlstate neither "
            "reports nor sets it"),
    Refusal("patch", f"OVS patch ports are outside what nlstate manages ({_RTNL}; use "
            "ovs-vsctl or nmstate); a veth pair joins two kernel bridges"),
    Refusal("dpdk", f"DPDK ports belong to Open vSwitch, outside what nlstate manages "
            f"({_RTNL})"),
    # ipv4 / ipv6
    Refusal("dhcp", f"DHCP is outside what nlstate manages ({_RTNL}; run a DHCP client such "
            "as systemd-networkd or NetworkManager); dhcp: false (static addresses) is "
            "accepted", value=True),
    Refusal("autoconf", "IPv6 autoconfiguration by a daemon is outside what nlstate manages "
            f"({_RTNL}; the kernel's accept_ra sysctl or NetworkManager do it); autoconf: "
            "false (static addresses) is accepted", value=True),
    Refusal("auto-dns", "DNS learnt from DHCP or router advertisements is outside what "
            f"nlstate manages ({_RTNL}; use systemd-resolved or NetworkManager)"),
    Refusal("auto-*", "settings of DHCP and autoconfiguration are outside what nlstate "
            f"manages ({_RTNL}; nlstate sets static addresses and routes)"),
    Refusal("dhcp-*", "settings of DHCP are outside what nlstate manages "
            f"({_RTNL}; run a DHCP client such as systemd-networkd or NetworkManager)"),
    # kind sections
    Refusal("mka-cak", "MACsec Key Agreement (MKA) needs wpa_supplicant, outside what "
            f"nlstate manages ({_RTNL}); nlstate creates the macsec link without MKA"),
    Refusal("mka-ckn", "MACsec Key Agreement (MKA) needs wpa_supplicant, outside what "
            f"nlstate manages ({_RTNL}); nlstate creates the macsec link without MKA"),
    Refusal("balance_slb", "balance-slb is NetworkManager's own (nftables rules on a "
            f"balance-xor bond), outside what nlstate manages ({_RTNL})"),
)

_KNOWN_TYPES = frozenset(typing.get_args(core_schema.ErrorType))


def refusal_for(loc: Loc, value: Any = ANY) -> Refusal | None:
    """The refusal of the key at `loc` (value ANY: the key is unknown to the model), or of
    the value there."""
    keys = [part for part in loc if isinstance(part, str)]
    if not keys:
        return None
    key, parent = keys[-1], keys[-2] if len(keys) > 1 else None
    for refusal in REFUSALS:
        if not refusal.matches(key, parent):
            continue
        if value is ANY and refusal.value is ANY:
            return refusal
        if value is not ANY and refusal.value is not ANY and _same(refusal.value, value):
            return refusal
    return None


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and bool(a == b)


def _refusals(error: ErrorDetails) -> list[InitErrorDetails] | None:
    loc = tuple(error["loc"])
    if error["type"] == "extra_forbidden":
        refusal = refusal_for(loc)
        if refusal is None:
            return None
        children = error["input"] if isinstance(error["input"], dict) else {}
        details = [_refused((*loc, child), found, value)
                   for child, value in children.items()
                   if isinstance(child, str)
                   and (found := refusal_for((*loc, child))) is not None
                   and found.under == loc[-1]]
        return details or [_refused(loc, refusal, error["input"])]
    if not loc or error["type"] == "missing":
        return None
    refusal = refusal_for(loc, error.get("input"))
    return None if refusal is None else [_refused(loc, refusal, error.get("input"))]


def _refused(loc: Loc, refusal: Refusal, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError(REFUSED, refusal.message(str(loc[-1]))),
                            loc=loc, input=value)


def _again(error: ErrorDetails) -> InitErrorDetails:
    """An error as pydantic reported it, ready to be raised again."""
    kind = error["type"]
    if kind not in _KNOWN_TYPES:
        return InitErrorDetails(type=PydanticCustomError(kind, error["msg"]),
                                loc=error["loc"], input=error["input"])
    details = InitErrorDetails(type=kind, loc=error["loc"], input=error["input"])
    if "ctx" in error:
        details["ctx"] = error["ctx"]
    return details


def explain(errors: Sequence[ErrorDetails]) -> list[InitErrorDetails] | None:
    """pydantic's errors with refused keys and values explained; None when none is."""
    replaced: dict[int, list[InitErrorDetails]] = {}
    whole: list[Loc] = []  # objects refused as a whole (by their type)
    for index, error in enumerate(errors):
        details = _refusals(error)
        if details is not None:
            replaced[index] = details
            if error["loc"] and error["loc"][-1] == "type":
                whole.append(tuple(error["loc"][:-1]))
    if not replaced:
        return None
    out: list[InitErrorDetails] = []
    for index, error in enumerate(errors):
        if index in replaced:
            out.extend(replaced[index])
        elif not _inside(tuple(error["loc"]), whole):
            out.append(_again(error))
    return out


def _inside(loc: Loc, objects: Iterable[Loc]) -> bool:
    return any(loc[:len(obj)] == obj for obj in objects)
