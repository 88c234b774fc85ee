"""Link kinds: one module per kind with its IFLA_INFO_DATA table (and, for controllers, the
IFLA_INFO_SLAVE_DATA table of their ports), registered here into nlstate.rtnl.link's
sub-messages so that any link message decodes and encodes its kind-specific data.

Adding a kind: a module in this package and one `register(...)` line below; for a kind that
hosts have by the thousand, `observed=` lists the data attributes its section's observe
reads, so observing decodes no others (tests/unit/test_rtnl_tables.py holds the list to
what observe reads).
"""

from __future__ import annotations

from collections.abc import Sequence

from nlstate.netlink.codec import AttrSet
from nlstate.rtnl.link import (
    LINKINFO_DATA,
    LINKINFO_DATA_OBSERVED,
    LINKINFO_SLAVE_DATA,
    LINKINFO_SLAVE_DATA_OBSERVED,
)

from . import bond, bridge, dummy, gre, ifb, ipvlan, macvlan, tun, veth, vlan, vrf, vxlan, wireguard
from .section import Section


def register(kind: str, data: AttrSet, port_data: AttrSet | None = None, *,
             observed: Sequence[str] | None = None,
             observed_port: Sequence[str] | None = None) -> None:
    """Make links of `kind` (and ports whose controller is of `kind`) decode with these sets;
    observe decodes only the attributes `observed` and `observed_port` name (None: all),
    those its section reads (by learned layouts: see AttrSet.learning_layouts)."""
    LINKINFO_DATA.sets[kind] = data
    LINKINFO_DATA_OBSERVED.sets[kind] = (
        data if observed is None else data.only(*observed)).learning_layouts()
    if port_data is not None:
        LINKINFO_SLAVE_DATA.sets[kind] = port_data
        LINKINFO_SLAVE_DATA_OBSERVED.sets[kind] = (
            port_data if observed_port is None else port_data.only(*observed_port)
        ).learning_layouts()


register(veth.KIND, veth.DATA)
register(bridge.KIND, bridge.DATA, bridge.PORT_DATA, observed=bridge.OBSERVED_DATA,
         observed_port=bridge.OBSERVED_PORT_DATA)
register(vxlan.KIND, vxlan.DATA, observed=vxlan.OBSERVED_DATA)
for _kind in macvlan.KINDS:
    register(_kind, macvlan.DATA)
register(dummy.KIND, dummy.DATA)
register(vlan.KIND, vlan.DATA)
register(bond.KIND, bond.DATA, bond.PORT_DATA)
register(vrf.KIND, vrf.DATA, vrf.PORT_DATA)
for _kind in ipvlan.KINDS:
    register(_kind, ipvlan.DATA)
register(tun.KIND, tun.DATA)
register(ifb.KIND, ifb.DATA)
register(wireguard.KIND, wireguard.DATA)
for _kind in gre.KINDS:
    register(_kind, gre.DATA)

# The state file's section of each kind, and the interface type of every kernel kind.
SECTIONS: tuple[Section, ...] = (
    veth.SECTION, bridge.SECTION, vxlan.SECTION, macvlan.MACVLAN_SECTION,
    macvlan.MACVTAP_SECTION, vlan.SECTION, bond.SECTION, vrf.SECTION, ipvlan.SECTION,
)
# the interface types whose MTU the kernel moves with their ports' (Section.mtu_follows_ports)
MTU_FOLLOWS_PORTS = frozenset(type_ for section in SECTIONS if section.mtu_follows_ports
                              for type_ in section.types.values())
SECTION_BY_KIND: dict[str, Section] = {
    kind: section for section in SECTIONS for kind in section.types
}
INTERFACE_TYPES: dict[str, str] = {
    **{kind: type_ for section in SECTIONS for kind, type_ in section.types.items()},
    dummy.KIND: "dummy", ifb.KIND: "ifb", wireguard.KIND: "wireguard",
    # types whose sections are not read from the kernel yet (the type alone is reported)
    "ipip": "ip-tunnel", "ip6tnl": "ip-tunnel", "sit": "ip-tunnel", "hsr": "hsr",
    "macsec": "macsec",
}
