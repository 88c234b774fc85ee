"""The namespace lock's files: one set per namespace, none for a namespace not there."""

from __future__ import annotations

from pathlib import Path

import pytest

from nlstate.apply.lock import RUN_DIR_VARIABLE, namespace_key, namespace_lock
from nlstate.netlink import NetnsError


def test_no_lock_file_is_left_for_a_namespace_that_is_not_there(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(RUN_DIR_VARIABLE, str(tmp_path))
    with pytest.raises(NetnsError, match="'nlstate-not-there' does not exist"), \
            namespace_lock("nlstate-not-there"):
        pass
    assert list(tmp_path.iterdir()) == []


def test_each_namespace_has_files_of_its_own() -> None:
    """The host's own namespace and one named host (or %host) lock and keep a pending
    change apart; a path under /run/netns is its name."""
    names = [None, "host", "%host", "%%host", "lab"]
    keys = [namespace_key(name) for name in names]
    assert len(set(keys)) == len(keys)
    assert keys[0] == "host" and keys[-1] == "lab"
    assert namespace_key("/run/netns/lab") == "lab"
