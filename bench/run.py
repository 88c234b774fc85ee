"""Benchmark runner: `python -m bench.run --sizes 1000,10000 --repeat 3`.

Every lane runs in fresh `nlbench-*` namespaces that it deletes; the root namespace is never
changed. Prints a table (median of --repeat runs, ratio against the lane's iproute2
baseline); --json saves everything, every sample included.

To add a lane: write `def my_lane(size: int, cfg: Config) -> list[Outcome]` (usually a
list of Variants handed to harness.measure) and add one line to LANES.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import pstats
import re
import signal
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import asdict
from importlib import metadata
from pathlib import Path
from types import FrameType
from typing import Any

if not __package__:  # run as `python bench/run.py`: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import nlstate
from bench.apply import apply_links, apply_noop, apply_routes
from bench.harness import TOTAL, Config, Outcome, Sample, gnu_time, progress, run_isolated
from bench.load import load
from bench.netns import BenchError, delete_leftovers
from bench.plan import plan
from bench.routes import route_add, route_dump
from nlstate.apply.lock import RUN_DIR_VARIABLE

Lane = Callable[[int, Config], list[Outcome]]

LANES: dict[str, Lane] = {
    "route-add": route_add,
    "route-dump": route_dump,
    "load": load,
    "plan": plan,
    "apply-routes": apply_routes,
    "apply-noop": apply_noop,
    "apply-links": apply_links,
}


# --------------------------------------------------------------------------- command line


def _int_list(text: str) -> list[int]:
    try:
        values = [int(part.replace("_", "")) for part in text.split(",") if part]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {text!r}") from None
    if not values or min(values) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return values


def _lane_list(text: str) -> list[str]:
    names = [part for part in text.split(",") if part]
    unknown = [n for n in names if n not in LANES]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown lane(s) {unknown}; choose from {', '.join(LANES)}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description="Time nlstate against `ip -batch` and pyroute2 in throw-away namespaces.")
    parser.add_argument("--sizes", type=_int_list, default=[1000, 10_000, 100_000],
                        help="comma-separated object counts (default: 1000,10000,100000)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs per variant and size; the median is reported (default: 3)")
    parser.add_argument("--lanes", type=_lane_list, default=list(LANES),
                        help=f"comma-separated lanes (default: all: {','.join(LANES)})")
    parser.add_argument("--variants", type=lambda t: [p for p in t.split(",") if p], default=[],
                        help="only variants whose name contains one of these comma-separated "
                             "substrings (the lane's baseline always runs)")
    parser.add_argument("--pyroute2-max", type=int, default=10_000, metavar="N",
                        help="skip pyroute2 variants above N objects (default: 10000)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="save all results as JSON")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="cProfile the first run of each Python variant into DIR/*.pstats "
                             "and print the top functions (timings then include the profiler)")
    args = parser.parse_args(argv)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    return args


# --------------------------------------------------------------------------- environment


def environment() -> dict[str, Any]:
    ip_v = subprocess.run(["ip", "-V"], capture_output=True, text=True, check=False).stdout
    ip_version = re.search(r"iproute2-[\w.]+", ip_v)
    try:
        pyroute2 = metadata.version("pyroute2")  # not imported: only forked runs import it
    except metadata.PackageNotFoundError:
        pyroute2 = "not installed"
    return {
        "kernel": platform.release(),
        "iproute2": ip_version.group(0) if ip_version else ip_v.strip(),
        "python": platform.python_version(),
        "pyroute2": pyroute2,
        "cpus": os.cpu_count(),
        "cpu": _cpu_model(),
        "load average": " ".join(f"{x:.2f}" for x in os.getloadavg()),
        "fork baseline RSS": _fork_baseline(),
        "GNU time": gnu_time() or "absent (no peak RSS for ip)",
        "nlstate bytecode": byte_compile_nlstate(),
    }


def byte_compile_nlstate() -> str:
    """Compile nlstate's modules to bytecode before timing, as `pip install` does: where
    PYTHONDONTWRITEBYTECODE is set (this workplace sets it), every `nlstate` command would
    otherwise compile its ninety modules from source (some 0.1 s), which no installed copy
    does."""
    folder = Path(nlstate.__file__).parent
    if not compileall.compile_dir(folder, quiet=1):
        raise BenchError(f"could not byte-compile {folder}")
    return "compiled before timing, as pip install does"


def _fork_baseline() -> str:
    """Peak RSS of a forked run that does nothing: the floor of every Python variant's."""
    rss = run_isolated(lambda: Sample({TOTAL: 0.0})).rss_kb
    return f"{rss / 1024:.0f} MB" if rss is not None else "unknown"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


# --------------------------------------------------------------------------- report


def ratios(outcomes: list[Outcome]) -> dict[int, float | None]:
    """id(outcome) -> median / median of its lane's baseline at the same size."""
    base = {(o.lane, o.size): o.median() for o in outcomes if o.baseline and o.samples}
    return {id(o): (o.median() / base[o.lane, o.size]
                    if o.samples and base.get((o.lane, o.size)) else None)
            for o in outcomes}


def paired_ratios(outcomes: list[Outcome]) -> dict[int, float | None]:
    """id(outcome) -> the median of its runs' ratios to the baseline's run of the same round
    (runs are interleaved: A, B, A, B, ...), which a machine whose speed drifts during the
    lane disturbs less than the ratio of medians."""
    base = {(o.lane, o.size): o for o in outcomes if o.baseline and o.samples}
    paired: dict[int, float | None] = {}
    for o in outcomes:
        baseline = base.get((o.lane, o.size))
        if baseline is None or not o.samples or len(o.samples) != len(baseline.samples):
            paired[id(o)] = None
            continue
        paired[id(o)] = statistics.median(
            mine.total / theirs.total
            for mine, theirs in zip(o.samples, baseline.samples, strict=True))
    return paired


def _row(o: Outcome, ratio: float | None, paired: float | None) -> list[str]:
    if not o.samples:
        return [o.lane, str(o.size), o.variant, "-", "-", "-", "-", "-", "-", "-", o.skipped]
    totals = [s.total for s in o.samples]
    median = o.median()
    rss = o.rss_kb
    names = o.phase_names()  # a single phase is the total again: not shown
    phases = " ".join(f"{p} {o.median(p):.4f}" for p in names) if len(names) > 1 else ""
    return [
        o.lane, str(o.size), o.variant,
        f"{median:.4f}",
        f"{(max(totals) - min(totals)) / median * 100:.0f}%",
        "base" if o.baseline else (f"{ratio:.2f}" if ratio is not None else "-"),
        "base" if o.baseline else (f"{paired:.2f}" if paired is not None else "-"),
        f"{o.size / median:,.0f}",
        f"{rss / 1024:.0f} MB" if rss is not None else "-",
        phases,
        o.note,
    ]


HEADER = ["lane", "N", "variant", "median s", "spread", "ratio", "paired", "objects/s",
          "peak RSS", "phases (median s)", "notes"]


def format_table(outcomes: list[Outcome]) -> str:
    ratio, paired = ratios(outcomes), paired_ratios(outcomes)
    rows = [HEADER] + [_row(o, ratio[id(o)], paired[id(o)]) for o in outcomes]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    right = {1, 3, 4, 5, 6, 7, 8}

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    out = [line(rows[0]), line(["-" * w for w in widths])]
    previous: tuple[str, int] | None = None
    for o, row in zip(outcomes, rows[1:], strict=True):
        if previous is not None and previous != (o.lane, o.size):
            out.append("")
        previous = (o.lane, o.size)
        out.append(line(row))
    return "\n".join(out)


LEGEND = """\
ratio = median time / median time of the lane's baseline ("base") at the same N:
  route-add: ip -batch; route-dump: ip -j route show. Below 1 is faster than iproute2.
  load: PyYAML's C loader + pydantic validation (a plain loader); below 1 is faster.
paired = median over the rounds of (this run / the baseline's run of the same round): runs
  alternate, so this one is less moved by a machine whose speed drifts.
spread = (max - min) / median over the runs. peak RSS = of the process that did the work:
  for ip, measured by GNU time in one extra untimed run; for Python, the forked interpreter
  (nlstate loaded), whose floor is the "fork baseline RSS" above.
"""


def report_json(path: Path, env: dict[str, Any], cfg: Config, outcomes: list[Outcome]) -> None:
    ratio, paired = ratios(outcomes), paired_ratios(outcomes)
    results = []
    for o in outcomes:
        entry = asdict(o)
        entry["median"] = ({p: o.median(p) for p in o.samples[0].phases}
                           if o.samples else None)
        entry["ratio"] = ratio[id(o)]
        entry["paired_ratio"] = paired[id(o)]
        results.append(entry)
    config = {"sizes": cfg.sizes, "repeat": cfg.repeat, "pyroute2_max": cfg.pyroute2_max,
              "variants": cfg.variants, "profiled": cfg.profile_dir is not None}
    path.write_text(json.dumps({"environment": env, "config": config, "results": results},
                               indent=2) + "\n")


def print_profiles(directory: Path, top: int = 20) -> None:
    for path in sorted(directory.glob("*.pstats")):
        print(f"\n=== {path.name} (top {top} by own time)")
        stats = pstats.Stats(str(path), stream=sys.stdout)
        stats.strip_dirs().sort_stats("tottime").print_stats(top)


# --------------------------------------------------------------------------- main


def _interrupt(signum: int, _: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


def run(cfg: Config, lanes: list[str]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    for lane in lanes:
        for size in cfg.sizes:
            outcomes += LANES[lane](size, cfg)
    return outcomes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if os.geteuid() != 0:
        print("bench: needs root (it creates network namespaces)", file=sys.stderr)
        return 2
    cfg = Config(sizes=args.sizes, repeat=args.repeat, pyroute2_max=args.pyroute2_max,
                 variants=args.variants, profile_dir=args.profile)
    if cfg.profile_dir is not None:
        cfg.profile_dir.mkdir(parents=True, exist_ok=True)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    env = environment()
    # the lock files of the bench's throw-away namespaces go with them, not to /run/nlstate
    run_dir = tempfile.TemporaryDirectory(prefix="nlbench-run-")
    os.environ[RUN_DIR_VARIABLE] = run_dir.name
    try:
        outcomes = run(cfg, args.lanes)
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 1
    finally:
        left = delete_leftovers()
        if left:
            progress(f"deleted leftover namespaces: {', '.join(left)}")
        run_dir.cleanup()
    print(", ".join(f"{k} {v}" for k, v in env.items()))
    print(f"repeat {cfg.repeat} (median reported), pyroute2 up to N={cfg.pyroute2_max}"
          + (", PROFILED (timings include cProfile)" if cfg.profile_dir else ""))
    print()
    print(format_table(outcomes))
    print()
    print(LEGEND, end="")
    if args.json:
        report_json(args.json, env, cfg, outcomes)
        print(f"saved {args.json}")
    if cfg.profile_dir is not None:
        print_profiles(cfg.profile_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
