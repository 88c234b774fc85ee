"""What every request builder shares: actions and their NLM_F flags, interface lookup, errors."""

from __future__ import annotations

import socket
from collections.abc import Mapping
from typing import Literal

from nlstate.netlink.consts import NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE
from nlstate.values import canonical

Action = Literal["create", "replace", "delete"]

# NLM_F_* of each action (NLM_F_REQUEST and NLM_F_ACK are the socket's)
NEW_FLAGS: dict[Action, int] = {
    "create": NLM_F_CREATE | NLM_F_EXCL,
    "replace": NLM_F_CREATE | NLM_F_REPLACE,
    "delete": 0,
}
IP_VERBS: dict[Action, str] = {"create": "add", "replace": "replace", "delete": "del"}

STATIC = "static"  # nlstate's own protocol: what it creates when the file names none


class RequestError(ValueError):
    """A record that cannot be turned into a request."""


class UnknownInterfaceError(RequestError):
    """A record names an interface that the namespace does not have."""

    def __init__(self, what: str, interface: str) -> None:
        self.what = what
        self.interface = interface
        super().__init__(f"{what}: no interface named {interface!r}")


def ifindex(names: Mapping[str, int], interface: str, what: str) -> int:
    """The index of `interface`, or UnknownInterfaceError naming the object `what`."""
    try:
        return names[interface]
    except KeyError:
        raise UnknownInterfaceError(what, interface) from None


def family_of(address: str) -> int:
    """AF_INET or AF_INET6, from an address or prefix in text."""
    return socket.AF_INET6 if ":" in address else socket.AF_INET


def protocol_number(protocol: str | None) -> int:
    """rtm_protocol / FRA_PROTOCOL / nh_protocol to send: static when the record says none."""
    return canonical.protocol_number(protocol if protocol is not None else STATIC)


def split_prefix(prefix: str) -> tuple[str, int]:
    """'10.0.0.0/8' -> ('10.0.0.0', 8); a bare address is a host prefix."""
    address, slash, length = prefix.partition("/")
    if slash:
        return address, int(length)
    return address, 128 if ":" in address else 32
