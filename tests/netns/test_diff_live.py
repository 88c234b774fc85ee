"""diff against a live namespace: its own show output diffs to nothing, and one edit of that
output gives exactly one change."""

from __future__ import annotations

import copy

import pytest

from nlstate.diff import diff
from nlstate.model import State
from nlstate.observe import observe
from tests.conftest import Netns
from tests.netns.test_show import build_rich_state

pytestmark = pytest.mark.netns


def test_show_output_of_a_namespace_diffs_to_nothing(netns: Netns) -> None:
    build_rich_state(netns)
    current = observe(netns.name)
    shown = observe(netns.name, include_kernel=False).document()
    result = diff(State.from_document(shown), current)
    assert not result.changes and not result.conflicts


def test_one_edit_is_one_change(netns: Netns) -> None:
    build_rich_state(netns)
    current = observe(netns.name)
    document = copy.deepcopy(observe(netns.name, include_kernel=False).document())
    route = next(r for r in document["routes"]["config"] if r["destination"] == "10.1.0.0/16")
    route["metric"] = 10  # the same: no change
    route["mtu"] = 1300
    [change] = diff(State.from_document(document), current).changes
    assert (change.op, change.fields) == ("update", ("mtu",))
    assert change.after[0].mtu == 1300 and change.after[0].next_hop_address == "192.0.2.2"
