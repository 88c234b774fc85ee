"""vrf: an L3 master device bound to a routing table (IFLA_VRF_*, rt-link.yaml); its ports
report their table in IFLA_INFO_SLAVE_DATA (IFLA_VRF_PORT_*, <linux/if_link.h>)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from nlstate.netlink.codec import Attr, AttrSet
from nlstate.values.base import FileModel
from nlstate.values.types import InterfaceName, TableId

from .section import KernelData, ObservedLink, Resolver, Section

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


def to_kernel(section: VrfConfig, _: Resolver) -> KernelData:
    return {"table": section.route_table_id}


def port_data(section: VrfConfig) -> dict[str, KernelData] | None:
    """A VRF's ports have no settings (IFLA_VRF_PORT_TABLE is reported, not set)."""
    return None if section.port is None else {name: {} for name in section.port}


# vrf has no changelink: the table is chosen once, on creation
def ip_words(_: VrfConfig, data: KernelData) -> list[str]:
    return ["table", str(data["table"])] if "table" in data else []


SECTION = Section({KIND: "vrf"}, "vrf", VrfConfig, _observe, to_kernel, port_data,
                  immutable=("route-table-id",), changeable=False, ip_words=ip_words)
