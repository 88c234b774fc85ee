"""The rtnetlink message catalog and request builders."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nlstate.netlink.message import Catalog, MessageSpec, Request

from . import consts as c
from .addr import ADDR
from .link import LINK, LINKINFO_ATTRS, LINKINFO_DATA_OBSERVED, LINKINFO_SLAVE_DATA_OBSERVED
from .route import ROUTE

MESSAGES: dict[int, tuple[str, MessageSpec]] = {
    c.RTM_NEWLINK: ("RTM_NEWLINK", LINK),
    c.RTM_DELLINK: ("RTM_DELLINK", LINK),
    c.RTM_GETLINK: ("RTM_GETLINK", LINK),
    c.RTM_SETLINK: ("RTM_SETLINK", LINK),
    c.RTM_NEWLINKPROP: ("RTM_NEWLINKPROP", LINK),
    c.RTM_DELLINKPROP: ("RTM_DELLINKPROP", LINK),
    c.RTM_NEWADDR: ("RTM_NEWADDR", ADDR),
    c.RTM_DELADDR: ("RTM_DELADDR", ADDR),
    c.RTM_GETADDR: ("RTM_GETADDR", ADDR),
    c.RTM_NEWROUTE: ("RTM_NEWROUTE", ROUTE),
    c.RTM_DELROUTE: ("RTM_DELROUTE", ROUTE),
    c.RTM_GETROUTE: ("RTM_GETROUTE", ROUTE),
}

CATALOG = Catalog()


def register(msg_type: int, name: str, spec: MessageSpec) -> None:
    MESSAGES[msg_type] = (name, spec)
    CATALOG.add(msg_type, name, spec)


for _type, (_name, _spec) in list(MESSAGES.items()):
    CATALOG.add(_type, _name, _spec)


def build_request(msg_type: int, header: Mapping[str, Any] | None = None,
                  attrs: Mapping[str | int, Any] | None = None, flags: int = 0,
                  label: str = "") -> Request:
    """An rtnetlink request: the spec is looked up by message type."""
    name, spec = MESSAGES[msg_type]
    return Request(msg_type, flags, spec.encode(header, attrs), spec, label, name)


# a link as observe reads it (observe/links.py and the kinds' _observe): the attributes it
# uses, not the sixty others (a test holds the states observed both ways equal), found by
# learned layouts (AttrSet.learning_layouts)
LINK_OBSERVED = MessageSpec("link", LINK.header, LINK.attrs.decoding(
    "linkinfo", LINKINFO_ATTRS.decoding("data", LINKINFO_DATA_OBSERVED).decoding(
        "slave-data", LINKINFO_SLAVE_DATA_OBSERVED).learning_layouts()).only(
    "ifname", "mtu", "address", "master", "ifalias", "linkinfo", "link", "prop-list",
).learning_layouts())

# a link as apply's verification of plain links reads it (apply/link_proof.py)
LINK_PROVEN = MessageSpec("link", LINK.header, LINK.attrs.decoding(
    "linkinfo", LINKINFO_ATTRS.only("kind")).only(
    "ifname", "mtu", "master", "linkinfo", "link", "link-netnsid").learning_layouts())


def link_dump_request() -> Request:
    """RTM_GETLINK for a dump of all links, without their statistics (nobody here reads
    them; they are most of a link's bytes)."""
    return build_request(c.RTM_GETLINK, {}, {"ext-mask": c.RTEXT_FILTER_SKIP_STATS})


# Rules, neighbours and nexthops (registered after the first tables; same catalog).
from .neigh import NEIGH  # noqa: E402
from .nexthop import NEXTHOP  # noqa: E402
from .rule import RULE  # noqa: E402

for _type, _name, _spec in (
    (c.RTM_NEWRULE, "RTM_NEWRULE", RULE),
    (c.RTM_DELRULE, "RTM_DELRULE", RULE),
    (c.RTM_GETRULE, "RTM_GETRULE", RULE),
    (c.RTM_NEWNEIGH, "RTM_NEWNEIGH", NEIGH),
    (c.RTM_DELNEIGH, "RTM_DELNEIGH", NEIGH),
    (c.RTM_GETNEIGH, "RTM_GETNEIGH", NEIGH),
    (c.RTM_NEWNEXTHOP, "RTM_NEWNEXTHOP", NEXTHOP),
    (c.RTM_DELNEXTHOP, "RTM_DELNEXTHOP", NEXTHOP),
    (c.RTM_GETNEXTHOP, "RTM_GETNEXTHOP", NEXTHOP),
):
    register(_type, _name, _spec)
