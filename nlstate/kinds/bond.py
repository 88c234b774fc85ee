"""bond: link aggregation (IFLA_BOND_*, rt-link.yaml) and its ports (IFLA_BOND_SLAVE_*).

arp-ip-target and ns-ip6-target are indexed arrays of addresses (ipaddr entries; the spec
says be32 / 16-byte binary). IFLA_BOND_SLAVE_PRIO is an s32 as in the kernel's policy (the
spec says u32). broadcast-neigh (bond) and actor-port-prio (port) are newer than the spec.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, model_validator

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import S32, U16, U32, InterfaceName, IPAddress

from .section import (
    KernelData,
    ObservedLink,
    ObservedPort,
    Resolver,
    Section,
    flag,
    given,
    u8_flag,
    words_of,
)

KIND = "bond"

MODES = {0: "balance-rr", 1: "active-backup", 2: "balance-xor", 3: "broadcast", 4: "802.3ad",
         5: "balance-tlb", 6: "balance-alb"}
XMIT_HASH_POLICIES = {0: "layer2", 1: "layer3+4", 2: "layer2+3", 3: "encap2+3", 4: "encap3+4",
                      5: "vlan+srcmac"}
ARP_VALIDATE = {0: "none", 1: "active", 2: "backup", 3: "all", 4: "filter",
                5: "filter_active", 6: "filter_backup"}
ARP_ALL_TARGETS = {0: "any", 1: "all"}
PRIMARY_RESELECT = {0: "always", 1: "better", 2: "failure"}
FAIL_OVER_MAC = {0: "none", 1: "active", 2: "follow"}
AD_LACP_RATE = {0: "slow", 1: "fast"}
AD_SELECT = {0: "stable", 1: "bandwidth", 2: "count", 3: "actor_port_prio"}
# IFLA_BOND_SLAVE_STATE / IFLA_BOND_SLAVE_MII_STATUS
PORT_STATES = {0: "active", 1: "backup"}
MII_STATUS = {0: "up", 1: "fail", 2: "down", 3: "back"}

AD_INFO_ATTRS = AttrSet("bond-ad-info-attrs", "ifla-bond-ad-info-", [
    Attr("aggregator", "u16"),
    Attr("num-ports", "u16"),
    Attr("actor-key", "u16"),
    Attr("partner-key", "u16"),
    Attr("partner-mac", "mac"),
])

DATA = AttrSet("linkinfo-bond-attrs", "ifla-bond-", [
    Attr("mode", "u8"),
    Attr("active-slave", "u32"),
    Attr("miimon", "u32"),
    Attr("updelay", "u32"),
    Attr("downdelay", "u32"),
    Attr("use-carrier", "u8"),
    Attr("arp-interval", "u32"),
    Attr("arp-ip-target", "indexed-array", entry=Attr("target", "ipaddr")),
    Attr("arp-validate", "u32"),
    Attr("arp-all-targets", "u32"),
    Attr("primary", "u32"),
    Attr("primary-reselect", "u8"),
    Attr("fail-over-mac", "u8"),
    Attr("xmit-hash-policy", "u8"),
    Attr("resend-igmp", "u32"),
    Attr("num-peer-notif", "u8"),
    Attr("all-slaves-active", "u8"),
    Attr("min-links", "u32"),
    Attr("lp-interval", "u32"),
    Attr("packets-per-slave", "u32"),
    Attr("ad-lacp-rate", "u8"),
    Attr("ad-select", "u8"),
    Attr("ad-info", "nest", nested=AD_INFO_ATTRS),
    Attr("ad-actor-sys-prio", "u16"),
    Attr("ad-user-port-key", "u16"),
    Attr("ad-actor-system", "mac"),
    Attr("tlb-dynamic-lb", "u8"),
    Attr("peer-notif-delay", "u32"),
    Attr("ad-lacp-active", "u8"),
    Attr("missed-max", "u8"),
    Attr("ns-ip6-target", "indexed-array", entry=Attr("target", "ipaddr")),
    Attr("coupled-control", "u8"),
    Attr("broadcast-neigh", "u8"),
])

PORT_DATA = AttrSet("bond-slave-attrs", "ifla-bond-slave-", [
    Attr("state", "u8"),
    Attr("mii-status", "u8"),
    Attr("link-failure-count", "u32"),
    Attr("perm-hwaddr", "mac"),
    Attr("queue-id", "u16"),
    Attr("ad-aggregator-id", "u16"),
    Attr("ad-actor-oper-port-state", "u8"),
    Attr("ad-partner-oper-port-state", "u16"),
    Attr("prio", "s32"),
    Attr("actor-port-prio", "u16"),
])


BondMode = Literal["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad",
                   "balance-tlb", "balance-alb"]


class BondOptions(FileModel):
    """`link-aggregation.options:` in the kernel's sysfs names (as nmstate)."""

    model_config = ConfigDict(alias_generator=None)

    miimon: U32 | None = Field(None, description="MII link monitoring interval (ms).")
    updelay: U32 | None = Field(None, description="Delay before enabling a port (ms).")
    downdelay: U32 | None = Field(None, description="Delay before disabling a port (ms).")
    use_carrier: bool | None = Field(None, description="Use carrier state for MII monitoring.")
    arp_interval: U32 | None = Field(None, description="ARP monitoring interval (ms).")
    arp_ip_target: list[IPAddress] | None = Field(None, description="ARP monitoring targets.")
    primary: InterfaceName | None = Field(None, description="Preferred active port.")
    xmit_hash_policy: Literal["layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4",
                              "vlan+srcmac"] | None = Field(
        None, description="Transmit hash policy.")
    lacp_rate: Literal["slow", "fast"] | None = Field(None, description="802.3ad LACPDU rate.")
    ad_select: Literal["stable", "bandwidth", "count", "actor_port_prio"] | None = Field(
        None, description="802.3ad aggregator selection.")
    min_links: U32 | None = Field(None, description="Minimum active ports for carrier.")
    all_slaves_active: bool | None = Field(None, description="Deliver duplicate frames.")


class BondPortConfig(FileModel):
    """Per-port settings of a bond port (IFLA_INFO_SLAVE_DATA of the port)."""

    name: InterfaceName = Field(description="The port's interface name.")
    queue_id: U16 | None = Field(
        None, description="Transmit queue of the port (IFLA_BOND_SLAVE_QUEUE_ID).")
    priority: S32 | None = Field(
        None, description="Priority of the port for the active-backup choice "
                          "(IFLA_BOND_SLAVE_PRIO); may be negative.")


class BondConfig(FileModel):
    """`link-aggregation:` (type bond) mode, options and the complete list of ports."""

    mode: BondMode | None = Field(None, description="Bonding mode.")
    options: BondOptions | None = Field(None, description="Bonding options.")
    port: list[InterfaceName] | None = Field(
        None, description="The complete list of ports; links not listed are released.")
    ports_config: list[BondPortConfig] | None = Field(
        None, description="Per-port settings (queue-id, priority) of some or all ports.")

    @model_validator(mode="after")
    def _ports_config_names_ports(self) -> BondConfig:
        findings: list[Finding] = []
        seen: set[str] = set()
        for index, entry in enumerate(self.ports_config or ()):
            where = ("ports-config", index, "name")
            if entry.name in seen:
                findings.append(Finding(where, f"{entry.name} has two entries in ports-config; "
                                        "give each port once", entry.name))
            elif self.port is not None and entry.name not in self.port:
                findings.append(Finding(where, f"{entry.name} is in ports-config but not in "
                                        f"port ({', '.join(self.port) or 'empty'}); add it to "
                                        "port or remove its settings", entry.name))
            seen.add(entry.name)
        check(type(self).__name__, findings)
        return self


def _observe(link: ObservedLink) -> dict[str, Any]:
    data = link.data
    options = {
        "miimon": data.get("miimon"),
        "updelay": data.get("updelay"),
        "downdelay": data.get("downdelay"),
        "use_carrier": flag(data.get("use-carrier")),
        "arp_interval": data.get("arp-interval"),
        "arp_ip_target": data.get("arp-ip-target") or None,
        "primary": link.link_name(data.get("primary")),
        "xmit_hash_policy": XMIT_HASH_POLICIES.get(data.get("xmit-hash-policy", -1)),
        "lacp_rate": AD_LACP_RATE.get(data.get("ad-lacp-rate", -1)),
        "ad_select": AD_SELECT.get(data.get("ad-select", -1)),
        "min_links": data.get("min-links"),
        "all_slaves_active": flag(data.get("all-slaves-active")),
    }
    return {
        "mode": MODES.get(data.get("mode", -1)),
        "options": {k: v for k, v in options.items() if v is not None},
        "port": [p.name for p in link.ports],
        "ports-config": [_observe_port(port) for port in link.ports],
    }


def _observe_port(port: ObservedPort) -> dict[str, Any]:
    entry = {"name": port.name, "queue-id": port.data.get("queue-id"),
             "priority": port.data.get("prio")}
    return {k: v for k, v in entry.items() if v is not None}


def _numbers(names: dict[int, str]) -> dict[str, int]:
    return {name: number for number, name in names.items()}


MODE_NUMBERS = _numbers(MODES)
XMIT_HASH_POLICY_NUMBERS = _numbers(XMIT_HASH_POLICIES)
AD_LACP_RATE_NUMBERS = _numbers(AD_LACP_RATE)
AD_SELECT_NUMBERS = _numbers(AD_SELECT)


def to_kernel(section: BondConfig, resolve: Resolver) -> KernelData:
    """IFLA_BOND_* of the mode and options said. The kernel changes the mode only of a bond
    that is down and has no ports ("unable to set mode because interface is up")."""
    options = section.options or BondOptions.model_validate({})
    return given({
        "mode": MODE_NUMBERS[section.mode] if section.mode else None,
        "miimon": options.miimon,
        "updelay": options.updelay,
        "downdelay": options.downdelay,
        "use-carrier": u8_flag(options.use_carrier),
        "arp-interval": options.arp_interval,
        "arp-ip-target": options.arp_ip_target,
        "primary": resolve(options.primary) if options.primary is not None else None,
        "xmit-hash-policy": _number(XMIT_HASH_POLICY_NUMBERS, options.xmit_hash_policy),
        "ad-lacp-rate": _number(AD_LACP_RATE_NUMBERS, options.lacp_rate),
        "ad-select": _number(AD_SELECT_NUMBERS, options.ad_select),
        "min-links": options.min_links,
        "all-slaves-active": u8_flag(options.all_slaves_active),
    })


def _number(numbers: dict[str, int], name: str | None) -> int | None:
    return None if name is None else numbers[name]


def port_data(section: BondConfig) -> dict[str, KernelData] | None:
    """IFLA_BOND_SLAVE_QUEUE_ID / PRIO of each port listed (from ports-config)."""
    if section.port is None:
        return None
    settings = {entry.name: entry for entry in section.ports_config or ()}
    data: dict[str, KernelData] = {}
    for name in section.port:
        entry = settings.get(name)
        data[name] = {} if entry is None else given(
            {"queue-id": entry.queue_id, "prio": entry.priority})
    return data


IP_WORDS = {
    "mode": "mode", "miimon": "miimon", "updelay": "updelay", "downdelay": "downdelay",
    "use-carrier": "use_carrier", "arp-interval": "arp_interval",
    "arp-ip-target": "arp_ip_target", "xmit-hash-policy": "xmit_hash_policy",
    "ad-lacp-rate": "lacp_rate", "ad-select": "ad_select", "min-links": "min_links",
    "all-slaves-active": "all_slaves_active",
}  # fmt: skip
_NAMES = {"mode": MODES, "xmit-hash-policy": XMIT_HASH_POLICIES, "ad-lacp-rate": AD_LACP_RATE,
          "ad-select": AD_SELECT}


def _show(key: str, value: Any) -> str:
    if key in _NAMES:
        return _NAMES[key][value]
    return ",".join(value) if key == "arp-ip-target" else str(value)


def ip_words(section: BondConfig, data: KernelData) -> list[str]:
    words = words_of(data, IP_WORDS, _show)
    if "primary" in data and section.options is not None and section.options.primary:
        words += ["primary", section.options.primary]
    return words


def port_words(data: KernelData) -> list[str]:
    return words_of(data, {"queue-id": "queue_id", "prio": "prio"})


SECTION = Section({KIND: "bond"}, "link-aggregation", BondConfig, _observe, to_kernel,
                  port_data, ip_words=ip_words, port_words=port_words)
