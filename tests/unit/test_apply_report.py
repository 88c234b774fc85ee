"""What apply reports when its verification finds the kernel's state still differs."""

from __future__ import annotations

from pathlib import Path

from nlstate.apply.run import differences
from nlstate.diff import diff
from nlstate.load import load_file

CASES = Path(__file__).resolve().parents[1] / "cases"


def test_verification_names_object_field_wanted_and_found() -> None:
    """What apply's verification reports when the kernel's state still differs."""
    directory = CASES / "link-mtu-change-up-link"
    current = load_file(directory / "current.yml")
    lines = differences(diff(load_file(directory / "desired.yml"), current))
    assert "link va: mtu wanted 9000, found 1500" in lines
    directory = CASES / "route-replace-gateway"
    lines = differences(diff(load_file(directory / "desired.yml"),
                             load_file(directory / "current.yml")))
    assert any("next-hop-address wanted 192.0.2.7, found 192.0.2.1" in line for line in lines)
