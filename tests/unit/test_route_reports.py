"""The bytes a route dump reports, as predicted for a verification: what the decoder reads
from them is the route the file asks for, so finding them proves the route."""

from __future__ import annotations

import struct
from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from nlstate.diff import diff
from nlstate.model import State
from nlstate.model.records import Route
from nlstate.observe.routes import _RouteDecoder
from nlstate.requests.route_reports import reported_bodies
from nlstate.rtnl import consts as rc

NAMES = {"eth0": 2, "eth1": 7}
_NLMSGHDR = struct.Struct("=IHHII")


@st.composite
def _networks(draw: st.DrawFn) -> str:
    length = draw(st.integers(0, 32))
    address = draw(st.integers(0, 2**32 - 1)) >> (32 - length) << (32 - length) if length else 0
    return f"{'.'.join(str(address >> shift & 255) for shift in (24, 16, 8, 0))}/{length}"


_PLAIN = st.fixed_dictionaries(dict(  # as a file says them: any left out, or given (a default too)
    destination=_networks(),
    next_hop_interface=st.sampled_from(sorted(NAMES)),
    next_hop_address=st.sampled_from([None, "192.0.2.1", "198.51.100.254"]),
    metric=st.sampled_from([None, 0, 1, 100, 2**32 - 1]),
    table_id=st.sampled_from([None, 1, 100, 254, 255, 256, 100000]),
    source=st.sampled_from([None, "192.0.2.10"]),
    protocol=st.sampled_from([None, "static", "boot", "bird", "250"]),
    scope=st.sampled_from([None, "global", "link", "host", "site"]),
    tos=st.sampled_from([None, 0, 4, 0x10, 0xb8]),
    onlink=st.sampled_from([None, False, True]),
)).map(lambda fields: Route(**cast(dict[str, Any], fields)))


def _decoded(body: bytes) -> list[Route]:
    data = _NLMSGHDR.pack(_NLMSGHDR.size + len(body), rc.RTM_NEWROUTE, 2, 1, 0) + body
    decoder = _RouteDecoder({index: name for name, index in NAMES.items()}, True)
    decoder.feed(data, [(rc.RTM_NEWROUTE, 2, 1, 0, _NLMSGHDR.size, len(data))])
    return decoder.routes


@settings(max_examples=500, deadline=None)
@given(_PLAIN)
def test_a_reported_body_decodes_to_the_route_the_file_asks_for(route: Route) -> None:
    [body] = reported_bodies([route], NAMES) or [b""]
    assert body, f"no report known for {route}"
    observed = _decoded(body)
    assert not diff(State(routes=[route]), State(routes=observed)), observed


@settings(max_examples=200, deadline=None)
@given(_PLAIN, _PLAIN)
def test_routes_that_differ_are_reported_differently(first: Route, second: Route) -> None:
    """Two routes the file tells apart (as the decoder reads them) have different bodies."""
    bodies = reported_bodies([first, second], NAMES)
    assert bodies is not None
    if diff(State(routes=[first]), State(routes=_decoded(bodies[1]))):
        assert bodies[0] != bodies[1]


def test_routes_whose_report_is_not_known_are_left_to_the_decoder() -> None:
    plain = Route("10.0.0.0/8", "eth0", "192.0.2.1")
    for other in (Route("2001:db8::/32", "eth0"), Route("10.0.0.0/8", next_hop_address="192.0.2.1"),
                  Route("10.0.0.0/8", "eth9"), Route("10.0.0.0/8", "eth0", mtu=1400),
                  Route("10.0.0.0/8", "eth0", "2001:db8::1"),
                  Route("10.0.0.0/8", route_type="blackhole"), Route("10.0.0.0/8", next_hop_id=3)):
        assert reported_bodies([plain, other], NAMES) is None, other
    assert reported_bodies([plain], NAMES) is not None
