"""`nexthops: {config: [...]}` (nlstate's): nexthop objects and groups (RTM_NEWNEXTHOP)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nlstate.values.base import FileModel
from nlstate.values.types import Absent, Family, InterfaceName, IPAddress, Protocol

from .records import Nexthop, NexthopMember

NexthopId = Annotated[int, Field(ge=1, le=0xFFFFFFFF)]


class NexthopMemberConfig(FileModel):
    """A member of a nexthop group."""

    id: NexthopId = Field(description="Id of the member nexthop.")
    weight: Annotated[int, Field(ge=1, le=65536)] = Field(
        1, description="Relative weight of this member (1-65536).")


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

    def record(self) -> Nexthop:
        values = {name: getattr(self, name) for name in Nexthop._fields}
        if self.group is not None:
            values["group"] = tuple(NexthopMember(m.id, m.weight) for m in self.group)
        if self.group_type == "mpath":
            values["group_type"] = None
        return Nexthop(**values)
