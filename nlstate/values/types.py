"""Validated value types of the state file, each normalised to its canonical form."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from . import canonical


def _interface_name(name: str) -> str:
    if not name or len(name.encode()) > 15:
        raise ValueError(f"interface name {name!r} must be 1 to 15 bytes")
    if "/" in name or any(ch.isspace() for ch in name) or name in (".", ".."):
        raise ValueError(f"interface name {name!r} may not contain '/' or white space")
    return name


def _protocol(value: str | int) -> str:
    number = value if isinstance(value, int) else canonical.protocol_number(str(value))
    if not 0 <= number <= 255:
        raise ValueError("a protocol is a name or a number 0-255")
    return canonical.protocol_name(number)


IPAddress = Annotated[str, AfterValidator(canonical.ip_address)]
IPPrefix = Annotated[str, AfterValidator(canonical.ip_prefix)]
MacAddress = Annotated[str, AfterValidator(canonical.mac_address)]
InterfaceName = Annotated[str, AfterValidator(_interface_name)]
Protocol = Annotated[str | int, AfterValidator(_protocol)]
Family = Literal["ipv4", "ipv6"]
U8 = Annotated[int, Field(ge=0, le=0xFF)]
U16 = Annotated[int, Field(ge=0, le=0xFFFF)]
U32 = Annotated[int, Field(ge=0, le=0xFFFFFFFF)]
TableId = Annotated[int, Field(ge=1, le=0xFFFFFFFF)]
Absent = Literal["absent"]
