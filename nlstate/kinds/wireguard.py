"""wireguard: the link is created over rtnetlink with no IFLA_INFO_DATA; keys, peers and ports
are configured over the "wireguard" generic-netlink family, not here."""

from __future__ import annotations

from nlstate.netlink.codec import AttrSet

KIND = "wireguard"

DATA = AttrSet("linkinfo-wireguard-attrs", "ifla-wireguard-", [])
