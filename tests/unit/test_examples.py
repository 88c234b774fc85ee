"""Every file in examples/ is a valid state file."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from nlstate.model import State

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yml"))


def test_there_are_examples() -> None:
    assert EXAMPLES


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_example_loads(path: Path) -> None:
    state = State.from_document(yaml.safe_load(path.read_text()))
    assert state.interfaces or state.routes
