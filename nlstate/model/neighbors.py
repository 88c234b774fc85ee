"""`neighbors: {config: [...]}` (nlstate's): static ARP/NDP entries."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName, IPAddress, MacAddress

from .records import Neighbor

NeighborState = Literal["absent", "permanent", "noarp", "reachable", "stale", "delay", "probe",
                        "failed", "incomplete", "none"]


class NeighborConfig(FileModel):
    """A static neighbour (ARP/NDP) entry."""

    destination: IPAddress = Field(description="The neighbour's IP address (NDA_DST).")
    interface: InterfaceName = Field(description="The interface it is reached on.")
    link_layer_address: MacAddress | None = Field(
        None, description="Its link-layer (MAC) address (NDA_LLADDR).")
    state: NeighborState | None = Field(
        None, description="NUD state; static entries are permanent (the default). 'absent' "
                          "removes the entry.")
    router: bool | None = Field(None, description="The neighbour is a router (IPv6).")
    proxy: bool | None = Field(None, description="A proxy ARP/NDP entry.")

    def record(self) -> Neighbor:
        state = None if self.state == "permanent" else self.state
        values = {name: getattr(self, name) for name in Neighbor._fields}
        values["state"] = state
        return Neighbor(**values)
