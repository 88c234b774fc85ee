"""The pipeline's records: one immutable, hashable tuple per kernel object.

observe builds these straight from netlink bytes (a pydantic model costs several times more
per object, which matters at 100k routes); the file models in routes.py and friends validate
the user's YAML and convert into the same records. Field names equal the file models' names.
Unset (None) means "not said" in a desired state; observe fills what the kernel reports.
"""

from __future__ import annotations

from typing import NamedTuple


class Route(NamedTuple):
    destination: str | None = None  # None only in an absent route: a wildcard
    next_hop_interface: str | None = None
    next_hop_address: str | None = None
    metric: int | None = None
    table_id: int | None = None
    route_type: str | None = None  # None: unicast
    weight: int | None = None  # one hop of a multipath route
    next_hop_id: int | None = None
    source: str | None = None
    protocol: str | None = None
    scope: str | None = None  # None: the kernel's default for this kind of route
    tos: int | None = None
    onlink: bool | None = None
    mtu: int | None = None
    advmss: int | None = None
    cwnd: int | None = None
    initcwnd: int | None = None
    initrwnd: int | None = None
    hoplimit: int | None = None
    window: int | None = None
    rtt: int | None = None
    rttvar: int | None = None
    ssthresh: int | None = None
    reordering: int | None = None
    quickack: bool | None = None
    congctl: str | None = None


# Route fields carried in RTA_METRICS as u32 (quickack and congctl are handled apart)
ROUTE_METRIC_FIELDS = ("mtu", "advmss", "cwnd", "initcwnd", "initrwnd", "hoplimit", "window",
                       "rtt", "rttvar", "ssthresh", "reordering")


class RouteRule(NamedTuple):
    family: str | None = None  # ipv4 | ipv6
    priority: int | None = None
    ip_from: str | None = None
    ip_to: str | None = None
    route_table: int | None = None
    fwmark: int | None = None
    fwmask: int | None = None
    iif: str | None = None
    oif: str | None = None
    action: str | None = None  # None: lookup
    suppress_prefix_length: int | None = None
    suppress_ifgroup: int | None = None
    tos: int | None = None
    goto: int | None = None
    l3mdev: bool | None = None
    protocol: str | None = None
    ip_proto: int | None = None
    sport: str | None = None  # "N" or "N-M"
    dport: str | None = None
    uid_range: str | None = None
    invert: bool | None = None


class Neighbor(NamedTuple):
    destination: str
    interface: str
    link_layer_address: str | None = None
    state: str | None = None  # None: permanent
    router: bool | None = None
    proxy: bool | None = None


class NexthopMember(NamedTuple):
    id: int
    weight: int = 1


class Nexthop(NamedTuple):
    id: int
    family: str | None = None
    next_hop_address: str | None = None
    next_hop_interface: str | None = None
    blackhole: bool | None = None
    onlink: bool | None = None
    group: tuple[NexthopMember, ...] | None = None
    group_type: str | None = None  # None: mpath
    fdb: bool | None = None
    protocol: str | None = None
