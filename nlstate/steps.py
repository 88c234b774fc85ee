"""A plan's step: one netlink request, what it does in words, why, and whether it interrupts
traffic. The request is built when it is sent (`Step.request(names)`), because interface
indexes are known only then: links the plan creates get theirs from the kernel."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from nlstate.netlink.consts import NLM_F_ACK, NLM_F_REQUEST, flag_names
from nlstate.netlink.message import Request, flag_context
from nlstate.objects import ANY_INDEX, RecordType

Names = Mapping[str, int]
SENT_FLAGS = NLM_F_REQUEST | NLM_F_ACK  # what the socket adds to every request of an apply


class Step(NamedTuple):  # a NamedTuple: plans make these by the hundred thousand
    action: str  # create, replace, change (a link set in place) or delete
    kind: RecordType
    records: tuple[Any, ...]  # the object (its records), or a LinkOp
    reason: str
    disruptive: bool = False

    def request(self, names: Names) -> Request:
        """The netlink request, with interface names resolved to indexes."""
        return self.kind.build(self.action, self.records, names)  # type: ignore[arg-type]

    @property
    def command(self) -> str:
        return self.kind.command(self.action, self.records)  # type: ignore[arg-type]

    def describe(self) -> dict[str, Any]:
        """The step as data (the JSON plan)."""
        shown = self.request(ANY_INDEX)
        return {
            "action": self.action,
            "section": self.kind.section,
            "object": shown.label,
            "message": shown.name,
            "flags": flag_names(shown.flags | SENT_FLAGS, flag_context(shown.name)),
            "attrs": _attrs(shown),
            "command": self.command,
            "disruptive": self.disruptive,
            "reason": self.reason,
        }


class LinkOp(NamedTuple):
    """A link request as a step's record: the interface entry it comes from, how to build it
    once indexes are known, its `ip` command, and the links it creates (the link, and a
    veth's peer), whose indexes the kernel gives."""

    link: str
    build: Callable[[Names], Request]
    command: str
    creates: tuple[str, ...] = ()


LINK_OPS = RecordType(
    "interfaces", "interfaces", key=lambda op: op,
    build=lambda action, records, names: records[0].build(names),
    command=lambda action, records: records[0].command, noun="link")


def _attrs(request: Request) -> dict[str, Any]:
    """The request's header fields (those not 0) and attributes as JSON-friendly data. The
    indexes of links are left out: the kernel assigns those of the links a plan creates."""
    if request.spec is None:
        return {}
    header, attrs = request.spec.decode(request.payload, 0, len(request.payload))
    given = {name: value for name, value in header.items() if value}
    plain: dict[str, Any] = _plain({**given, **attrs})
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.hex()
    return value
