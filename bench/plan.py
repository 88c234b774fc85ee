"""Plan lane: N routes in a namespace, a desired file with the same N routes of which every
tenth has another gateway: the plan is N/10 route replaces.

Variants: "nlstate diff+plan" times only diff and make_plan (the file is loaded and the
namespace observed before the clock starts): the issue's figure, "diff+plan of N routes on
top of observe". "nlstate plan" times what `nlstate plan FILE --netns` does in-process:
load, observe, diff, plan (phases in the JSON report). The baseline is `ip -j route show`,
the cost of merely reading the routes with iproute2.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from pathlib import Path
from time import perf_counter

from nlstate.diff import diff
from nlstate.load import load_file
from nlstate.model.records import Route
from nlstate.observe import observe
from nlstate.plan import make_plan
from nlstate.steps import Step

from .harness import Config, Outcome, Sample, Variant, expect_count, measure, timed_phases
from .netns import Netns
from .routes import DUMP_BASELINE, destinations, gateway_netns, ip_json_dump, static_routes
from .routes import write_batch_file as route_batch_file

OTHER_GATEWAY = "192.0.2.3"
_DESIRED: dict[int, Path] = {}


@contextmanager
def desired_file(size: int) -> Iterator[Path]:
    """The desired state (JSON: loading is not what this lane measures)."""
    with tempfile.TemporaryDirectory(prefix="nlbench-") as folder:
        routes = [{"destination": f"{dst}/32", "next-hop-interface": "gw0",
                   "next-hop-address": OTHER_GATEWAY if i % 10 == 0 else "192.0.2.2"}
                  for i, dst in enumerate(destinations(size))]
        path = Path(folder) / f"desired-{size}.json"
        path.write_text(json.dumps({"routes": {"config": routes}}))
        _DESIRED[size] = path
        yield path


def diff_and_plan(ns: str, size: int) -> Sample:
    desired = load_file(_DESIRED[size])
    current = observe(ns, include_kernel=False)
    start = perf_counter()
    changes = diff(desired, current)
    diffed = perf_counter()
    plan = make_plan(changes, current)
    sample = Sample(timed_phases(("start", start), ("diff", diffed), ("plan", perf_counter())))
    return _counted(sample, plan.steps, current.routes, size)


def whole_plan(ns: str, size: int) -> Sample:
    start = perf_counter()
    desired = load_file(_DESIRED[size])
    loaded = perf_counter()
    current = observe(ns, include_kernel=False)
    observed = perf_counter()
    changes = diff(desired, current)
    diffed = perf_counter()
    plan = make_plan(changes, current)
    sample = Sample(timed_phases(("start", start), ("load", loaded), ("observe", observed),
                                 ("diff", diffed), ("plan", perf_counter())))
    return _counted(sample, plan.steps, current.routes, size)


def _counted(sample: Sample, steps: Sequence[Step], routes: Sequence[Route], size: int,
             ) -> Sample:
    """Checks the plan (one replace per tenth route); counts the routes compared."""
    expect_count("route replaces planned", sum(s.action == "replace" for s in steps),
                 len(range(0, size, 10)))
    sample.count = sum(1 for route in routes if route.protocol == "static")
    return sample


VARIANTS = [
    Variant("nlstate diff+plan", diff_and_plan, "nlstate",
            note="diff + make_plan only; N/10 replaces among N routes"),
    Variant("nlstate plan", whole_plan, "nlstate",
            note="load (JSON) + observe + diff + make_plan"),
    Variant(DUMP_BASELINE, ip_json_dump, "iproute2", isolated=False,
            note="reading the routes, for scale"),
]


def plan(size: int, cfg: Config) -> list[Outcome]:
    with gateway_netns() as ns, desired_file(size):
        with route_batch_file(size) as batch:
            ns.ip("-batch", batch.name)
        expect_count(f"static routes installed in {ns.name}", static_routes(ns), size)

        def verify(_: Netns, sample: Sample) -> None:
            expect_count("static routes compared", sample.count, size)

        return measure("plan", size, VARIANTS, DUMP_BASELINE, cfg, lambda: nullcontext(ns),
                       verify)
