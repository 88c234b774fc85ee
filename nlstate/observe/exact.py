"""An observed state as a desired state that says all of it, for restoring it exactly.

Observe leaves out what is empty or false: a link with only its IPv6 link-local address
says `ipv6: {enabled: true}`, an address without noprefixroute says nothing of it, a link
without alias or promiscuous mode says nothing of them, and routes, rules, neighbours and
nexthops are only listed. A desired state reads each of those
as "don't care" or "to have", so applying it would leave an address, a flag or a route added
since. The exact form says every address list and flag, and purges what it does not list
(kernel-owned objects excepted, as always). The rollback restores with it, and
`nlstate show --exact` prints it.
"""

from __future__ import annotations

from typing import Any

from nlstate.model import Interface, IPConfig, State
from nlstate.model.selectors import Selector

__all__ = ["EVERYTHING", "exact_document", "exact_link"]

EVERYTHING = Selector(())  # a purge selector that matches every object


def exact_link(link: Interface) -> Interface:
    """The observed link with all of its address lists and address flags said, and what
    observe leaves out when off: no description (''), no promiscuous mode."""
    lists = {}
    for key in ("ipv4", "ipv6"):
        config = getattr(link, key)
        if config is None:
            config = IPConfig.model_validate({"address": []})
        elif config.enabled is not False:
            config = config.replaced(address=[
                entry.replaced(noprefixroute=bool(entry.noprefixroute))
                for entry in config.address or ()])
        lists[key] = config
    return link.replaced(**lists, description=link.description or "",
                         accept_all_mac_addresses=bool(link.accept_all_mac_addresses))


def exact_document(state: State) -> dict[str, Any]:
    """The state as a file that, applied, gives back exactly this state: its links with
    all their addresses said, and every object section purging what it does not list. Links
    that are not in it are left alone."""
    exact = State(interfaces=[exact_link(link) for link in state.interfaces],
                  routes=state.routes, route_rules=state.route_rules,
                  neighbors=state.neighbors, nexthops=state.nexthops)
    document = exact.document()
    for key, section in document.items():
        if key != "interfaces":
            section["purge"] = [{}]  # EVERYTHING, as a file says it
    return document
