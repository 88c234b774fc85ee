"""observe redoes the whole set of dumps when the kernel flags one as interrupted."""

from __future__ import annotations

from collections.abc import Collection

import pytest

import nlstate.observe as observe_module
from nlstate.model import State
from nlstate.netlink import DumpInterruptedError, NetlinkSocket
from nlstate.objects import RECORD_TYPES


def test_interrupted_dump_is_redone(monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[tuple[State, dict[str, int]] | Exception] = [
        DumpInterruptedError("1"), DumpInterruptedError("2"), (State(), {"lo": 1})]

    def once(sock: NetlinkSocket, include_kernel: bool, skip: Collection[str],
             ) -> tuple[State, dict[str, int]]:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    monkeypatch.setattr(observe_module, "_observe_once", once)
    with NetlinkSocket() as sock:
        assert observe_module.observe_with(sock) == State()
    assert outcomes == []


def test_a_state_that_keeps_changing_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def once(sock: NetlinkSocket, include_kernel: bool, skip: Collection[str],
             ) -> tuple[State, dict[str, int]]:
        calls.append(1)
        raise DumpInterruptedError("again")

    monkeypatch.setattr(observe_module, "_observe_once", once)
    with NetlinkSocket() as sock, pytest.raises(DumpInterruptedError, match="kept changing"):
        observe_module.observe_with(sock)
    assert len(calls) == observe_module.ATTEMPTS


def test_the_sections_observe_can_leave_out_are_the_record_types() -> None:
    """observe_indexed's skip names sections as the record types do (a misspelt one would
    be dumped all the same): it refuses another word."""
    assert set(observe_module.SECTIONS) == {kind.section for kind in RECORD_TYPES}
    with NetlinkSocket() as sock, pytest.raises(ValueError, match="no section 'neighbours'"):
        observe_module.observe_indexed(sock, skip=("neighbours",))
