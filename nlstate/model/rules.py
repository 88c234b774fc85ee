"""`route-rules: {config: [...]}`: policy routing rules (FRA_*), nmstate's keys plus more."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nlstate.values.base import FileModel
from nlstate.values.types import U8, U32, Absent, Family, InterfaceName, IPPrefix, Protocol, TableId

from .records import RouteRule

RuleAction = Literal["blackhole", "unreachable", "prohibit", "goto", "nop"]
PortRange = str


class RouteRuleConfig(FileModel):
    """One policy routing rule."""

    family: Family | None = Field(
        None, description="ipv4 or ipv6; needed when neither ip-from nor ip-to says it.")
    priority: U32 | None = Field(
        None, description="Rule priority (FRA_PRIORITY); lower is consulted first.")
    ip_from: IPPrefix | None = Field(None, description="Source prefix to match (FRA_SRC).")
    ip_to: IPPrefix | None = Field(None, description="Destination prefix to match (FRA_DST).")
    route_table: TableId | None = Field(
        None, description="Table to look up (FRA_TABLE); 254 is main.")
    fwmark: U32 | None = Field(None, description="Firewall mark to match (FRA_FWMARK).")
    fwmask: U32 | None = Field(None, description="Mask applied to fwmark (FRA_FWMASK).")
    iif: InterfaceName | None = Field(None, description="Incoming interface (FRA_IIFNAME).")
    oif: InterfaceName | None = Field(None, description="Outgoing interface (FRA_OIFNAME).")
    action: RuleAction | None = Field(
        None, description="What the rule does when it is not a table lookup.")
    suppress_prefix_length: U32 | None = Field(
        None, description="Reject lookup results with a prefix this long or shorter.")
    suppress_ifgroup: U32 | None = Field(
        None, description="Reject lookup results whose device is in this group.")
    tos: U8 | None = Field(None, description="Type of service to match.")
    goto: U32 | None = Field(None, description="Priority of the rule to jump to (goto).")
    l3mdev: bool | None = Field(None, description="Look up the table of the VRF (FRA_L3MDEV).")
    protocol: Protocol | None = Field(None, description="Who owns the rule (FRA_PROTOCOL).")
    ip_proto: U8 | None = Field(None, description="IP protocol number to match.")
    sport: PortRange | None = Field(None, description="Source port or range 'N-M'.")
    dport: PortRange | None = Field(None, description="Destination port or range 'N-M'.")
    uid_range: str | None = Field(None, description="User id range 'N-M' (FRA_UID_RANGE).")
    invert: bool | None = Field(None, description="Match when the selectors do not match.")
    state: Absent | None = Field(
        None, description="'absent' removes the matching rules; keys left out are wildcards.")

    def record(self) -> RouteRule:
        return RouteRule(**{name: getattr(self, name) for name in RouteRule._fields})
