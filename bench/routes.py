"""Route lanes: add N IPv4 routes, and dump N IPv4 routes.

Routes are /32s spread over 10.0.0.0/8, `via 192.0.2.2` (a veth with 192.0.2.1/24, up),
protocol static, main table. Inputs (destination strings, the `ip -batch` file) are made
before the clock starts; every run is checked against the kernel afterwards.
"""

from __future__ import annotations

import json
import socket
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from functools import lru_cache
from time import perf_counter
from typing import IO, Any

from nlstate import rtnl
from nlstate.netlink import Request
from nlstate.netlink.consts import NLM_F_CREATE, NLM_F_EXCL
from nlstate.rtnl import consts as c

from .harness import (
    Config,
    Outcome,
    Sample,
    Variant,
    expect_count,
    measure,
    run_command,
    timed_phases,
)
from .netns import BenchError, Netns, fresh_netns

GATEWAY = "192.0.2.2"
GATEWAY_SETUP = (
    "link add gw0 type veth peer name gw1\n"
    "addr add 192.0.2.1/24 dev gw0\n"
    "link set gw0 up\n"
    "link set gw1 up\n"
)
# Deleting the link drops its routes synchronously, before the namespace goes.
GATEWAY_TEARDOWN = "link del gw0\n"
IPBATCH_CHUNK = 16 * 1024  # bytes per sendmsg for pyroute2's IPBatch, as nlstate's default

ROUTE_HEADER = {
    "rtm-family": socket.AF_INET, "rtm-dst-len": 32, "rtm-table": c.RT_TABLE_MAIN,
    "rtm-protocol": c.RTPROT_STATIC, "rtm-scope": c.RT_SCOPE_UNIVERSE,
    "rtm-type": c.RTN_UNICAST,
}  # fmt: skip


@lru_cache(maxsize=1)
def destinations(size: int) -> list[str]:
    """`size` distinct /32 destinations in 10.0.0.0/8 (only the last size is kept)."""
    base = 10 << 24
    return [socket.inet_ntoa((base + i).to_bytes(4, "big")) for i in range(size)]


@contextmanager
def gateway_netns() -> Iterator[Netns]:
    """A fresh namespace with the veth that routes go via."""
    with fresh_netns(teardown=GATEWAY_TEARDOWN) as ns:
        ns.batch(GATEWAY_SETUP)
        yield ns


def static_routes(ns: Netns) -> int:
    """Routes with protocol static in the main table, counted by iproute2."""
    return len(ns.ip("route", "show", "proto", "static").splitlines())


def write_batch_file(size: int) -> IO[str]:
    """The `ip -batch` file that adds the routes (deleted when closed)."""
    batch = tempfile.NamedTemporaryFile("w", prefix="nlbench-", suffix=".batch")  # noqa: SIM115
    batch.writelines(f"route add {dst}/32 via {GATEWAY} proto static\n"
                     for dst in destinations(size))
    batch.flush()
    return batch


# --------------------------------------------------------------------------- route-add


def route_request(dst: str) -> Request:
    return rtnl.build_request(c.RTM_NEWROUTE, ROUTE_HEADER, {"dst": dst, "gateway": GATEWAY},
                              flags=NLM_F_CREATE | NLM_F_EXCL)


def nlstate_add(ack: str) -> Callable[[str, int], Sample]:
    def run(ns: str, size: int) -> Sample:
        dsts = destinations(size)
        start = perf_counter()
        requests = [route_request(dst) for dst in dsts]
        built = perf_counter()
        with rtnl.open_socket(ns) as sock:
            result = sock.batch(requests, ack=ack)
        sent = perf_counter()
        if not result.ok:
            first = next((e for e in result.errors if e is not None), None)
            raise BenchError(f"batch: {len(result.failed)} failed, {len(result.unknown)} "
                               f"unknown, {len(result.unsent)} unsent; first error: {first}")
        return Sample(timed_phases(("start", start), ("build", built), ("send", sent)))
    return run


def ip_batch_add(ns: str, size: int) -> Sample:
    with write_batch_file(size) as batch:
        sample, _ = run_command(["ip", "-n", ns, "-batch", batch.name])
    return sample


def pyroute2_add(ns: str, size: int) -> Sample:
    from pyroute2 import IPRoute

    dsts = destinations(size)
    start = perf_counter()
    with IPRoute(netns=ns) as ipr:
        for dst in dsts:
            ipr.route("add", dst=dst, dst_len=32, gateway=GATEWAY, proto=c.RTPROT_STATIC)
    return Sample(timed_phases(("start", start), ("send", perf_counter())))


def pyroute2_ipbatch_add(ns: str, size: int) -> Sample:
    from pyroute2 import IPBatch, IPRoute

    dsts = destinations(size)
    start = perf_counter()
    compiler = IPBatch()
    for dst in dsts:
        compiler.route("add", dst=dst, dst_len=32, gateway=GATEWAY, proto=c.RTPROT_STATIC)
    data = bytes(compiler.batch)
    compiler.close()
    built = perf_counter()
    with IPRoute(netns=ns) as ipr:
        for chunk in split_messages(data, IPBATCH_CHUNK):
            ipr.sendto(chunk, (0, 0))
    return Sample(timed_phases(("start", start), ("build", built), ("send", perf_counter())))


def split_messages(data: bytes, max_bytes: int) -> Iterator[bytes]:
    """Cut a buffer of netlink messages into pieces of at most max_bytes (at least one
    message each), on message boundaries (nlmsg_len is the first u32, host order)."""
    start = offset = 0
    while offset < len(data):
        length = (int.from_bytes(data[offset:offset + 4], "little") + 3) & ~3
        if offset > start and offset + length - start > max_bytes:
            yield data[start:offset]
            start = offset
        offset += length
    if offset > start:
        yield data[start:offset]


ADD_BASELINE = "ip -batch"
ADD_VARIANTS = [
    Variant("nlstate batch ack=last", nlstate_add("last"), "nlstate",
            note="send includes opening the socket"),
    Variant("nlstate batch ack=each", nlstate_add("each"), "nlstate",
            note="send includes opening the socket"),
    Variant(ADD_BASELINE, ip_batch_add, "iproute2", isolated=False,
            note="batch file written before timing"),
    Variant("pyroute2 route('add') loop", pyroute2_add, "pyroute2"),
    Variant("pyroute2 IPBatch+sendto", pyroute2_ipbatch_add, "pyroute2",
            note="no ACKs read; 16 KiB sendto chunks"),
]


def route_add(size: int, cfg: Config) -> list[Outcome]:
    """Each run: a fresh namespace with the gateway veth; N routes added; N counted by ip."""
    destinations(size)  # made once, before any run: every forked run inherits the same list
    def verify(ns: Netns, sample: Sample) -> None:
        sample.count = static_routes(ns)
        expect_count(f"static routes in {ns.name}", sample.count, size)

    return measure("route-add", size, ADD_VARIANTS, ADD_BASELINE, cfg, gateway_netns, verify)


# --------------------------------------------------------------------------- route-dump


def nlstate_dump(ns: str, size: int) -> Sample:
    request = rtnl.build_request(c.RTM_GETROUTE, {"rtm-family": socket.AF_INET})
    start = perf_counter()
    with rtnl.open_socket(ns) as sock:
        messages = list(sock.dump(request))
    sample = Sample(timed_phases(("start", start), ("dump", perf_counter())))
    sample.count = sum(1 for m in messages if m.header["rtm-protocol"] == c.RTPROT_STATIC)
    return sample


def nlstate_observe(ns: str, size: int) -> Sample:
    from nlstate.observe import observe

    start = perf_counter()
    state = observe(ns)
    sample = Sample(timed_phases(("start", start), ("observe", perf_counter())))
    sample.count = sum(1 for r in state.routes if r.protocol == "static")
    return sample


def ip_json_dump(ns: str, size: int) -> Sample:
    sample, out = run_command(["ip", "-n", ns, "-j", "route", "show"])
    routes: list[dict[str, Any]] = json.loads(out)
    sample.count = sum(1 for r in routes if r.get("protocol") == "static")
    return sample


def ip_text_dump(ns: str, size: int) -> Sample:
    sample, out = run_command(["ip", "-n", ns, "route", "show"])
    sample.count = sum(1 for line in out.splitlines() if b" proto static" in line)
    return sample


def pyroute2_dump(ns: str, size: int) -> Sample:
    from pyroute2 import IPRoute

    start = perf_counter()
    with IPRoute(netns=ns) as ipr:
        routes = ipr.get_routes(family=socket.AF_INET)
    sample = Sample(timed_phases(("start", start), ("dump", perf_counter())))
    sample.count = sum(1 for r in routes if r["proto"] == c.RTPROT_STATIC)
    return sample


DUMP_BASELINE = "ip -j route show"
DUMP_VARIANTS = [
    Variant("nlstate observe", nlstate_observe, "nlstate",
            note="the whole State: links, addresses, all routes, rules, neighbours, nexthops"),
    Variant("nlstate core dump", nlstate_dump, "nlstate",
            note="AF_INET, generic decoder, Message objects"),
    Variant(DUMP_BASELINE, ip_json_dump, "iproute2", isolated=False,
            note="stdout read fully via a pipe"),
    Variant("ip route show", ip_text_dump, "iproute2", isolated=False,
            note="stdout read fully via a pipe"),
    Variant("pyroute2 get_routes", pyroute2_dump, "pyroute2", note="family=AF_INET"),
]


def route_dump(size: int, cfg: Config) -> list[Outcome]:
    """One namespace with N routes (installed by ip -batch), dumped by every variant."""
    with gateway_netns() as ns:
        with write_batch_file(size) as batch:
            ns.ip("-batch", batch.name)
        expect_count(f"static routes installed in {ns.name}", static_routes(ns), size)

        def verify(_: Netns, sample: Sample) -> None:
            expect_count("static routes seen by the dump", sample.count, size)

        return measure("route-dump", size, DUMP_VARIANTS, DUMP_BASELINE, cfg,
                       lambda: nullcontext(ns), verify)
