"""Where in the desired file the object behind a plan step is: FILE:LINE, for the report of
a failed step. Only computed when something failed: it parses the file again."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from nlstate.diff_links import InterfaceAddress
from nlstate.load import LoadError, load_document
from nlstate.model import StateFile
from nlstate.steps import LinkOp, Step


def step_origin(step: Step, text: str, filename: str) -> str | None:
    """"FILE:LINE" of the entry that produced the step, or None (e.g. a removal that the
    ownership policy decided)."""
    try:
        model = load_document(text, filename)
    except LoadError:
        return None
    path = _entry_path(step, model)
    if path is None:
        return None
    from nlstate.load.locate import Locator  # PyYAML: imported when a step failed only

    found = Locator(text).find(path)
    return f"{filename}:{found[0]}" if found else None


def _entry_path(step: Step, model: StateFile) -> Sequence[str | int] | None:
    record = step.records[0]
    interfaces = model.interfaces or []
    if isinstance(record, LinkOp | InterfaceAddress):
        name = record.link if isinstance(record, LinkOp) else record.interface
        index = next((i for i, iface in enumerate(interfaces) if iface.name == name), None)
        if index is None:
            return None
        if isinstance(record, InterfaceAddress):
            return _address_path(index, interfaces[index], record)
        return ("interfaces", index)
    section = getattr(model, step.kind.section.replace("-", "_"), None)
    if section is None:
        return None
    wanted = step.kind.key(record)
    for index, entry in enumerate(section.config):
        if entry.state != "absent" and step.kind.key(entry.record()) == wanted:
            return (step.kind.section, "config", index)
    return None


def _address_path(index: int, iface: Any, address: InterfaceAddress,
                  ) -> Sequence[str | int]:
    for family in ("ipv4", "ipv6"):
        config = getattr(iface, family)
        for position, entry in enumerate(getattr(config, "address", None) or ()):
            if entry.ip == address.entry.ip:
                return ("interfaces", index, family, "address", position)
    return ("interfaces", index)
