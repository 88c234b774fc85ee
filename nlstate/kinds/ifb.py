"""ifb: the intermediate functional block (ingress shaping via tc); it has no IFLA_INFO_DATA."""

from __future__ import annotations

from nlstate.netlink.codec import AttrSet

KIND = "ifb"

DATA = AttrSet("linkinfo-ifb-attrs", "ifla-ifb-", [])
