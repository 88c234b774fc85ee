"""Apply lanes: `nlstate apply FILE --netns NS` as a whole command (interpreter start, load,
observe, plan, send, verify), against `ip -batch` of the same objects, in fresh namespaces.

- apply-routes: N routes `via 192.0.2.2` into a namespace that has only the gateway veth.
- apply-noop: the same file applied to a namespace that already has the N routes (nothing
  to send); the issue's goal is an absolute one (<= 1 s), the baseline only gives scale.
- apply-links: N bridges, each with a veth pair as its port and an address, all up (N=1000:
  1000 bridges and 1000 veth pairs), against `ip -batch` of the same links.
"""

from __future__ import annotations

import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any

from .harness import Config, Outcome, Sample, Variant, expect_count, measure, run_command
from .netns import LINKWATCH_PERIOD, Netns, fresh_netns
from .routes import destinations, gateway_netns, static_routes

_FILES: dict[tuple[str, int], Path] = {}


@contextmanager
def written(files: dict[str, str]) -> Iterator[None]:
    """The lanes' inputs, in a temporary folder removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="nlbench-") as folder:
        for name, text in files.items():
            path = Path(folder) / name
            path.write_text(text)
            lane, size = name.split(".")[0].rsplit("-", 1)
            _FILES[lane + path.suffix, int(size)] = path
        yield


def nlstate_apply(kind: str) -> Callable[[str, int], Sample]:
    def run(ns: str, size: int) -> Sample:
        sample, _ = run_command([sys.executable, "-m", "nlstate", "apply",
                                 str(_FILES[kind + ".json", size]), "--netns", ns])
        return sample
    return run


def ip_batch(kind: str) -> Callable[[str, int], Sample]:
    def run(ns: str, size: int) -> Sample:
        sample, _ = run_command(["ip", "-n", ns, "-batch", str(_FILES[kind + ".batch", size])])
        return sample
    return run


def ip_json_routes(ns: str, size: int) -> Sample:
    sample, _ = run_command(["ip", "-n", ns, "-j", "route", "show"])
    return sample


# --------------------------------------------------------------------------- routes

def route_files(size: int) -> dict[str, str]:
    config = [{"destination": f"{dst}/32", "next-hop-address": "192.0.2.2",
               "next-hop-interface": "gw0"} for dst in destinations(size)]
    batch = "".join(f"route add {dst}/32 via 192.0.2.2 proto static\n"
                    for dst in destinations(size))
    return {f"routes-{size}.json": json.dumps({"routes": {"config": config}}),
            f"routes-{size}.batch": batch}


def apply_routes(size: int, cfg: Config) -> list[Outcome]:
    variants = [
        Variant("nlstate apply", nlstate_apply("routes"), "nlstate", isolated=False,
                note="the whole command: start, load (JSON), plan, send, verify"),
        Variant("ip -batch", ip_batch("routes"), "iproute2", isolated=False,
                note="batch file written before timing"),
    ]

    def verify(ns: Netns, sample: Sample) -> None:
        sample.count = static_routes(ns)
        expect_count(f"static routes in {ns.name}", sample.count, size)

    with written(route_files(size)):
        return measure("apply-routes", size, variants, "ip -batch", cfg, gateway_netns,
                       verify)


def apply_noop(size: int, cfg: Config) -> list[Outcome]:
    variants = [
        Variant("nlstate apply (no-op)", nlstate_apply("routes"), "nlstate", isolated=False,
                note="nothing to send: start, load, observe, diff"),
        Variant("ip -j route show", ip_json_routes, "iproute2", isolated=False,
                note="for scale: reading the routes"),
    ]
    with written(route_files(size)), gateway_netns() as ns:
        ns.ip("-batch", str(_FILES["routes.batch", size]))

        def verify(_: Netns, sample: Sample) -> None:
            sample.count = size
            expect_count(f"static routes in {ns.name}", static_routes(ns), size)

        return measure("apply-noop", size, variants, "ip -j route show", cfg,
                       lambda: nullcontext(ns), verify)


# --------------------------------------------------------------------------- links

def link_files(size: int) -> dict[str, str]:
    interfaces: list[dict[str, Any]] = []
    lines = []
    for i in range(size):
        bridge, port, peer = f"br{i}", f"v{i}", f"p{i}"
        address = f"10.{i >> 8}.{i & 255}.1"
        interfaces.append({"name": bridge, "type": "linux-bridge", "state": "up",
                           "bridge": {"port": [{"name": port}]},
                           "ipv4": {"address": [{"ip": address, "prefix-length": 24}]}})
        interfaces.append({"name": port, "type": "veth", "state": "up",
                           "veth": {"peer": peer}})
        lines += [f"link add {bridge} type bridge", f"link add {port} type veth peer name {peer}",
                  f"link set {port} master {bridge}", f"addr add {address}/24 dev {bridge}",
                  f"link set {bridge} up", f"link set {port} up"]
    return {f"links-{size}.json": json.dumps({"interfaces": interfaces}),
            f"links-{size}.batch": "\n".join(lines) + "\n"}


def apply_links(size: int, cfg: Config) -> list[Outcome]:
    variants = [
        Variant("nlstate apply", nlstate_apply("links"), "nlstate", isolated=False,
                note="the whole command: start, load, plan, send, verify"),
        Variant("ip -batch", ip_batch("links"), "iproute2", isolated=False,
                note="batch file written before timing"),
    ]

    def verify(ns: Netns, sample: Sample) -> None:
        sample.count = len(ns.ip("link", "show", "type", "bridge", "up").split("\n    link/"))
        sample.count -= 1  # one piece more than links
        expect_count(f"bridges up in {ns.name}", sample.count, size)
        addresses = ns.ip("-4", "-o", "addr", "show").count(" inet ")
        expect_count(f"IPv4 addresses in {ns.name}", addresses, size)

    # links deleted before the namespace goes: else the kernel's cleanup of a namespace
    # with 2000 links runs in the background, holding the rtnl lock into the next run; and
    # the link watcher's events of that teardown are let run before the next run starts
    teardown = "".join(f"link del br{i}\nlink del v{i}\n" for i in range(size))
    with written(link_files(size)):
        return measure("apply-links", size, variants, "ip -batch", cfg,
                       lambda: fresh_netns(teardown, 1.5 * LINKWATCH_PERIOD), verify)
