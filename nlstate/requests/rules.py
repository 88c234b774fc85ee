"""Policy routing rules -> RTM_NEWRULE / RTM_DELRULE requests (the inverse of dump_rules).

A rule cannot be changed in place: a change is a delete and a create. Rules name their
interfaces (FRA_IIFNAME/FRA_OIFNAME), so they need no ifindex.
"""

from __future__ import annotations

from typing import Any, Literal

from nlstate.model.records import RouteRule
from nlstate.netlink.message import Request
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.rule import FIB_RULE_INVERT, FR_ACT_TO_TBL, FR_ACTIONS

from .common import IP_VERBS, NEW_FLAGS, RequestError, protocol_number, split_prefix

__all__ = ["RuleAction", "rule_command", "rule_key", "rule_request"]

RuleAction = Literal["create", "delete"]
FAMILIES = rc.FAMILY_NUMBERS
ACTION_NUMBERS = {name: number for number, name in FR_ACTIONS.items()}
NO_MASK = 0xFFFFFFFF  # the mask the kernel gives a fwmark that came without one
# values dump_rules reports as unset (None): a file that gives them means the same rule
REPORTED_AS_UNSET = {"tos": 0, "invert": False, "l3mdev": False, "fwmask": NO_MASK}


def rule_key(rule: RouteRule) -> RouteRule:
    """The rule's identity: every selector with the action and table, defaults filled as
    dump_rules reports them (family ipv4, table main for a lookup, REPORTED_AS_UNSET
    unset); protocol is an attribute of the rule, not part of its identity."""
    return rule._replace(
        family=rule.family or "ipv4", route_table=_table(rule), protocol=None,
        **{name: None for name, value in REPORTED_AS_UNSET.items()
           if getattr(rule, name) == value})


def rule_request(action: RuleAction, rule: RouteRule) -> Request:
    """Create (CREATE|EXCL) or delete the rule. A delete sends what the record says: the
    kernel deletes the first rule that matches every attribute given."""
    if action not in ("create", "delete"):
        raise RequestError(f"rule {_describe(rule)}: rules are replaced by delete and create, "
                           f"not {action!r}")
    family = FAMILIES[rule.family or "ipv4"]
    table = _table(rule) if action == "create" else rule.route_table
    header: dict[str, Any] = {
        "family": family, "tos": rule.tos or 0,
        "table": table if table is not None and table < 256 else rc.RT_TABLE_UNSPEC,
        "action": ACTION_NUMBERS[rule.action] if rule.action else FR_ACT_TO_TBL,
        "flags": FIB_RULE_INVERT if rule.invert else 0,
    }
    attrs: dict[str | int, Any] = {}
    for key, prefix in (("src", rule.ip_from), ("dst", rule.ip_to)):
        if prefix is not None:
            address, length = split_prefix(prefix)
            header[f"{key}-len"] = length
            attrs[key] = address
    if table is not None:
        attrs["table"] = table
    attrs.update(_selectors(rule))
    if rule.protocol is not None or action == "create":
        attrs["protocol"] = protocol_number(rule.protocol)
    msg_type = rc.RTM_NEWRULE if action == "create" else rc.RTM_DELRULE
    return build_request(msg_type, header, attrs, NEW_FLAGS[action], "rule " + _describe(rule))


def rule_command(action: RuleAction, rule: RouteRule) -> str:
    """The `ip rule` command that does what rule_request(action, rule) does."""
    six = "-6 " if rule.family == "ipv6" else ""
    words = [_describe(rule)]
    if action == "create":
        table = _table(rule)
        if table is not None and rule.route_table is None:
            words.append(f"lookup {rc.TABLES.get(table, table)}")
        words.append(f"protocol {rule.protocol or 'static'}")
    elif rule.protocol is not None:
        words.append(f"protocol {rule.protocol}")
    return f"ip {six}rule {IP_VERBS[action]} " + " ".join(words)


def _table(rule: RouteRule) -> int | None:
    """The table a rule looks up: main for a lookup rule that names none."""
    if rule.route_table is not None:
        return rule.route_table
    if rule.action is None and not rule.l3mdev:
        return rc.RT_TABLE_MAIN
    return None


def _selectors(rule: RouteRule) -> dict[str | int, Any]:
    values: dict[str | int, Any] = {
        "priority": rule.priority, "fwmark": rule.fwmark, "fwmask": rule.fwmask,
        "iifname": rule.iif, "oifname": rule.oif, "goto": rule.goto,
        "suppress-prefixlen": rule.suppress_prefix_length,
        "suppress-ifgroup": rule.suppress_ifgroup, "ip-proto": rule.ip_proto,
        "l3mdev": 1 if rule.l3mdev else None,
        "sport-range": _range(rule.sport), "dport-range": _range(rule.dport),
        "uid-range": _range(rule.uid_range),
    }
    return {key: value for key, value in values.items() if value is not None}


def _range(text: str | None) -> dict[str, int] | None:
    if text is None:
        return None
    start, _, end = text.partition("-")
    return {"start": int(start), "end": int(end or start)}


def _describe(rule: RouteRule) -> str:
    """`ip rule` arguments for the rule's selectors and action."""
    words = ["not"] if rule.invert else []
    tos = f"{rule.tos:#04x}" if rule.tos is not None else None  # ip reads it as hex
    for word, value in (
        ("priority", rule.priority), ("from", rule.ip_from), ("to", rule.ip_to),
        ("tos", tos), ("iif", rule.iif), ("oif", rule.oif), ("ipproto", rule.ip_proto),
        ("sport", rule.sport), ("dport", rule.dport), ("uidrange", rule.uid_range),
    ):
        if value is not None:
            words += [word, str(value)]
    if rule.fwmark is not None:
        mask = f"/{rule.fwmask:#x}" if rule.fwmask is not None else ""
        words += ["fwmark", f"{rule.fwmark:#x}{mask}"]
    if rule.l3mdev:
        words.append("l3mdev")
    if rule.route_table is not None:
        words += ["lookup", str(rc.TABLES.get(rule.route_table, rule.route_table))]
    if rule.action == "goto":
        words += ["goto", str(rule.goto)]
    elif rule.action is not None:
        words.append(rule.action)
    for word, value in (("suppress_prefixlength", rule.suppress_prefix_length),
                        ("suppress_ifgroup", rule.suppress_ifgroup)):
        if value is not None:
            words += [word, str(value)]
    return " ".join(words) if words else "from all"
