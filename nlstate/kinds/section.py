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


Resolver = Callable[[str], int]  # interface name -> ifindex (raises for an unknown name)
KernelData = dict[str | int, Any]


@dataclass(frozen=True)
class Section:
    """A kind's section: the interface types it serves (kernel kind -> file type), its key in
    an interface, its model, and how to read it from the kernel — and back:

    - to_kernel(section, resolver): the link's IFLA_INFO_DATA, only what the section says;
    - port_data(section): None when the section lists no ports, else {port name: its
      IFLA_INFO_SLAVE_DATA} for every port listed ({} for a port without settings);
    - base_link: the section's base-iface is the link's IFLA_LINK (vlan, macvlan, ipvlan);
    - mtu_follows_ports: the kernel moves the link's MTU to its ports' least as they join or
      leave, unless a change of its own set it (an MTU given with the create, or the one it
      already has, does not count) (a bridge);
    - immutable: the section's keys that the kernel cannot change on an existing link;
    - changeable: whether the kind has a changelink at all (else any data change recreates);
    - refused(have, want): further keys whose change the kernel refuses for these values;
    - ip_words(section, data): `ip link ... type KIND` arguments saying `data` (to_kernel's
      output, or the part of it that changes); port_words(data) the same for a port's
      IFLA_INFO_SLAVE_DATA (`ip link set PORT type KIND_slave ...`).
    """

    types: Mapping[str, str]
    key: str
    model: type[FileModel]
    observe: Callable[[ObservedLink], dict[str, Any]]
    to_kernel: Callable[[Any, Resolver], KernelData] | None = None
    port_data: Callable[[Any], dict[str, KernelData] | None] | None = None
    base_link: bool = False
    mtu_follows_ports: bool = False
    immutable: tuple[str, ...] = ()
    changeable: bool = True
    refused: Callable[[Any, Any], list[str]] | None = None
    ip_words: Callable[[Any, KernelData], list[str]] | None = None
    port_words: Callable[[KernelData], list[str]] | None = None


def seconds(centiseconds: int | None) -> int | None:
    """Bridge timers: the kernel speaks clock ticks of 1/100 s, the file whole seconds."""
    return None if centiseconds is None else centiseconds // 100


def flag(value: Any) -> bool | None:
    return None if value is None else bool(value)


def centiseconds(value: int | None) -> int | None:
    """Whole seconds of the file -> the kernel's clock ticks of 1/100 s."""
    return None if value is None else value * 100


def u8_flag(value: bool | None) -> int | None:
    """An on/off option the kernel takes as a u8 0/1."""
    return None if value is None else int(value)


def words_of(data: KernelData, names: Mapping[str, str],
             show: Callable[[str, Any], str] = lambda _, value: str(value)) -> list[str]:
    """`ip` arguments for kernel attributes: names maps attribute -> ip keyword, `show`
    renders a value."""
    words: list[str] = []
    for key, value in data.items():
        if isinstance(key, str) and key in names:
            words += [names[key], show(key, value)]
    return words


def given(values: dict[str | int, Any]) -> KernelData:
    """The attributes whose value is said (not None)."""
    return {k: v for k, v in values.items() if v is not None}
