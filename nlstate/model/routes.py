"""`routes: {config: [...]}`: nmstate's route keys plus nlstate's (protocol, scope, metrics)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import chain
from operator import itemgetter
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field, model_validator

from nlstate.values.base import FileModel
from nlstate.values.errors import MISSING, Finding, fail
from nlstate.values.types import (
    U8,
    U32,
    Absent,
    InterfaceName,
    IPAddress,
    IPPrefix,
    Protocol,
    TableId,
)

from .records import Route

RouteTypeName = Literal["unicast", "blackhole", "unreachable", "prohibit", "throw", "local",
                    "broadcast", "anycast", "multicast", "nat"]


# the record's fields, read from the model's __dict__ in one C call (a third the cost of
# reading 26 attributes)
_ROUTE_VALUES = itemgetter(*Route._fields)


def _unicast_is_default(value: str | None) -> str | None:
    return None if value == "unicast" else value


# canonical: unicast is said by leaving the type out (a type, not a model validator, so
# that selectors built from this model get the same rule)
RouteType = Annotated[RouteTypeName, AfterValidator(_unicast_is_default)]
Weight = Annotated[int, Field(ge=1, le=256)]
Scope = Literal["global", "site", "link", "host", "nowhere"]
# Route types that drop or bounce packets: the kernel refuses a gateway, device or multipath
# for them ("Gateway, device and multipath can not be specified for this route type").
# the kernel refuses a next hop on these ("Gateway, device and multipath can not be
# specified for this route type")
NO_NEXT_HOP_TYPES = frozenset({"blackhole", "unreachable", "prohibit", "throw", "nat"})


def routes_to_check(columns: Mapping[str, Sequence[Any]]) -> list[int] | None:
    """Of many routes given field by field (the values as their models hold them), those
    (by position) that RouteConfig._consistent must look at; the others are plain: a
    destination, no source, tos or type, a gateway (if any) of the destination's family,
    and nothing more is checked of them. None when a route has no destination or a state
    (absent entries are selectors, not routes)."""
    destinations = columns.get("destination")
    if destinations is None or None in destinations:
        return None
    if any(state is not None for state in columns.get("state", ())):
        return None
    flagged: set[int] = set()
    for name in ("source", "tos", "route_type"):
        column = columns.get(name)
        if column is not None and column.count(None) != len(column):
            flagged.update(index for index, value in enumerate(column) if value is not None)
    gateways = columns.get("next_hop_address")
    # no ":" anywhere: all IPv4, nothing to look at one by one
    if gateways is not None and ":" in "".join(chain(filter(None, gateways), destinations)):
        flagged.update(
            index for index, (gateway, destination)
            in enumerate(zip(gateways, destinations, strict=True))
            if gateway is not None and (":" in gateway) != (":" in destination))
    return sorted(flagged)


class RouteConfig(FileModel):
    """One route, or one hop of a multipath route (several entries with the same
    destination, table and metric, each with its own next hop and weight)."""

    destination: IPPrefix | None = Field(
        None, description="Destination prefix, e.g. 10.0.0.0/8, 2001:db8::/32, 0.0.0.0/0 for "
                          "default. Required, except in an absent route (a wildcard).")
    next_hop_interface: InterfaceName | None = Field(
        None, description="Output interface (RTA_OIF).")
    next_hop_address: IPAddress | None = Field(
        None, description="Gateway address (RTA_GATEWAY), of the destination's family.")
    metric: U32 | None = Field(
        None, description="Route metric/priority (RTA_PRIORITY). Kernel default: 0 for IPv4, "
                          "1024 for IPv6.")
    table_id: TableId | None = Field(
        None, description="Routing table (RTA_TABLE), 1-4294967295; the names main, local "
                          "and default stand for 254, 255 and 253. Default: main.")
    route_type: RouteType | None = Field(
        None, description="Route type (rtm_type); unicast when not given.")
    weight: Weight | None = Field(
        None, description="Weight of this hop in a multipath route (1-256).")
    next_hop_id: U32 | None = Field(
        None, description="Use the nexthop object with this id (RTA_NH_ID). The nexthop says "
                          "the gateway and interface; the kernel reports them next to the id "
                          "(next-hop-address, next-hop-interface), and they are not sent.")
    source: IPAddress | None = Field(
        None, description="Preferred source address (RTA_PREFSRC).")
    protocol: Protocol | None = Field(
        None, description="Who owns the route (rtm_protocol): a name from rt_protos "
                          "(static, boot, kernel, bird, zebra, ...) or a number. nlstate "
                          "creates routes as 'static' unless told otherwise.")
    scope: Scope | None = Field(
        None, description="Route scope; when not given, the kernel's default for the route "
                          "(link for routes with no gateway, host for local, else global).")
    tos: U8 | None = Field(None, description="Type of service / DSCP selector (rtm_tos).")
    onlink: bool | None = Field(
        None, description="Treat the gateway as on-link even when no prefix covers it.")
    mtu: U32 | None = Field(None, description="Path MTU metric (RTAX_MTU).")
    advmss: U32 | None = Field(None, description="Advertised MSS metric (RTAX_ADVMSS).")
    cwnd: U32 | None = Field(None, description="Congestion window clamp (RTAX_CWND).")
    initcwnd: U32 | None = Field(None, description="Initial congestion window (RTAX_INITCWND).")
    initrwnd: U32 | None = Field(None, description="Initial receive window (RTAX_INITRWND).")
    hoplimit: U8 | None = Field(None, description="Hop limit / TTL (RTAX_HOPLIMIT).")
    window: U32 | None = Field(None, description="TCP window clamp (RTAX_WINDOW).")
    rtt: U32 | None = Field(None, description="Initial RTT estimate (RTAX_RTT).")
    rttvar: U32 | None = Field(None, description="Initial RTT variance (RTAX_RTTVAR).")
    ssthresh: U32 | None = Field(None, description="Initial slow-start threshold.")
    reordering: U32 | None = Field(None, description="Reordering metric (RTAX_REORDERING).")
    quickack: bool | None = Field(None, description="Disable delayed ACKs (RTAX_QUICKACK).")
    congctl: str | None = Field(
        None, description="TCP congestion control algorithm for this route (RTAX_CC_ALGO).")
    state: Absent | None = Field(
        None, description="'absent' removes the matching routes; keys left out are wildcards.")

    @model_validator(mode="after")
    def _consistent(self) -> RouteConfig:
        destination = self.destination
        if destination is None:
            if self.state != "absent":
                fail(type(self).__name__, [Finding(
                    ("destination",), "destination is required (only an absent route may "
                    "leave it out, as a wildcard)", {}, kind=MISSING)])
            return self
        gateway = self.next_hop_address
        if ((gateway is None or (":" in gateway) == (":" in destination))
                and self.source is None and self.tos is None and self.route_type is None):
            return self  # the common plain route: nothing more to compare
        findings = list(self._problems(destination))
        if findings:
            fail(type(self).__name__, findings)
        return self

    def _problems(self, destination: str) -> list[Finding]:
        v6 = ":" in destination
        family = "IPv6" if v6 else "IPv4"
        findings = [
            Finding((key,), f"{key} {value} is not {family} like destination {destination}; "
                    "a route's addresses are of one family", value)
            for key, value in (("next-hop-address", self.next_hop_address),
                               ("source", self.source))
            if value is not None and (":" in value) != v6
        ]
        if v6 and self.tos is not None:
            findings.append(Finding(("tos",), "tos is for IPv4 routes; the kernel refuses it "
                                    "on an IPv6 route", self.tos))
        if self.route_type in NO_NEXT_HOP_TYPES:
            findings += [
                Finding((key,), f"a {self.route_type} route has no next hop; leave out {key}",
                        value)
                for key, value in (("next-hop-address", self.next_hop_address),
                                   ("next-hop-interface", self.next_hop_interface),
                                   ("next-hop-id", self.next_hop_id),
                                   ("weight", self.weight))
                # the kernel reports IPv6 error routes on lo: that one is no next hop
                if value is not None and not (key == "next-hop-interface" and v6
                                              and value == "lo")
            ]
        return findings

    def record(self) -> Route:
        return tuple.__new__(Route, _ROUTE_VALUES(self.__dict__))  # Route._make, less a frame
