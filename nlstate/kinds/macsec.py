"""macsec: IEEE 802.1AE links on a parent (kernel kind "macsec", IFLA_MACSEC_*).

Only the state file's section for now; the wire table and reading the section back from the
kernel are later work. MKA keys (mka-cak, mka-ckn) need wpa_supplicant and are refused
(nlstate.model.refused).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from nlstate.values.base import FileModel
from nlstate.values.types import U16, InterfaceName

from .section import ObservedLink, Section

KIND = "macsec"


class MacsecConfig(FileModel):
    """`macsec:` (type macsec) a MACsec link on top of another link, without key agreement."""

    base_iface: InterfaceName = Field(description="The link it sits on (IFLA_LINK).")
    encrypt: bool | None = Field(
        None, description="Encrypt what it sends (IFLA_MACSEC_ENCRYPT); else only protect.")
    port: U16 | None = Field(
        None, description="Port part of the Secure Channel Identifier (IFLA_MACSEC_PORT).")
    validation: Literal["disabled", "check", "strict"] | None = Field(
        None, description="What to do with frames that fail validation "
                          "(IFLA_MACSEC_VALIDATION).")
    send_sci: bool | None = Field(
        None, description="Put the SCI in every frame (IFLA_MACSEC_INC_SCI).")
    offload: Literal["off", "phy", "mac"] | None = Field(
        None, description="Offload MACsec to the PHY or MAC (IFLA_MACSEC_OFFLOAD).")


def _observe(link: ObservedLink) -> dict[str, Any]:
    return {}  # the macsec wire table is later work


SECTION = Section({KIND: "macsec"}, "macsec", MacsecConfig, _observe)
