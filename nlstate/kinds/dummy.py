"""dummy: a link that drops what it is sent; it has no IFLA_INFO_DATA."""

from __future__ import annotations

from nlstate.netlink.codec import AttrSet

KIND = "dummy"

DATA = AttrSet("linkinfo-dummy-attrs", "ifla-dummy-", [])
