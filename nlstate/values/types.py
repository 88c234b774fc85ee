"""Validated value types of the state file, each normalised to its canonical form."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from . import addresses, canonical

U32_MAX = 0xFFFFFFFF
# The kernel's reserved table numbers (<linux/rtnetlink.h>: RT_TABLE_DEFAULT/MAIN/LOCAL),
# the only table names accepted: other names live in /etc/iproute2/rt_tables, which a file
# checked on another host cannot rely on.
TABLE_NAMES = {"default": 253, "main": 254, "local": 255}


@dataclass(frozen=True)
class ColumnCheck:
    """Metadata of a value type for the bulk loader (load/bulk.py), which pydantic ignores:
    `passes(values)` True says the type's validators would keep every value as it is, so a
    long column of them need not go through those one by one."""

    passes: Callable[[Sequence[Any]], bool]


def _name_problem(name: str, limit: int) -> str | None:
    """What the kernel's dev_valid_name() would object to, or None."""
    if not name or len(name.encode()) > limit:
        return f"must be 1 to {limit} bytes"
    if name in (".", "..") or any(ch in "/:" or ch.isspace() for ch in name):
        return "may not be '.' or '..' nor contain '/', ':' or white space"
    return None


@lru_cache(maxsize=4096)  # one interface is named by many routes
def _interface_name(name: str) -> str:
    problem = _name_problem(name, 15)
    if problem:
        raise ValueError(f"interface name {name!r} {problem}")
    return name


def _controller_name(name: str) -> str:
    """A controller's name, or "" for none (nmstate's way to release a port)."""
    return name if name == "" else _interface_name(name)


def _alt_name(name: str) -> str:
    problem = _name_problem(name, 127)
    if problem:
        raise ValueError(f"alternative name {name!r} {problem}")
    return name


def _protocol(value: str | int) -> str:
    number = value if isinstance(value, int) else canonical.protocol_number(str(value))
    if not 0 <= number <= 255:
        raise ValueError("a protocol is a name or a number 0-255")
    return canonical.protocol_name(number)


def _table_name(value: Any) -> Any:
    if isinstance(value, str) and value.strip() in TABLE_NAMES:
        return TABLE_NAMES[value.strip()]
    return value


def _table_number(value: int) -> int:
    if not 1 <= value <= U32_MAX:
        raise ValueError(f"table {value} does not exist: tables are 1-{U32_MAX} (or main, "
                         "local, default = 254, 255, 253); 0 means no table")
    return value


def _hex_text(value: Any) -> Any:
    """'0x30' (a hex number given as a string, as JSON must) -> 48; YAML reads 0x30 itself."""
    if isinstance(value, str) and value.strip().lower().startswith("0x"):
        try:
            return int(value.strip(), 16)
        except ValueError:
            return value  # int validation says what is wrong
    return value


def _mtu(value: int) -> int:
    if not 1 <= value <= 0x7FFFFFFF:
        raise ValueError(f"mtu {value} is out of range: the kernel takes 1-{0x7FFFFFFF} "
                         "(68 is the least for any link that carries IPv4)")
    return value


IPAddress = Annotated[str, AfterValidator(addresses.ip_address)]
IPPrefix = Annotated[str, AfterValidator(addresses.ip_prefix),
                     ColumnCheck(addresses.canonical_ipv4_prefixes)]
MacAddress = Annotated[str, AfterValidator(addresses.mac_address)]
InterfaceName = Annotated[str, AfterValidator(_interface_name)]
ControllerName = Annotated[str, AfterValidator(_controller_name)]
AltName = Annotated[str, AfterValidator(_alt_name)]
Protocol = Annotated[str | int, AfterValidator(_protocol)]
Family = Literal["ipv4", "ipv6"]
U8 = Annotated[int, Field(ge=0, le=0xFF)]
U16 = Annotated[int, Field(ge=0, le=0xFFFF)]
U32 = Annotated[int, Field(ge=0, le=U32_MAX)]
S32 = Annotated[int, Field(ge=-(2**31), le=2**31 - 1)]
# A 32-bit mask or mark: a number, also written as a hex string ("0x30")
Mark = Annotated[int, BeforeValidator(_hex_text), Field(ge=0, le=U32_MAX)]
# A routing table: 1-2^32-1, or one of the kernel's reserved names, kept as the number.
TableId = Annotated[int, BeforeValidator(_table_name), AfterValidator(_table_number),
                    Field(json_schema_extra={"minimum": 1, "maximum": U32_MAX})]
VlanId = Annotated[int, Field(ge=1, le=4094)]
Mtu = Annotated[int, AfterValidator(_mtu),
                Field(json_schema_extra={"minimum": 1, "maximum": 0x7FFFFFFF})]
Absent = Literal["absent"]
