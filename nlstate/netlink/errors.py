"""Typed errors of the netlink core."""

from __future__ import annotations

import errno as errno_module
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .message import Request


class NetlinkError(Exception):
    """Base of every error the netlink core raises."""


class DecodeError(NetlinkError):
    """Bytes that are not a well-formed netlink message (truncated, bad lengths, bad values)."""


class EncodeError(NetlinkError):
    """A value that cannot be encoded for the attribute or struct field it was given to."""


def errno_name(code: int) -> str:
    return errno_module.errorcode.get(code, f"E{code}")


@dataclass(frozen=True)
class ExtAck:
    """The kernel's extended acknowledgement (NETLINK_EXT_ACK TLVs of an NLMSG_ERROR/DONE)."""

    message: str | None = None
    offset: int | None = None
    cookie: bytes | None = None
    missing_type: int | None = None
    missing_nest: int | None = None


class KernelError(NetlinkError):
    """The kernel refused a request: errno, its name, extended ack and the request itself."""

    def __init__(
        self,
        code: int,
        ext_ack: ExtAck | None = None,
        request: Request | None = None,
        attr_path: Sequence[str] | None = None,
    ) -> None:
        self.errno = code
        self.errno_name = errno_name(code)
        self.ext_ack = ext_ack or ExtAck()
        self.request = request
        self.attr_path: tuple[str, ...] = tuple(attr_path or ())
        super().__init__(self._describe())

    @property
    def ext_message(self) -> str | None:
        return self.ext_ack.message

    @property
    def offset(self) -> int | None:
        return self.ext_ack.offset

    def _describe(self) -> str:
        text = f"{self.errno_name}: {os.strerror(self.errno)}"
        if self.ext_ack.message:
            text += f": {self.ext_ack.message}"
        if self.attr_path:
            text += f" (attribute {'/'.join(self.attr_path)})"
        elif self.ext_ack.offset is not None:
            text += f" (at byte offset {self.ext_ack.offset})"
        if self.request is not None:
            text += f" [in {self.request.describe()}]"
        return text


class DumpInterruptedError(NetlinkError):
    """NLM_F_DUMP_INTR: the state changed during the dump; the caller should dump again."""


class OverrunError(NetlinkError):
    """ENOBUFS: the kernel dropped replies because our receive buffer was full.

    Netlink is not a reliable protocol. `unknown` holds the requests whose outcome is
    unknown (their reply may have been dropped); `results` what was learned before.
    """

    def __init__(
        self,
        unknown: Sequence[Request] = (),
        results: Sequence[KernelError | None] = (),
    ) -> None:
        self.unknown = tuple(unknown)
        self.results = tuple(results)
        detail = f"; outcome of {len(self.unknown)} request(s) unknown" if self.unknown else ""
        super().__init__(f"ENOBUFS: netlink receive buffer overrun, replies were lost{detail}")


class NetnsError(NetlinkError):
    """A network namespace that cannot be entered (missing, no permission)."""
