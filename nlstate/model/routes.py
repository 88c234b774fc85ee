"""`routes: {config: [...]}`: nmstate's route keys plus nlstate's (protocol, scope, metrics)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from nlstate.values.base import FileModel
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

RouteType = Literal["unicast", "blackhole", "unreachable", "prohibit", "throw", "local",
                    "broadcast", "anycast", "multicast", "nat"]
Weight = Annotated[int, Field(ge=1, le=256)]
Scope = Literal["global", "site", "link", "host", "nowhere"]


class RouteConfig(FileModel):
    """One route, or one hop of a multipath route (several entries with the same
    destination, table and metric, each with its own next hop and weight)."""

    destination: IPPrefix = Field(
        description="Destination prefix, e.g. 10.0.0.0/8, 2001:db8::/32, 0.0.0.0/0 for default.")
    next_hop_interface: InterfaceName | None = Field(
        None, description="Output interface (RTA_OIF).")
    next_hop_address: IPAddress | None = Field(
        None, description="Gateway address (RTA_GATEWAY); an IPv6 gateway for an IPv4 route "
                          "is sent as RTA_VIA.")
    metric: U32 | None = Field(
        None, description="Route metric/priority (RTA_PRIORITY). Kernel default: 0 for IPv4, "
                          "1024 for IPv6.")
    table_id: TableId | None = Field(
        None, description="Routing table (RTA_TABLE); 254 is main, 255 local. Default: main.")
    route_type: RouteType | None = Field(
        None, description="Route type (rtm_type); unicast when not given.")
    weight: Weight | None = Field(
        None, description="Weight of this hop in a multipath route (1-256).")
    next_hop_id: U32 | None = Field(
        None, description="Use the nexthop object with this id (RTA_NH_ID) instead of a "
                          "gateway/interface.")
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

    @field_validator("route_type")
    @classmethod
    def _unicast_is_default(cls, value: str | None) -> str | None:
        return None if value == "unicast" else value

    def record(self) -> Route:
        return Route(**{name: getattr(self, name) for name in Route._fields})
