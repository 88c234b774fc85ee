"""Every example file, planned against an empty namespace and carried out step by step,
gives a namespace that plans nothing more; ip -j shows the example's links."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlstate import rtnl
from nlstate.apply.execute import execute
from nlstate.diff import diff
from nlstate.load import load_file
from nlstate.observe import observe
from nlstate.plan import make_plan
from tests.conftest import Netns

pytestmark = pytest.mark.netns

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yml"))


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda path: path.stem)
def test_example_carried_out_converges(netns: Netns, example: Path) -> None:
    desired = load_file(example)
    current = observe(netns.name, include_kernel=False)
    plan = make_plan(diff(desired, current), current)
    assert plan.steps
    with rtnl.open_socket(netns.name) as sock:
        execute(sock, plan.steps)
    after = observe(netns.name, include_kernel=False)
    again = make_plan(diff(desired, after), after)
    assert not again.steps, again.text()
    links = {link["ifname"]: link for link in netns.ip_json("link", "show")}
    for iface in desired.interfaces:
        if iface.state == "absent":
            assert iface.name not in links
        else:
            assert iface.name in links
            if iface.state == "up":
                assert "UP" in links[iface.name]["flags"], iface.name
