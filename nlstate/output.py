"""Rendering documents as YAML or JSON (the CLI's only output formats for state)."""

from __future__ import annotations

import json
from typing import Any

import yaml

from nlstate.load.parse import StateFileDumper


def render(document: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2) + "\n"
    if fmt == "yaml":
        return str(yaml.dump(document, Dumper=StateFileDumper, sort_keys=False,
                             default_flow_style=False, allow_unicode=True))
    raise ValueError(f"unknown output format {fmt!r}")
