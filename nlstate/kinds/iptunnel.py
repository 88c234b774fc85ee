"""ip-tunnel: IP-in-IP tunnels, nmstate's type for the kernel kinds ipip (IPv4 over IPv4),
sit (IPv6 over IPv4) and ip6tnl (ip6ip6, ipip6: IPv6 or IPv4 over IPv6); IFLA_IPTUN_*.

Only the state file's section for now; the wire tables and reading the section back from
the kernel are later work.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field, model_validator

from nlstate.values import addresses
from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import U8, U32, InterfaceName, IPAddress

from .section import ObservedLink, Section

# mode -> (kernel kind, family of the outer addresses)
MODES = {"ipip": ("ipip", "ipv4"), "sit": ("sit", "ipv4"), "ip6ip6": ("ip6tnl", "ipv6"),
         "ipip6": ("ip6tnl", "ipv6")}

Ip6TunnelFlag = Literal[
    "ign-encap-limit", "use-orig-tclass", "use-orig-flowlabel", "mip6-dev", "rcv-dscp-copy",
    "use-orig-fw-mark", "allow-local-remote", "cap-xmit", "cap-rcv", "cap-per-packet",
]
IPV6_ONLY = ("flow_label", "ip6tun_flags", "encap_limit")


class IpTunnelConfig(FileModel):
    """`ip-tunnel:` (type ip-tunnel) an IP-in-IP tunnel."""

    mode: Literal["ipip", "sit", "ip6ip6", "ipip6"] = Field(
        description="ipip (IPv4 in IPv4), sit (IPv6 in IPv4), ip6ip6 (IPv6 in IPv6) or ipip6 "
                    "(IPv4 in IPv6).")
    base_iface: InterfaceName | None = Field(
        None, description="Underlay link the tunnel is bound to (IFLA_IPTUN_LINK).")
    local: IPAddress | None = Field(None, description="Local endpoint (IFLA_IPTUN_LOCAL).")
    remote: IPAddress | None = Field(None, description="Remote endpoint (IFLA_IPTUN_REMOTE).")
    ttl: U8 | None = Field(None, description="TTL / hop limit of the outer packets; 0 inherits.")
    tos: U8 | None = Field(None, description="TOS / traffic class of the outer packets.")
    flow_label: Annotated[int, Field(ge=0, le=0xFFFFF)] | None = Field(
        None, description="IPv6 flow label of the outer packets (20 bits).")
    ip6tun_flags: list[Ip6TunnelFlag] | None = Field(
        None, description="ip6tnl flags (IFLA_IPTUN_FLAGS), e.g. ign-encap-limit.")
    pmtu_disc: bool | None = Field(
        None, description="Path MTU discovery on the tunnel (IFLA_IPTUN_PMTUDISC).")
    encap_limit: U8 | None = Field(
        None, description="IPv6 tunnel encapsulation limit (IFLA_IPTUN_ENCAP_LIMIT).")
    fwmark: U32 | None = Field(None, description="Firewall mark of the outer packets.")

    @model_validator(mode="after")
    def _family_fits_mode(self) -> IpTunnelConfig:
        family = MODES[self.mode][1]
        findings = [
            Finding((key,), f"{key} {value} is not an {family} address, which mode {self.mode} "
                    f"needs for the outer packets", value)
            for key, value in (("local", self.local), ("remote", self.remote))
            if value is not None and addresses.is_ipv6(value) != (family == "ipv6")
        ]
        if family == "ipv4":
            findings += [
                Finding((name.replace("_", "-"),), f"{name.replace('_', '-')} is for IPv6 "
                        f"tunnels (ip6ip6, ipip6), not mode {self.mode}", getattr(self, name))
                for name in IPV6_ONLY if getattr(self, name) is not None
            ]
        check(type(self).__name__, findings)
        return self


def _observe(link: ObservedLink) -> dict[str, Any]:
    return {}  # the ipip/sit/ip6tnl wire tables are later work


SECTION = Section({"ipip": "ip-tunnel", "sit": "ip-tunnel", "ip6tnl": "ip-tunnel"},
                  "ip-tunnel", IpTunnelConfig, _observe)
