"""hsr: HSR/PRP redundancy links over two ports (kernel kind "hsr", IFLA_HSR_*).

Only the state file's section for now; the wire table and reading the section back from the
kernel are later work (this kernel lacks the kind).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from nlstate.values.base import FileModel
from nlstate.values.errors import Finding, check
from nlstate.values.types import U8, InterfaceName

from .section import ObservedLink, Section

KIND = "hsr"


class HsrConfig(FileModel):
    """`hsr:` (type hsr) a High-availability Seamless Redundancy or Parallel Redundancy
    Protocol link over two ports."""

    port1: InterfaceName = Field(description="The first port (IFLA_HSR_SLAVE1).")
    port2: InterfaceName = Field(description="The second port (IFLA_HSR_SLAVE2).")
    multicast_spec: U8 | None = Field(
        None, description="Last byte of the supervision frames' multicast address "
                          "(IFLA_HSR_MULTICAST_SPEC); 0 when not given.")
    protocol: Literal["hsr", "prp"] | None = Field(
        None, description="hsr or prp (IFLA_HSR_PROTOCOL); hsr when not given.")

    @model_validator(mode="after")
    def _two_ports(self) -> HsrConfig:
        check(type(self).__name__, [
            Finding(("port2",), f"port2 is {self.port2}, the same link as port1; HSR and PRP "
                    "need two different ports", self.port2),
        ] if self.port1 == self.port2 else [])
        return self


def _observe(link: ObservedLink) -> dict[str, Any]:
    return {}  # the hsr wire table is later work


SECTION = Section({KIND: "hsr"}, "hsr", HsrConfig, _observe)
