"""`nexthops: {config: [...]}` (nlstate's): nexthop objects and groups (RTM_NEWNEXTHOP)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import Absent, Family, InterfaceName, IPAddress, Protocol

from .records import Nexthop, NexthopMember

NexthopId = Annotated[int, Field(ge=1, le=0xFFFFFFFF)]


class NexthopMemberConfig(FileModel):
    """A member of a nexthop group."""

    id: NexthopId = Field(description="Id of the member nexthop.")
    weight: Annotated[int, Field(ge=1, le=65535)] = Field(
        1, description="Relative weight of this member (1-65535).")


class NexthopConfig(FileModel):
    """A nexthop object (a gateway and/or interface, a blackhole) or a group of them."""

    id: NexthopId = Field(description="Nexthop id (NHA_ID); routes refer to it by next-hop-id.")
    family: Family | None = Field(
        None, description="Address family; implied by next-hop-address when given.")
    next_hop_address: IPAddress | None = Field(None, description="Gateway (NHA_GATEWAY).")
    next_hop_interface: InterfaceName | None = Field(
        None, description="Output interface (NHA_OIF).")
    blackhole: bool | None = Field(None, description="Drop packets (NHA_BLACKHOLE).")
    onlink: bool | None = Field(None, description="Gateway is on-link (RTNH_F_ONLINK).")
    group: list[NexthopMemberConfig] | None = Field(
        None, description="Members of a group (NHA_GROUP) with weights.")
    group_type: Literal["mpath", "resilient"] | None = Field(
        None, description="Group type; mpath (hash-threshold) when not given.")
    fdb: bool | None = Field(None, description="A nexthop for the bridge FDB (NHA_FDB).")
    protocol: Protocol | None = Field(None, description="Who owns the nexthop.")
    state: Absent | None = Field(None, description="'absent' removes the nexthop.")

    @model_validator(mode="after")
    def _consistent(self) -> NexthopConfig:
        check(type(self).__name__, list(self._problems()))
        return self

    def _problems(self) -> list[Finding]:
        findings: list[Finding] = []
        address = self.next_hop_address
        if address is not None and self.family is not None and (
                (":" in address) != (self.family == "ipv6")):
            findings.append(Finding(("next-hop-address",), f"next-hop-address {address} is "
                                    f"not {self.family}", address))
        for what, given, excluded in (
                ("a group", self.group is not None,
                 ("next_hop_address", "next_hop_interface", "blackhole", "onlink")),
                ("a blackhole", bool(self.blackhole), ("next_hop_address", "onlink"))):
            if given:
                findings += [
                    Finding((name.replace("_", "-"),), f"{what} nexthop has no "
                            f"{name.replace('_', '-')}; leave it out", getattr(self, name))
                    for name in excluded if getattr(self, name) is not None
                ]
        if self.group_type is not None and self.group is None:
            findings.append(Finding(("group-type",), "group-type is for a group; give group "
                                    "(its members) or leave group-type out", self.group_type))
        seen: set[int] = set()
        for index, member in enumerate(self.group or ()):
            if member.id == self.id:
                findings.append(Finding(("group", index, "id"), f"nexthop {self.id} cannot "
                                        "be a member of itself", member.id))
            elif member.id in seen:
                findings.append(Finding(("group", index, "id"), f"nexthop {member.id} is "
                                        "listed twice in the group", member.id))
            seen.add(member.id)
        return findings

    def record(self) -> Nexthop:
        values = {name: getattr(self, name) for name in Nexthop._fields}
        if self.group is not None:
            values["group"] = tuple(NexthopMember(m.id, m.weight) for m in self.group)
        if self.group_type == "mpath":
            values["group_type"] = None
        return Nexthop(**values)
