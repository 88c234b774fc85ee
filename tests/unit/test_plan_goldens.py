"""Golden plans: tests/cases/<name>/{current.yml, desired.yml} -> plan.txt (or, for a
refusal, error.txt); an optional `options` file holds plan options (--allow-recreate).
Most cases start from one of the shared hosts, tests/cases/host-*.yml, which their
current.yml links to.
Regenerate after a deliberate change with NLSTATE_REGEN=1 and review the diff of the .txt
files like code."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nlstate.diff import diff
from nlstate.load import LoadError, load_file
from nlstate.plan import PlanError, make_plan

CASES = Path(__file__).resolve().parents[1] / "cases"
REGENERATE = bool(os.environ.get("NLSTATE_REGEN"))


def render(case: Path) -> tuple[str, str]:
    """(file name, text): the plan, or the refusal when the case's files are refused."""
    try:
        current = load_file(case / "current.yml")
        desired = load_file(case / "desired.yml")
    except LoadError as exc:
        return "error.txt", str(exc).replace(str(case) + "/", "") + "\n"
    options = (case / "options").read_text().split() if (case / "options").exists() else []
    result = diff(desired, current, allow_recreate="--allow-recreate" in options)
    if result.conflicts:
        return "error.txt", "".join(f"conflict: {c}\n" for c in result.conflicts)
    try:
        return "plan.txt", make_plan(result, current).text()
    except PlanError as exc:
        return "error.txt", f"error: {exc}\n"


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()),
                         ids=lambda p: p.name)
def test_golden_plan(case: Path) -> None:
    name, text = render(case)
    expected = case / name
    if REGENERATE:
        for stale in ("plan.txt", "error.txt"):
            (case / stale).unlink(missing_ok=True)
        expected.write_text(text)
    assert expected.exists(), f"{case.name}: no {name} (run with NLSTATE_REGEN=1)"
    assert text == expected.read_text()
