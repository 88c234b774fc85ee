"""docs/reference.md is what the models say today."""

from __future__ import annotations

from pathlib import Path

from nlstate.docs import reference

REFERENCE = Path(__file__).resolve().parents[2] / "docs" / "reference.md"


def test_reference_is_up_to_date() -> None:
    assert REFERENCE.read_text() == reference(), (
        "docs/reference.md is stale: python -m nlstate schema --markdown > docs/reference.md")


def test_reference_covers_every_section() -> None:
    text = reference()
    for heading in ("### Interface", "### RouteConfig", "### RouteRuleConfig",
                    "### NeighborConfig", "### NexthopConfig", "### BridgeConfig"):
        assert heading in text


def test_every_example_of_the_reference_is_valid() -> None:
    from nlstate.docs import EXAMPLES
    from nlstate.load import load_text

    for title, text in EXAMPLES.items():
        load_text(text, f"docs example {title!r}")
