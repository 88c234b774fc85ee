"""Rendering documents as YAML or JSON (the CLI's only output formats for state)."""

from __future__ import annotations

import json
from typing import Any


def render(document: Any, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(document, indent=2) + "\n"
    if fmt == "yaml":
        from nlstate.load.yaml_text import dump_yaml  # PyYAML: imported for YAML only

        return dump_yaml(document)
    raise ValueError(f"unknown output format {fmt!r}")
