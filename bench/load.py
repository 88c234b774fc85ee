"""Load lane: a state file with N routes, from its text to a State (parse, validate, records).

The files (YAML and JSON, the same document) are written before any run, in a temporary
folder removed afterwards. No namespaces: nothing touches the kernel. Each run reads the
file and makes a State of it. nlstate's YAML and JSON rows are `load_text`, what every
command does (phases: read, load); the others go step by step (phases: read, parse,
validate with StateFile.model_validate, state with State.from_file).
"""

from __future__ import annotations

import ipaddress
import json
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path
from time import perf_counter
from typing import Any

import yaml

from nlstate.load import load_text, to_state, validate_document
from nlstate.load.parse import parse_text
from nlstate.load.yaml_text import fast_yaml_version
from nlstate.model import State, StateFile

from .harness import Config, Outcome, Sample, Variant, expect_count, measure, timed_phases
from .netns import Netns

GATEWAY = "192.0.2.2"
_FILES: dict[tuple[int, str], Path] = {}


def route_entry(i: int) -> dict[str, Any]:
    """Route i of a generated file: mostly IPv4 /32s via a gateway, every tenth an IPv6 /64
    via a link-local gateway in table 100, every fiftieth (from 7) a blackhole."""
    if i % 10 == 9:
        return {"destination": f"2001:db8:{i >> 16:x}:{i & 0xFFFF:x}::/64",
                "next-hop-address": "fe80::1", "next-hop-interface": "eth1",
                "metric": 1024, "table-id": 100}
    destination = f"{ipaddress.IPv4Address((10 << 24) + i)}/32"
    if i % 50 == 7:
        return {"destination": destination, "route-type": "blackhole"}
    return {"destination": destination, "next-hop-address": GATEWAY,
            "next-hop-interface": "eth1", "metric": 100, "table-id": 254}


def state_document(size: int) -> dict[str, Any]:
    return {"interfaces": [{"name": "eth1", "type": "ethernet", "state": "up"}],
            "routes": {"config": [route_entry(i) for i in range(size)]}}


def write_files(size: int, folder: Path) -> None:
    document = state_document(size)
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    yaml_path = folder / f"routes-{size}.yml"
    yaml_path.write_text(yaml.dump(document, Dumper=dumper, sort_keys=False))
    json_path = folder / f"routes-{size}.json"
    json_path.write_text(json.dumps(document, indent=2) + "\n")
    _FILES[size, "yaml"], _FILES[size, "json"] = yaml_path, json_path


# --------------------------------------------------------------------------- variants

Parse = Callable[[str, str], Any]
Validate = Callable[[Any], StateFile]
Convert = Callable[[StateFile], State]


def _read(fmt: str, size: int) -> tuple[str, str, float, float]:
    """The file's text and name, and the clock before and after reading it."""
    path = _FILES[size, fmt]
    start = perf_counter()
    text = path.read_text(encoding="utf-8")
    return text, str(path), start, perf_counter()


def pipeline(fmt: str, parse: Parse, validate: Validate, convert: Convert
             ) -> Callable[[str, int], Sample]:
    def run(_: str, size: int) -> Sample:
        text, name, start, read = _read(fmt, size)
        document = parse(text, name)
        parsed = perf_counter()
        model = validate(document)
        validated = perf_counter()
        state = convert(model)
        sample = Sample(timed_phases(("start", start), ("read", read), ("parse", parsed),
                                     ("validate", validated), ("state", perf_counter())))
        sample.count = len(state.routes)
        return sample
    return run


def loaded(fmt: str) -> Callable[[str, int], Sample]:
    """load_text: parse, validate, records, as every command loads a file."""
    def run(_: str, size: int) -> Sample:
        text, name, start, read = _read(fmt, size)
        state = load_text(text, name)
        sample = Sample(timed_phases(("start", start), ("read", read), ("load", perf_counter())))
        sample.count = len(state.routes)
        return sample
    return run


def _referee_parse(text: str, name: str) -> Any:
    return parse_text(text, name, fast=False)


def _pyyaml_parse(text: str, _: str) -> Any:
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _json_parse(text: str, _: str) -> Any:
    return json.loads(text)


BASELINE = "PyYAML CSafeLoader + validation"


def variants() -> list[Variant]:
    fast = fast_yaml_version()
    parser = f"yaml-rs {fast}" if fast else "yaml-rs not installed: PyYAML"
    held = "GC held"
    return [
        Variant("nlstate YAML", loaded("yaml"), "nlstate",
                note=f"load_text: parse_text ({parser}), {held}"),
        Variant("nlstate YAML, PyYAML path", pipeline(
            "yaml", _referee_parse, validate_document, to_state),
            "nlstate", note=f"parse_text(fast=False): the fallback without yaml-rs, {held}"),
        Variant("nlstate JSON", loaded("json"), "nlstate",
                note=f"load_text: parse_text (json.loads, duplicate keys refused), {held}"),
        Variant(BASELINE, pipeline("yaml", _pyyaml_parse, StateFile.model_validate,
                                   State.from_file), "pyyaml",
                note="yaml.load + StateFile.model_validate + State.from_file, GC running"),
        Variant("json.loads + validation", pipeline("json", _json_parse, StateFile.model_validate,
                                                    State.from_file), "json",
                note="json.loads + StateFile.model_validate + State.from_file, GC running"),
    ]


@contextmanager
def _files(size: int) -> Iterator[None]:
    with tempfile.TemporaryDirectory(prefix="nlbench-load-") as folder:
        write_files(size, Path(folder))
        try:
            yield
        finally:
            _FILES.pop((size, "yaml"), None)
            _FILES.pop((size, "json"), None)


def load(size: int, cfg: Config) -> list[Outcome]:
    """Each run: one forked interpreter loads the N-route file; N records must come out."""
    def verify(_: Netns, sample: Sample) -> None:
        expect_count("routes loaded", sample.count, size)

    with _files(size):
        return measure("load", size, variants(), BASELINE, cfg,
                       lambda: nullcontext(Netns("none")), verify)
