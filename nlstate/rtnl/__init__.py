"""rtnetlink wire tables, as data in the kernel's own names (see the kernel's rt-*.yaml specs)."""

from __future__ import annotations

from nlstate.netlink.socket import NetlinkSocket

from .catalog import (
    CATALOG,
    LINK_OBSERVED,
    LINK_PROVEN,
    MESSAGES,
    build_request,
    link_dump_request,
    register,
)

__all__ = ["CATALOG", "LINK_OBSERVED", "LINK_PROVEN", "MESSAGES", "build_request",
           "link_dump_request", "open_socket", "register"]


def open_socket(netns: str | None = None, **options: object) -> NetlinkSocket:
    """A NETLINK_ROUTE socket (in namespace `netns`) that decodes rtnetlink messages."""
    return NetlinkSocket(CATALOG, netns=netns, **options)  # type: ignore[arg-type]


# The link kinds register their IFLA_INFO_DATA tables into link.py's sub-messages; imported
# last so that they find this package complete (nlstate.kinds imports nlstate.rtnl.link).
import nlstate.kinds  # noqa: E402, F401
