"""`route-rules: {config: [...]}`: policy routing rules (FRA_*), nmstate's keys plus more."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import (
    U8,
    U32,
    U32_MAX,
    Absent,
    Family,
    InterfaceName,
    IPPrefix,
    Mark,
    Protocol,
    TableId,
)

from .records import RouteRule

RuleAction = Literal["blackhole", "unreachable", "prohibit", "goto", "nop"]


def _range(limit: int, what: str) -> AfterValidator:
    def parse(value: str | int) -> str:
        text = str(value).strip()
        start, sep, end = text.partition("-")
        try:
            low, high = int(start), int(end) if sep else int(start)
        except ValueError:
            raise ValueError(f"{what} {text!r} is not a number N nor a range N-M") from None
        if not 0 <= low <= high <= limit:
            raise ValueError(f"{what} {text!r} is out of range: N or N-M with "
                             f"0 <= N <= M <= {limit}")
        return str(low) if low == high else f"{low}-{high}"
    return AfterValidator(parse)


# "N" or "N-M", kept as the kernel's range reads back ("80", "1024-2047")
PortRange = Annotated[str | int, _range(0xFFFF, "port")]
UidRange = Annotated[str | int, _range(U32_MAX, "uid range")]


class RouteRuleConfig(FileModel):
    """One policy routing rule."""

    family: Family | None = Field(
        None, description="ipv4 or ipv6; implied by ip-from or ip-to. A rule that says "
                          "neither is an ipv4 rule (as nmstate's), except an absent one, "
                          "which then matches both families.")
    priority: U32 | None = Field(
        None, description="Rule priority (FRA_PRIORITY); lower is consulted first.")
    ip_from: IPPrefix | None = Field(None, description="Source prefix to match (FRA_SRC).")
    ip_to: IPPrefix | None = Field(None, description="Destination prefix to match (FRA_DST).")
    route_table: TableId | None = Field(
        None, description="Table to look up (FRA_TABLE), 1-4294967295; main, local and "
                          "default stand for 254, 255 and 253.")
    fwmark: Mark | None = Field(
        None, description="Firewall mark to match (FRA_FWMARK); a number or hex (0x30).")
    fwmask: Mark | None = Field(
        None, description="Mask applied to fwmark (FRA_FWMASK); a number or hex (0x10).")
    iif: InterfaceName | None = Field(None, description="Incoming interface (FRA_IIFNAME).")
    oif: InterfaceName | None = Field(None, description="Outgoing interface (FRA_OIFNAME).")
    action: RuleAction | None = Field(
        None, description="What the rule does when it is not a table lookup.")
    suppress_prefix_length: U32 | None = Field(
        None, description="Reject lookup results with a prefix this long or shorter.")
    suppress_ifgroup: U32 | None = Field(
        None, description="Reject lookup results whose device is in this group.")
    tos: U8 | None = Field(None, description="Type of service to match.")
    goto: U32 | None = Field(
        None, description="Priority of the rule to jump to (with action: goto).")
    l3mdev: bool | None = Field(None, description="Look up the table of the VRF (FRA_L3MDEV).")
    protocol: Protocol | None = Field(None, description="Who owns the rule (FRA_PROTOCOL).")
    ip_proto: U8 | None = Field(None, description="IP protocol number to match.")
    sport: PortRange | None = Field(None, description="Source port N or range 'N-M'.")
    dport: PortRange | None = Field(None, description="Destination port N or range 'N-M'.")
    uid_range: UidRange | None = Field(
        None, description="User id N or range 'N-M' (FRA_UID_RANGE).")
    invert: bool | None = Field(None, description="Match when the selectors do not match.")
    state: Absent | None = Field(
        None, description="'absent' removes the matching rules; keys left out are wildcards.")

    @model_validator(mode="after")
    def _consistent(self) -> RouteRuleConfig:
        check(type(self).__name__, [*self._family_problems(), *self._action_problems()])
        return self

    def _family_problems(self) -> list[Finding]:
        findings = []
        said = [(key, value) for key, value in (("ip-from", self.ip_from),
                                                ("ip-to", self.ip_to)) if value is not None]
        if self.family is not None:
            said.insert(0, ("family", self.family))
        first_key, first = said[0] if said else ("", "")
        first_v6 = first == "ipv6" or ":" in first
        for key, value in said[1:]:
            if (":" in value) != first_v6:
                findings.append(Finding((key,), f"{key} {value} is not of the family of "
                                        f"{first_key} ({'ipv6' if first_v6 else 'ipv4'}); a "
                                        "rule matches one family", value))
        return findings

    def _action_problems(self) -> list[Finding]:
        findings = []
        if self.goto is not None and self.action != "goto":
            findings.append(Finding(("goto",), f"goto {self.goto} needs action: goto",
                                    self.goto))
        if self.action == "goto" and self.goto is None and self.state != "absent":
            findings.append(Finding(("action",), "action goto needs goto: the priority of "
                                    "the rule to jump to", self.action))
        if self.action is not None and self.route_table is not None:
            findings.append(Finding(("route-table",), f"a rule with action {self.action} "
                                    "looks up no table; leave out route-table",
                                    self.route_table))
        if self.l3mdev and self.route_table is not None:
            findings.append(Finding(("route-table",), "l3mdev looks up the VRF's table; "
                                    "leave out route-table (the kernel refuses both)",
                                    self.route_table))
        return findings

    def effective_family(self) -> str | None:
        """The family said or implied; ipv4 for a rule that says none (nmstate's default),
        None for an absent rule that says none (it matches both)."""
        if self.family is not None:
            return self.family
        address = self.ip_from or self.ip_to
        if address is not None:
            return "ipv6" if ":" in address else "ipv4"
        return None if self.state == "absent" else "ipv4"

    def record(self) -> RouteRule:
        values = {name: getattr(self, name) for name in RouteRule._fields}
        values["family"] = self.effective_family()
        return RouteRule(**values)
