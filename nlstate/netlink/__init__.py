"""The netlink protocol core: standard library only, knows nothing of links or YAML."""

from .codec import Attr, Attrs, AttrSet, Member, Struct, SubMessage
from .errors import (
    DecodeError,
    DumpInterruptedError,
    EncodeError,
    ExtAck,
    KernelError,
    NetlinkError,
    NetnsError,
    OverrunError,
)
from .message import Catalog, Message, MessageSpec, Request, decode_message, encode_message
from .socket import BatchOverrunError, BatchResult, NetlinkSocket, NetlinkTimeout

__all__ = [
    "Attr",
    "AttrSet",
    "Attrs",
    "BatchOverrunError",
    "BatchResult",
    "Catalog",
    "DecodeError",
    "DumpInterruptedError",
    "EncodeError",
    "ExtAck",
    "KernelError",
    "Member",
    "Message",
    "MessageSpec",
    "NetlinkError",
    "NetlinkSocket",
    "NetlinkTimeout",
    "NetnsError",
    "OverrunError",
    "Request",
    "Struct",
    "SubMessage",
    "decode_message",
    "encode_message",
]  # fmt: skip
