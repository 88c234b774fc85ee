"""Timing machinery shared by all lanes.

A lane is a list of `Variant`s (ways of doing the same job) plus how to give each timed run
a namespace and how to check its result; `measure` runs every variant `repeat` times,
round-robin, and returns one `Outcome` per variant.

Python variants run in a forked copy of this interpreter (`run_isolated`): each run starts
from the same heap, its peak RSS is its own, and a pyroute2 import never leaks into an
nlstate run. Commands (`ip`) are timed from spawn to exit (`run_command`).
"""

from __future__ import annotations

import cProfile
import ctypes
import gc
import os
import pickle
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from time import perf_counter
from typing import NoReturn

from .netns import BenchError, Netns

TOTAL = "total"


@dataclass
class Sample:
    """One timed run: seconds per phase (always "total"), objects seen, peak RSS (KiB)."""

    phases: dict[str, float]
    count: int = 0
    rss_kb: int | None = None

    @property
    def total(self) -> float:
        return self.phases[TOTAL]


@dataclass(frozen=True)
class Variant:
    """One way of doing a lane's job.

    run(netns name, size) does one timed run. isolated: run it in a forked interpreter (for
    Python libraries; commands are measured in-process by `run_command`). library: nlstate,
    iproute2 or pyroute2 (pyroute2 variants obey --pyroute2-max).
    """

    name: str
    run: Callable[[str, int], Sample]
    library: str
    isolated: bool = True
    note: str = ""


@dataclass
class Config:
    sizes: list[int]
    repeat: int = 3
    pyroute2_max: int = 10_000
    variants: list[str] = field(default_factory=list)  # substrings; empty: all
    profile_dir: Path | None = None


@dataclass
class Outcome:
    """All runs of one variant at one size."""

    lane: str
    size: int
    variant: str
    library: str
    baseline: bool
    note: str = ""
    skipped: str = ""
    samples: list[Sample] = field(default_factory=list)
    rss_kb: int | None = None  # peak RSS of the process that did the work, in KiB

    def median(self, phase: str = TOTAL) -> float:
        return statistics.median(s.phases[phase] for s in self.samples)

    def phase_names(self) -> list[str]:
        return [p for p in self.samples[0].phases if p != TOTAL] if self.samples else []


SampleNetns = Callable[[], AbstractContextManager[Netns]]
Verify = Callable[[Netns, Sample], None]


def measure(lane: str, size: int, variants: Sequence[Variant], baseline: str, cfg: Config,
            sample_netns: SampleNetns, verify: Verify) -> list[Outcome]:
    """Run each variant cfg.repeat times, round-robin; every run gets `sample_netns()` and is
    checked with `verify` (which raises BenchError)."""
    chosen = [v for v in variants if _selected(v, baseline, cfg)]
    outcomes = [Outcome(lane, size, v.name, v.library, v.name == baseline, v.note)
                for v in chosen]
    for variant, outcome in zip(chosen, outcomes, strict=True):
        if variant.library == "pyroute2" and size > cfg.pyroute2_max:
            outcome.skipped = f"skipped: N > --pyroute2-max {cfg.pyroute2_max}"
    active = [(v, o) for v, o in zip(chosen, outcomes, strict=True) if not o.skipped]
    for run in range(cfg.repeat):
        for variant, outcome in active:
            with sample_netns() as ns:
                sample = _run_variant(variant, ns, size, _profile_path(cfg, outcome, run))
                verify(ns, sample)
            outcome.samples.append(sample)
            progress(f"{lane} N={size} {variant.name} run {run + 1}/{cfg.repeat}: "
                     f"{sample.total:.4f}s")
    for variant, outcome in active:
        outcome.rss_kb = _peak_rss(variant, outcome, size, sample_netns, verify)
    return outcomes


def _peak_rss(variant: Variant, outcome: Outcome, size: int, sample_netns: SampleNetns,
              verify: Verify) -> int | None:
    """Forked Python runs report their own peak RSS; a command needs one more, untimed run
    under GNU time (skipped when GNU time is not installed)."""
    if variant.isolated:
        return max((s.rss_kb for s in outcome.samples if s.rss_kb is not None), default=None)
    if gnu_time() is None:
        return None
    with sample_netns() as ns, rss_probe():
        sample = variant.run(ns.name, size)
        verify(ns, sample)
    progress(f"{outcome.lane} N={size} {variant.name} RSS probe: {sample.rss_kb} KiB")
    return sample.rss_kb


def _selected(variant: Variant, baseline: str, cfg: Config) -> bool:
    return (not cfg.variants or variant.name == baseline
            or any(part in variant.name for part in cfg.variants))


def _profile_path(cfg: Config, outcome: Outcome, run: int) -> Path | None:
    if cfg.profile_dir is None or run != 0:
        return None
    slug = re.sub(r"[^A-Za-z0-9]+", "-", outcome.variant).strip("-")
    return cfg.profile_dir / f"{outcome.lane}-{outcome.size}-{slug}.pstats"


def _run_variant(variant: Variant, ns: Netns, size: int, profile: Path | None) -> Sample:
    if not variant.isolated:
        return variant.run(ns.name, size)
    return run_isolated(lambda: variant.run(ns.name, size), profile)


def progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- runners


def run_isolated(work: Callable[[], Sample], profile: Path | None = None) -> Sample:
    """Run `work` in a forked child; return its Sample with the child's peak RSS."""
    _trim_heap()
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_fd)
        _child(work, write_fd, profile)
    os.close(write_fd)
    try:
        with os.fdopen(read_fd, "rb") as pipe:
            data = pipe.read()
        _, status, usage = os.wait4(pid, 0)
    except BaseException:
        _kill(pid)
        raise
    if not data:
        raise BenchError(f"benchmark child exited with status {os.waitstatus_to_exitcode(status)}"
                         " and no result")
    kind, value = pickle.loads(data)
    if kind != "ok":
        raise BenchError(f"benchmark run failed:\n{value}")
    assert isinstance(value, Sample)
    value.rss_kb = usage.ru_maxrss
    return value


@cache
def _malloc_trim() -> Callable[[int], int] | None:
    try:
        trim: Callable[[int], int] = ctypes.CDLL(None).malloc_trim
    except AttributeError:  # not glibc
        return None
    return trim


def _trim_heap() -> None:
    """Give the runner's freed memory back to the system, so that every forked run starts
    from the same RSS (glibc keeps freed heap, e.g. of a large `ip` output, otherwise)."""
    gc.collect()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


def _child(work: Callable[[], Sample], fd: int, profile: Path | None) -> NoReturn:
    """Body of the forked child. Never returns and never runs the parent's cleanup code.

    The runner's SIGTERM/SIGHUP handlers are reset: libraries fork helpers of their own
    (pyroute2 does, to open a socket in a namespace) and stop them with SIGTERM. Should such
    a helper unwind into this frame anyway, it leaves without writing a result."""
    me = os.getpid()
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    code = 1
    try:
        payload: tuple[str, object]
        try:
            if profile is None:
                payload = ("ok", work())
            else:
                profiler = cProfile.Profile()
                payload = ("ok", profiler.runcall(work))
                profiler.dump_stats(profile)
        except BaseException as exc:
            payload = ("error", "".join(traceback.format_exception(exc)))
        if os.getpid() == me:
            with os.fdopen(fd, "wb") as pipe:
                pickle.dump(payload, pipe)
            code = 0
    finally:
        os._exit(code)


def _kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def run_command(argv: Sequence[str]) -> tuple[Sample, bytes]:
    """Time a command from spawn to exit, its stdout read fully through a pipe; return its
    Sample (total) and its stdout.

    Inside `rss_probe()` the command runs under GNU time instead, and the Sample carries the
    command's own peak RSS. (wait4's ru_maxrss cannot be used: exec(2) folds the spawning
    Python's high-water mark into the new program's.)"""
    timer = gnu_time() if _RSS_PROBE.get() else None
    with tempfile.NamedTemporaryFile("r") as rss_file:
        full = [timer, "-f", "%M", "-o", rss_file.name, *argv] if timer else list(argv)
        start = perf_counter()
        proc = subprocess.run(full, capture_output=True, check=False)
        end = perf_counter()
        if proc.returncode != 0:
            message = proc.stderr.decode(errors="replace").strip()
            raise BenchError(f"{' '.join(argv)} exited with {proc.returncode}: {message}")
        rss_kb = int(rss_file.read().split()[-1]) if timer else None
    return Sample({TOTAL: end - start}, rss_kb=rss_kb), proc.stdout


@contextmanager
def rss_probe() -> Iterator[None]:
    """Within this block, run_command measures peak RSS (and its timing is not used)."""
    token = _RSS_PROBE.set(True)
    try:
        yield
    finally:
        _RSS_PROBE.reset(token)


@cache
def gnu_time() -> str | None:
    """GNU time, if installed (it reports a command's peak RSS)."""
    path = shutil.which("time", path="/usr/bin:/bin:/usr/local/bin")
    if path is None:
        return None
    probe = subprocess.run([path, "-f", "%M", "true"], capture_output=True, check=False)
    return path if probe.returncode == 0 else None


_RSS_PROBE: ContextVar[bool] = ContextVar("rss_probe", default=False)


def timed_phases(*marks: tuple[str, float]) -> dict[str, float]:
    """Phases from perf_counter marks: ("start", t0), ("build", t1), ("send", t2) gives
    build = t1 - t0, send = t2 - t1 and total = t2 - t0."""
    phases = {name: t - marks[i][1] for i, (name, t) in enumerate(marks[1:])}
    phases[TOTAL] = marks[-1][1] - marks[0][1]
    return phases


def expect_count(what: str, seen: int, wanted: int) -> None:
    if seen != wanted:
        raise BenchError(f"{what}: expected {wanted}, found {seen}")
