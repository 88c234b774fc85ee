"""bridge: software bridges (IFLA_BR_*, rt-link.yaml) and their ports (IFLA_BRPORT_*).

Times (forward-delay, hello-time, max-age, ageing-time, the mcast intervals, the timers) are
clock_t, i.e. centiseconds: `ip link ... forward_delay 4` sends 400.

Deviations from the spec, for what the kernel puts on the wire:
- IFLA_BR_VLAN_PROTOCOL is a __be16 (the spec says host-order u16).
- struct ifla_bridge_id (root-id, bridge-id) is {__u8 prio[2]; __u8 addr[6]}: prio is in
  network order; it decodes to {"prio": int, "addr": "aa:bb:.."}.
- The port's on/off settings (mode, guard, protect, fast-leave, learning, unicast-flood,
  proxyarp, ..., neigh-vlan-suppress) are u8 0/1 both ways (br_port_policy, nla_put_u8);
  the spec calls them flags, which would read a 0 as "on". Only flush is a flag.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from nlstate.netlink.codec import Attr, Attrs, AttrSet, Member, Struct, encode_mac
from nlstate.netlink.errors import DecodeError, EncodeError
from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import U16, U32, InterfaceName, MacAddress, VlanId

from .section import (
    KernelData,
    ObservedLink,
    ObservedPort,
    Resolver,
    Section,
    centiseconds,
    flag,
    given,
    seconds,
    u8_flag,
    words_of,
)

KIND = "bridge"

# IFLA_BR_STP_STATE
STP_STATES = {0: "off", 1: "kernel", 2: "user"}
# IFLA_BRPORT_STATE (BR_STATE_*)
PORT_STATES = {0: "disabled", 1: "listening", 2: "learning", 3: "forwarding", 4: "blocking"}
# IFLA_BR_MCAST_ROUTER / IFLA_BRPORT_MULTICAST_ROUTER (enum multicast_router)
MCAST_ROUTER = {0: "disabled", 1: "temp-query", 2: "perm", 3: "temp"}
# br_boolopt_id: bit numbers in IFLA_BR_MULTI_BOOLOPT
BR_BOOLOPT_NO_LL_LEARN = 0
BR_BOOLOPT_MCAST_VLAN_SNOOPING = 1
BR_BOOLOPT_MST_ENABLE = 2

_BRIDGE_ID = struct.Struct(">H6s")


def _decode_bridge_id(payload: bytes, _: Attrs) -> dict[str, Any]:
    if len(payload) != _BRIDGE_ID.size:
        raise DecodeError(f"ifla_bridge_id of {len(payload)} bytes")
    prio, addr = _BRIDGE_ID.unpack(payload)
    return {"prio": prio, "addr": addr.hex(":")}


def _encode_bridge_id(value: Mapping[str, Any], _: object) -> bytes:
    if set(value) - {"prio", "addr"}:
        raise EncodeError(f"ifla_bridge_id: no member(s) {sorted(set(value) - {'prio', 'addr'})}")
    return _BRIDGE_ID.pack(value.get("prio", 0), encode_mac(value.get("addr", "00:" * 5 + "00")))


def _bridge_id(name: str) -> Attr:
    return Attr(name, "custom", decode_fn=_decode_bridge_id, encode_fn=_encode_bridge_id)


BR_BOOLOPT_MULTI = Struct("br-boolopt-multi", [
    Member("optval", "u32"),
    Member("optmask", "u32"),
])

DATA = AttrSet("linkinfo-bridge-attrs", "ifla-br-", [
    Attr("forward-delay", "u32"),
    Attr("hello-time", "u32"),
    Attr("max-age", "u32"),
    Attr("ageing-time", "u32"),
    Attr("stp-state", "u32"),
    Attr("priority", "u16"),
    Attr("vlan-filtering", "u8"),
    Attr("vlan-protocol", "u16", byte_order="big"),
    Attr("group-fwd-mask", "u16"),
    _bridge_id("root-id"),
    _bridge_id("bridge-id"),
    Attr("root-port", "u16"),
    Attr("root-path-cost", "u32"),
    Attr("topology-change", "u8"),
    Attr("topology-change-detected", "u8"),
    Attr("hello-timer", "u64"),
    Attr("tcn-timer", "u64"),
    Attr("topology-change-timer", "u64"),
    Attr("gc-timer", "u64"),
    Attr("group-addr", "mac"),
    Attr("fdb-flush", "binary"),
    Attr("mcast-router", "u8"),
    Attr("mcast-snooping", "u8"),
    Attr("mcast-query-use-ifaddr", "u8"),
    Attr("mcast-querier", "u8"),
    Attr("mcast-hash-elasticity", "u32"),
    Attr("mcast-hash-max", "u32"),
    Attr("mcast-last-member-cnt", "u32"),
    Attr("mcast-startup-query-cnt", "u32"),
    Attr("mcast-last-member-intvl", "u64"),
    Attr("mcast-membership-intvl", "u64"),
    Attr("mcast-querier-intvl", "u64"),
    Attr("mcast-query-intvl", "u64"),
    Attr("mcast-query-response-intvl", "u64"),
    Attr("mcast-startup-query-intvl", "u64"),
    Attr("nf-call-iptables", "u8"),
    Attr("nf-call-ip6tables", "u8"),
    Attr("nf-call-arptables", "u8"),
    Attr("vlan-default-pvid", "u16"),
    Attr("pad", "pad"),
    Attr("vlan-stats-enabled", "u8"),
    Attr("mcast-stats-enabled", "u8"),
    Attr("mcast-igmp-version", "u8"),
    Attr("mcast-mld-version", "u8"),
    Attr("vlan-stats-per-port", "u8"),
    Attr("multi-boolopt", "struct", struct=BR_BOOLOPT_MULTI),
    Attr("mcast-querier-state", "binary"),  # a nest of BRIDGE_QUERIER_*, kept as bytes
    Attr("fdb-n-learned", "u32"),
    Attr("fdb-max-learned", "u32"),
])

PORT_DATA = AttrSet("linkinfo-brport-attrs", "ifla-brport-", [
    Attr("state", "u8"),
    Attr("priority", "u16"),
    Attr("cost", "u32"),
    Attr("mode", "u8"),
    Attr("guard", "u8"),
    Attr("protect", "u8"),
    Attr("fast-leave", "u8"),
    Attr("learning", "u8"),
    Attr("unicast-flood", "u8"),
    Attr("proxyarp", "u8"),
    Attr("learning-sync", "u8"),
    Attr("proxyarp-wifi", "u8"),
    _bridge_id("root-id"),
    _bridge_id("bridge-id"),
    Attr("designated-port", "u16"),
    Attr("designated-cost", "u16"),
    Attr("id", "u16"),
    Attr("no", "u16"),
    Attr("topology-change-ack", "u8"),
    Attr("config-pending", "u8"),
    Attr("message-age-timer", "u64"),
    Attr("forward-delay-timer", "u64"),
    Attr("hold-timer", "u64"),
    Attr("flush", "flag"),
    Attr("multicast-router", "u8"),
    Attr("pad", "pad"),
    Attr("mcast-flood", "u8"),
    Attr("mcast-to-ucast", "u8"),
    Attr("vlan-tunnel", "u8"),
    Attr("bcast-flood", "u8"),
    Attr("group-fwd-mask", "u16"),
    Attr("neigh-suppress", "u8"),
    Attr("isolated", "u8"),
    Attr("backup-port", "u32"),
    Attr("mrp-ring-open", "u8"),
    Attr("mrp-in-open", "u8"),
    Attr("mcast-eht-hosts-limit", "u32"),
    Attr("mcast-eht-hosts-cnt", "u32"),
    Attr("locked", "u8"),
    Attr("mab", "u8"),
    Attr("mcast-n-groups", "u32"),
    Attr("mcast-max-groups", "u32"),
    Attr("neigh-vlan-suppress", "u8"),
    Attr("backup-nhid", "u32"),
])


VLAN_PROTOCOLS = {0x8100: "802.1q", 0x88A8: "802.1ad"}


class BridgeStpOptions(FileModel):
    """Spanning tree (times in seconds, as nmstate; the kernel counts 1/100 s)."""

    enabled: bool | None = Field(None, description="Run STP (IFLA_BR_STP_STATE).")
    forward_delay: Annotated[int, Field(ge=2, le=30)] | None = Field(
        None, description="Forward delay in seconds (2-30).")
    hello_time: Annotated[int, Field(ge=1, le=10)] | None = Field(
        None, description="Hello time in seconds (1-10).")
    max_age: Annotated[int, Field(ge=6, le=40)] | None = Field(
        None, description="Max message age in seconds (6-40).")
    priority: U16 | None = Field(None, description="Bridge priority (0-65535).")


class BridgeOptions(FileModel):
    """`bridge.options:` bridge-wide settings."""

    stp: BridgeStpOptions | None = Field(None, description="Spanning tree.")
    mac_ageing_time: U32 | None = Field(
        None, description="Seconds a learned MAC address is kept (IFLA_BR_AGEING_TIME).")
    group_forward_mask: U16 | None = Field(
        None, description="Link-local group addresses to forward (IFLA_BR_GROUP_FWD_MASK).")
    group_addr: MacAddress | None = Field(None, description="STP group address.")
    hash_max: U32 | None = Field(None, description="Multicast database size.")
    multicast_snooping: bool | None = Field(None, description="IGMP/MLD snooping.")
    multicast_querier: bool | None = Field(None, description="Act as multicast querier.")
    vlan_protocol: Literal["802.1q", "802.1ad"] | None = Field(
        None, description="VLAN protocol used for VLAN filtering.")


class VlanRange(FileModel):
    """An inclusive range of VLAN ids."""

    min: VlanId = Field(description="First VLAN id of the range (1-4094).")
    max: VlanId = Field(description="Last VLAN id of the range (1-4094), at least min.")

    @model_validator(mode="after")
    def _ordered(self) -> VlanRange:
        check(type(self).__name__, [
            Finding(("max",), f"max {self.max} is less than min {self.min}; a range runs "
                    "from min up to max", self.max),
        ] if self.max < self.min else [])
        return self


class TrunkTag(FileModel):
    """One VLAN (id) or a range of VLANs (id-range) a trunk port carries tagged."""

    id: VlanId | None = Field(None, description="A VLAN id (1-4094).")
    id_range: VlanRange | None = Field(None, description="A range of VLAN ids.")

    @model_validator(mode="after")
    def _one_of(self) -> TrunkTag:
        if (self.id is None) == (self.id_range is None):
            check(type(self).__name__, [Finding((), "a trunk tag is either id: N or id-range: "
                                                "{min: N, max: M}, exactly one of them")])
        return self


class BridgePortVlan(FileModel):
    """VLAN filtering on a bridge port (AF_BRIDGE IFLA_BRIDGE_VLAN_INFO): an access port in
    one VLAN, or a trunk carrying tagged VLANs (and optionally one native, untagged VLAN)."""

    mode: Literal["access", "trunk"] | None = Field(
        None, description="access: untagged frames of one VLAN (tag); trunk: the VLANs of "
                          "trunk-tags, tagged. access when not given.")
    tag: VlanId | None = Field(
        None, description="access: the port's VLAN; trunk with enable-native: the native "
                          "VLAN, sent untagged.")
    enable_native: bool | None = Field(
        None, description="trunk: also carry the VLAN of tag, untagged (the native VLAN).")
    trunk_tags: list[TrunkTag] | None = Field(
        None, description="trunk: the VLANs carried tagged.")

    @model_validator(mode="after")
    def _fits_mode(self) -> BridgePortVlan:
        findings: list[Finding] = []
        if self.mode == "trunk":
            if not self.trunk_tags:
                findings.append(Finding(("trunk-tags",), "a trunk port needs trunk-tags (the "
                                        "VLANs it carries tagged)", self.trunk_tags))
            if self.enable_native and self.tag is None:
                findings.append(Finding(("tag",), "enable-native needs tag: the native VLAN "
                                        "to carry untagged"))
        else:
            if self.mode == "access" and self.tag is None:
                findings.append(Finding(("tag",), "an access port needs tag: the VLAN it is "
                                        "in"))
            if self.trunk_tags is not None:
                findings.append(Finding(("trunk-tags",), "trunk-tags are for mode: trunk; an "
                                        "access port carries only the VLAN of tag",
                                        self.trunk_tags))
            if self.enable_native is not None:
                findings.append(Finding(("enable-native",), "enable-native is for mode: "
                                        "trunk; an access port's VLAN is untagged anyway",
                                        self.enable_native))
        check(type(self).__name__, findings)
        return self


class BridgePort(FileModel):
    """A port of the bridge, with its STP settings."""

    name: InterfaceName = Field(description="The port's interface name.")
    stp_hairpin_mode: bool | None = Field(
        None, description="Send frames back out the port they came in on (hairpin).")
    stp_path_cost: U32 | None = Field(None, description="STP path cost of the port.")
    stp_priority: Annotated[int, Field(ge=0, le=63)] | None = Field(
        None, description="STP port priority (0-63).")
    vlan: BridgePortVlan | None = Field(
        None, description="VLAN filtering on this port (access or trunk).")


class BridgeConfig(FileModel):
    """`bridge:` (type linux-bridge) options and the complete list of ports."""

    options: BridgeOptions | None = Field(None, description="Bridge-wide settings.")
    port: list[BridgePort] | None = Field(
        None, description="The complete list of ports; links not listed are released.")


# the IFLA_BR_* and IFLA_BRPORT_* attributes _observe and _observe_port read: observe
# decodes no others (tests hold these lists to what the two functions read)
OBSERVED_DATA = ("stp-state", "forward-delay", "hello-time", "max-age", "priority",
                 "ageing-time", "group-fwd-mask", "group-addr", "mcast-hash-max",
                 "mcast-snooping", "mcast-querier", "vlan-protocol")
OBSERVED_PORT_DATA = ("mode", "cost", "priority")


def _observe(link: ObservedLink) -> dict[str, Any]:
    data = link.data
    stp = {
        "enabled": flag(data.get("stp-state")),
        "forward-delay": seconds(data.get("forward-delay")),
        "hello-time": seconds(data.get("hello-time")),
        "max-age": seconds(data.get("max-age")),
        "priority": data.get("priority"),
    }
    options = {
        "stp": {k: v for k, v in stp.items() if v is not None},
        "mac-ageing-time": seconds(data.get("ageing-time")),
        "group-forward-mask": data.get("group-fwd-mask"),
        "group-addr": data.get("group-addr"),
        "hash-max": data.get("mcast-hash-max"),
        "multicast-snooping": flag(data.get("mcast-snooping")),
        "multicast-querier": flag(data.get("mcast-querier")),
        "vlan-protocol": VLAN_PROTOCOLS.get(data.get("vlan-protocol", -1)),
    }
    return {
        "options": {k: v for k, v in options.items() if v is not None},
        "port": [_observe_port(port) for port in link.ports],
    }


def _observe_port(port: ObservedPort) -> dict[str, Any]:
    entry = {
        "name": port.name,
        "stp-hairpin-mode": flag(port.data.get("mode")),
        "stp-path-cost": port.data.get("cost"),
        "stp-priority": port.data.get("priority"),
    }
    return {k: v for k, v in entry.items() if v is not None}


VLAN_PROTOCOL_NUMBERS = {name: number for number, name in VLAN_PROTOCOLS.items()}


def to_kernel(section: BridgeConfig, _: Resolver) -> KernelData:
    """IFLA_BR_* of the options said (times in 1/100 s); every one can change in place."""
    options = section.options or BridgeOptions.model_validate({})
    stp = options.stp or BridgeStpOptions.model_validate({})
    protocol = options.vlan_protocol
    return given({
        "forward-delay": centiseconds(stp.forward_delay),
        "hello-time": centiseconds(stp.hello_time),
        "max-age": centiseconds(stp.max_age),
        "ageing-time": centiseconds(options.mac_ageing_time),
        "stp-state": u8_flag(stp.enabled),
        "priority": stp.priority,
        "group-fwd-mask": options.group_forward_mask,
        "group-addr": options.group_addr,
        "mcast-hash-max": options.hash_max,
        "mcast-snooping": u8_flag(options.multicast_snooping),
        "mcast-querier": u8_flag(options.multicast_querier),
        "vlan-protocol": VLAN_PROTOCOL_NUMBERS[protocol] if protocol else None,
    })


def port_data(section: BridgeConfig) -> dict[str, KernelData] | None:
    """IFLA_BRPORT_* of each port listed (hairpin, cost, priority)."""
    if section.port is None:
        return None
    return {port.name: given({"mode": u8_flag(port.stp_hairpin_mode),
                              "cost": port.stp_path_cost, "priority": port.stp_priority})
            for port in section.port}


IP_WORDS = {
    "forward-delay": "forward_delay", "hello-time": "hello_time", "max-age": "max_age",
    "ageing-time": "ageing_time", "stp-state": "stp_state", "priority": "priority",
    "group-fwd-mask": "group_fwd_mask", "group-addr": "group_address",
    "mcast-hash-max": "mcast_hash_max", "mcast-snooping": "mcast_snooping",
    "mcast-querier": "mcast_querier", "vlan-protocol": "vlan_protocol",
}  # fmt: skip
PORT_IP_WORDS = {"mode": "hairpin", "cost": "cost", "priority": "priority"}


def _show(key: str, value: Any) -> str:
    if key == "vlan-protocol":
        return VLAN_PROTOCOLS[value]
    if key == "mode":
        return "on" if value else "off"
    return str(value).lower() if key == "group-addr" else str(value)


def ip_words(_: BridgeConfig, data: KernelData) -> list[str]:
    """`type bridge` arguments; ip takes the times in 1/100 s, as the kernel."""
    return words_of(data, IP_WORDS, _show)


def port_words(data: KernelData) -> list[str]:
    return words_of(data, PORT_IP_WORDS, _show)


SECTION = Section({KIND: "linux-bridge"}, "bridge", BridgeConfig, _observe, to_kernel,
                  port_data, ip_words=ip_words, port_words=port_words, mtu_follows_ports=True)
