"""What every kind module offers the pipeline: its section of an interface in the state file
and how to read that section from the kernel's view of a link."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nlstate.values.base import FileModel


@dataclass(frozen=True)
class ObservedPort:
    """A link whose controller is the link being read, with its IFLA_INFO_SLAVE_DATA."""

    name: str
    data: Mapping[str | int, Any]


@dataclass(frozen=True)
class ObservedLink:
    """A link as the kernel reports it, for a kind to read its section from."""

    name: str
    attrs: Mapping[str | int, Any]  # IFLA_*
    data: Mapping[str | int, Any]  # IFLA_INFO_DATA, decoded ({} when absent)
    ports: Sequence[ObservedPort]
    names: Mapping[int, str]  # ifindex -> name

    def link_name(self, index: int | None) -> str | None:
        """Name of the link with this ifindex (its number when it is in another namespace)."""
        if not index:
            return None
        return self.names.get(index, str(index))


@dataclass(frozen=True)
class Section:
    """A kind's section: the interface types it serves (kernel kind -> file type), its key in
    an interface, its model, and how to read it from the kernel."""

    types: Mapping[str, str]
    key: str
    model: type[FileModel]
    observe: Callable[[ObservedLink], dict[str, Any]]


def seconds(centiseconds: int | None) -> int | None:
    """Bridge timers: the kernel speaks clock ticks of 1/100 s, the file whole seconds."""
    return None if centiseconds is None else centiseconds // 100


def flag(value: Any) -> bool | None:
    return None if value is None else bool(value)
