"""vrf: an L3 master device bound to a routing table (IFLA_VRF_*, rt-link.yaml); its ports
report their table in IFLA_INFO_SLAVE_DATA (IFLA_VRF_PORT_*, <linux/if_link.h>)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName, TableId

from .section import ObservedLink, Section

KIND = "vrf"

DATA = AttrSet("linkinfo-vrf-attrs", "ifla-vrf-", [
    Attr("table", "u32"),
])

PORT_DATA = AttrSet("linkinfo-vrf-port-attrs", "ifla-vrf-port-", [
    Attr("table", "u32"),
])


class VrfConfig(FileModel):
    """`vrf:` an L3 master device bound to a routing table."""

    route_table_id: TableId = Field(
        description="The routing table of the VRF (IFLA_VRF_TABLE), 1-4294967295.")
    port: list[InterfaceName] | None = Field(
        None, description="The complete list of links enslaved to the VRF.")


def _observe(link: ObservedLink) -> dict[str, Any]:
    return {"route-table-id": link.data.get("table"), "port": [p.name for p in link.ports]}


SECTION = Section({KIND: "vrf"}, "vrf", VrfConfig, _observe)
