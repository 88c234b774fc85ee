"""Links: ifinfomsg and IFLA_* (rt-link.yaml).

IFLA_INFO_DATA and IFLA_INFO_SLAVE_DATA are sub-messages chosen by the link's kind;
the kind modules (nlstate.kinds) add their attribute sets to LINKINFO_DATA / LINKINFO_SLAVE_DATA.

IFLA_AF_SPEC has two layouts, chosen by ifinfomsg.ifi_family: in AF_UNSPEC messages a nest
per address family (AF_INET -> IFLA_INET_*, AF_INET6 -> IFLA_INET6_*), in AF_BRIDGE messages
(`bridge vlan`, bridge port setlink) the IFLA_BRIDGE_* attributes directly. Attribute
decoders do not see the header, so the af-spec codec tells them apart by their content.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping, Sequence
from typing import Any

from nlstate.netlink.codec import (
    Attr,
    Attrs,
    AttrSet,
    Decoder,
    Encoder,
    Member,
    Struct,
    SubMessage,
    decode_attrs,
    encode_attr,
)
from nlstate.netlink.consts import NLA_TYPE_MASK, align
from nlstate.netlink.errors import DecodeError, EncodeError
from nlstate.netlink.message import MessageSpec

from .consts import AF_INET, AF_INET6

IFINFOMSG = Struct("ifinfomsg", [
    Member("ifi-family", "u8"),
    Member("pad", "pad", 1),
    Member("ifi-type", "u16"),
    Member("ifi-index", "s32"),
    Member("ifi-flags", "u32"),
    Member("ifi-change", "u32"),
])

# net_device_flags (IFF_*)
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
IFF_RUNNING = 0x40
IFF_NOARP = 0x80
IFF_PROMISC = 0x100
IFF_ALLMULTI = 0x200
IFF_MULTICAST = 0x1000
IFF_LOWER_UP = 0x10000
IFF_DORMANT = 0x20000

# IF_OPER_*
OPERSTATES = {0: "unknown", 1: "notpresent", 2: "down", 3: "lowerlayerdown", 4: "testing",
              5: "dormant", 6: "up"}

LINKINFO_DATA = SubMessage("kind")
LINKINFO_SLAVE_DATA = SubMessage("slave-kind")

LINKINFO_ATTRS = AttrSet("linkinfo-attrs", "ifla-info-", [
    Attr("kind", "string"),
    Attr("data", "sub-message", sub_message=LINKINFO_DATA),
    Attr("xstats", "binary"),
    Attr("slave-kind", "string"),
    Attr("slave-data", "sub-message", sub_message=LINKINFO_SLAVE_DATA),
])

# What observe decodes of a kind's data: only what the kind's section reads (kinds.register
# fills these; a bridge's is 12 of its 49 attributes)
LINKINFO_DATA_OBSERVED = SubMessage("kind")
LINKINFO_SLAVE_DATA_OBSERVED = SubMessage("slave-kind")

PROP_LIST_ATTRS = AttrSet("prop-list-link-attrs", "ifla-", [
    (53, Attr("alt-ifname", "string", multi=True)),
])

# --------------------------------------------------------------------------- codec helpers


def packed(name: str, layout: Sequence[tuple[str, str]], **options: Any) -> Attr:
    """A fixed struct as a custom attribute, for members `Struct` cannot express (e.g. __be16).

    `layout` is (member, struct format) pairs such as ("low", ">H"); an empty member name is
    padding ("", "2x"). Decodes to a dict of the named members; missing members encode as 0.
    """
    parts = [(field_name, struct.Struct(fmt)) for field_name, fmt in layout]
    size = sum(st.size for _, st in parts)

    def decode(payload: bytes, _: Attrs) -> dict[str, Any]:
        if len(payload) < size:
            raise DecodeError(f"{name}: need {size} bytes, have {len(payload)}")
        out: dict[str, Any] = {}
        offset = 0
        for field_name, st in parts:
            if field_name:
                out[field_name] = st.unpack_from(payload, offset)[0]
            offset += st.size
        return out

    def encode(value: Mapping[str, Any], _: object) -> bytes:
        unknown = set(value) - {field_name for field_name, _ in parts if field_name}
        if unknown:
            raise EncodeError(f"{name}: no member(s) {sorted(unknown)}")
        return b"".join(st.pack(value.get(field_name, 0)) if field_name else st.pack()
                        for field_name, st in parts)

    return Attr(name, "custom", decode_fn=decode, encode_fn=encode, **options)


def counters(names: Sequence[str], code: str) -> tuple[Decoder, Encoder]:
    """A packed array of integers (statistics) decoded to {name: value}, in array order.

    Element i is called names[i]; elements beyond the names are keyed by their number i + 1.
    A shorter array (as older kernels send) decodes to fewer keys; encoding writes elements
    0..the last one given, missing ones as 0, so a decoded array re-encodes to the same bytes.
    """
    item = struct.Struct("=" + code)
    index = {n: i for i, n in enumerate(names)}

    def decode(payload: bytes, _: Attrs) -> dict[str | int, int]:
        if len(payload) % item.size:
            raise DecodeError(f"{len(payload)} bytes is not a whole array of {code}")
        return {names[i] if i < len(names) else i + 1: v
                for i, (v,) in enumerate(item.iter_unpack(payload))}

    def encode(value: Mapping[str | int, int], _: object) -> bytes:
        given = {_position(k, index): v for k, v in value.items()}
        count = max(given, default=-1) + 1
        return b"".join(item.pack(given.get(i, 0)) for i in range(count))

    return decode, encode


def devconf(names: Sequence[str], code: str) -> tuple[Decoder, Encoder]:
    """IFLA_INET_CONF / IFLA_INET6_CONF: the interface's sysctls (ipv4/ipv6 devconf).

    The kernel sends them as a packed array (element i is devconf id i + 1, called names[i]),
    which decodes to a list and re-encodes to the same array. It accepts them (IPv4 only)
    as a nest of u32 attributes numbered by devconf id, which decodes to and encodes from a
    dict {name or id: value} naming only the values to set: {"forwarding": 1}.
    """
    item = struct.Struct("=" + code)
    index = {n: i for i, n in enumerate(names)}

    def decode(payload: bytes, _: Attrs) -> list[int] | dict[str | int, int]:
        # the array's first element (forwarding) is 0 or 1, a nest's first nla_len is 8
        if len(payload) >= 8 and payload[0:2] == b"\x08\x00":
            out: dict[str | int, int] = {}
            for offset in range(0, len(payload) - len(payload) % 8, 8):
                alen, atype = _NLA.unpack_from(payload, offset)
                if alen != 4 + item.size:
                    raise DecodeError(f"devconf entry of length {alen}")
                i = (atype & NLA_TYPE_MASK) - 1
                out[names[i] if 0 <= i < len(names) else i + 1] = item.unpack_from(
                    payload, offset + 4)[0]
            return out
        if len(payload) % item.size:
            raise DecodeError(f"{len(payload)} bytes is not a whole array of {code}")
        return [v for (v,) in item.iter_unpack(payload)]

    def encode(value: Sequence[int] | Mapping[str | int, int], _: object) -> bytes:
        if isinstance(value, Mapping):
            return b"".join(encode_attr(_position(k, index) + 1, item.pack(v))
                            for k, v in value.items())
        return b"".join(item.pack(v) for v in value)

    return decode, encode


def _position(key: str | int, index: Mapping[str, int]) -> int:
    if isinstance(key, int):
        return key - 1
    if key not in index:
        raise EncodeError(f"no element {key!r} (known: {', '.join(index)})")
    return index[key]


_NLA = struct.Struct("=HH")

# --------------------------------------------------------------------------- statistics

_STATS_NAMES = (
    "rx-packets", "tx-packets", "rx-bytes", "tx-bytes", "rx-errors", "tx-errors",
    "rx-dropped", "tx-dropped", "multicast", "collisions", "rx-length-errors",
    "rx-over-errors", "rx-crc-errors", "rx-frame-errors", "rx-fifo-errors",
    "rx-missed-errors", "tx-aborted-errors", "tx-carrier-errors", "tx-fifo-errors",
    "tx-heartbeat-errors", "tx-window-errors", "rx-compressed", "tx-compressed",
    "rx-nohandler",
)  # fmt: skip
# struct rtnl_link_stats (u32) and rtnl_link_stats64 (u64): they grew over the years
# (rx-nohandler in 4.6, rx-otherhost-dropped in 5.17), so they decode by length.
_STATS = counters(_STATS_NAMES, "I")
_STATS64 = counters((*_STATS_NAMES, "rx-otherhost-dropped"), "Q")

# --------------------------------------------------------------------------- IFLA_AF_SPEC

IPV4_DEVCONF = (
    "forwarding", "mc-forwarding", "proxy-arp", "accept-redirects", "secure-redirects",
    "send-redirects", "shared-media", "rp-filter", "accept-source-route", "bootp-relay",
    "log-martians", "tag", "arpfilter", "medium-id", "noxfrm", "nopolicy",
    "force-igmp-version", "arp-announce", "arp-ignore", "promote-secondaries", "arp-accept",
    "arp-notify", "accept-local", "src-vmark", "proxy-arp-pvlan", "route-localnet",
    "igmpv2-unsolicited-report-interval", "igmpv3-unsolicited-report-interval",
    "ignore-routes-with-linkdown", "drop-unicast-in-l2-multicast", "drop-gratuitous-arp",
    "bc-forwarding", "arp-evict-nocarrier",
)  # fmt: skip
IPV6_DEVCONF = (
    "forwarding", "hoplimit", "mtu6", "accept-ra", "accept-redirects", "autoconf",
    "dad-transmits", "rtr-solicits", "rtr-solicit-interval", "rtr-solicit-delay",
    "use-tempaddr", "temp-valid-lft", "temp-prefered-lft", "regen-max-retry",
    "max-desync-factor", "max-addresses", "force-mld-version", "accept-ra-defrtr",
    "accept-ra-pinfo", "accept-ra-rtr-pref", "rtr-probe-interval",
    "accept-ra-rt-info-max-plen", "proxy-ndp", "optimistic-dad", "accept-source-route",
    "mc-forwarding", "disable-ipv6", "accept-dad", "force-tllao", "ndisc-notify",
    "mldv1-unsolicited-report-interval", "mldv2-unsolicited-report-interval",
    "suppress-frag-ndisc", "accept-ra-from-local", "use-optimistic", "accept-ra-mtu",
    "stable-secret", "use-oif-addrs-only", "accept-ra-min-hop-limit",
    "ignore-routes-with-linkdown", "drop-unicast-in-l2-multicast", "drop-unsolicited-na",
    "keep-addr-on-down", "rtr-solicit-max-interval", "seg6-enabled", "seg6-require-hmac",
    "enhanced-dad", "addr-gen-mode", "disable-policy", "accept-ra-rt-info-min-plen",
    "ndisc-tclass", "rpl-seg-enabled", "ra-defrtr-metric", "ioam6-enabled", "ioam6-id",
    "ioam6-id-wide", "ndisc-evict-nocarrier", "accept-untracked-na", "accept-ra-min-lft",
    "force-forwarding",
)  # fmt: skip
INET6_STATS = (
    "num", "inpkts", "inoctets", "indelivers", "outforwdatagrams", "outpkts", "outoctets",
    "inhdrerrors", "intoobigerrors", "innoroutes", "inaddrerrors", "inunknownprotos",
    "intruncatedpkts", "indiscards", "outdiscards", "outnoroutes", "reasmtimeout",
    "reasmreqds", "reasmoks", "reasmfails", "fragoks", "fragfails", "fragcreates",
    "inmcastpkts", "outmcastpkts", "inbcastpkts", "outbcastpkts", "inmcastoctets",
    "outmcastoctets", "inbcastoctets", "outbcastoctets", "csumerrors", "noectpkts",
    "ect1-pkts", "ect0-pkts", "cepkts", "reasm-overlaps",
)  # fmt: skip
ICMP6_STATS = ("num", "inmsgs", "inerrors", "outmsgs", "outerrors", "csumerrors",
               "ratelimithost")

# enum in6_addr_gen_mode (IFLA_INET6_ADDR_GEN_MODE)
ADDR_GEN_MODES = {0: "eui64", 1: "none", 2: "stable-privacy", 3: "random"}

IFLA_CACHEINFO = Struct("ifla-cacheinfo", [
    Member("max-reasm-len", "u32"),
    Member("tstamp", "u32"),
    Member("reachable-time", "s32"),
    Member("retrans-time", "u32"),
])

_INET_CONF = devconf(IPV4_DEVCONF, "I")
_INET6_CONF = devconf(IPV6_DEVCONF, "i")  # __s32: use-tempaddr is -1 on lo
_INET6_STATS = counters(INET6_STATS, "Q")
_ICMP6_STATS = counters(ICMP6_STATS, "Q")

INET_ATTRS = AttrSet("ifla-attrs", "ifla-inet-", [
    Attr("conf", "custom", decode_fn=_INET_CONF[0], encode_fn=_INET_CONF[1]),
])

INET6_ATTRS = AttrSet("ifla6-attrs", "ifla-inet6-", [
    Attr("flags", "u32"),
    Attr("conf", "custom", decode_fn=_INET6_CONF[0], encode_fn=_INET6_CONF[1]),
    Attr("stats", "custom", decode_fn=_INET6_STATS[0], encode_fn=_INET6_STATS[1]),
    Attr("mcast", "binary"),
    Attr("cacheinfo", "struct", struct=IFLA_CACHEINFO),
    Attr("icmp6stats", "custom", decode_fn=_ICMP6_STATS[0], encode_fn=_ICMP6_STATS[1]),
    Attr("token", "ipaddr"),
    Attr("addr-gen-mode", "u8"),
    Attr("ra-mtu", "u32"),
])

MCTP_ATTRS = AttrSet("mctp-attrs", "ifla-mctp-", [
    Attr("net", "u32"),
    Attr("phys-binding", "u8"),
])

AF_MCTP = 45

AF_SPEC_ATTRS = AttrSet("af-spec-attrs", "af-", [
    (AF_INET, Attr("inet", "nest", nested=INET_ATTRS)),
    (AF_INET6, Attr("inet6", "nest", nested=INET6_ATTRS)),
    (AF_MCTP, Attr("mctp", "nest", nested=MCTP_ATTRS)),
])

# <linux/if_bridge.h>: struct bridge_vlan_info and its flags
BRIDGE_VLAN_INFO = Struct("bridge-vlan-info", [
    Member("flags", "u16"),
    Member("vid", "u16"),
])
BRIDGE_VLAN_INFO_MASTER = 0x1
BRIDGE_VLAN_INFO_PVID = 0x2
BRIDGE_VLAN_INFO_UNTAGGED = 0x4
BRIDGE_VLAN_INFO_RANGE_BEGIN = 0x8
BRIDGE_VLAN_INFO_RANGE_END = 0x10
BRIDGE_VLAN_INFO_BRENTRY = 0x20
BRIDGE_VLAN_INFO_ONLY_OPTS = 0x40
BRIDGE_FLAGS_MASTER = 1
BRIDGE_FLAGS_SELF = 2
BRIDGE_MODES = {0: "veb", 1: "vepa", 0xFFFF: "undef"}

BRIDGE_VLAN_TUNNEL_ATTRS = AttrSet("bridge-vlan-tunnel-attrs", "ifla-bridge-vlan-tunnel-", [
    Attr("id", "u32"),
    Attr("vid", "u16"),
    Attr("flags", "u16"),
])

# IFLA_BRIDGE_* count from 0 (IFLA_BRIDGE_FLAGS); they are IFLA_AF_SPEC's content in
# AF_BRIDGE messages. MRP/CFM/MST are nests kept as bytes.
BRIDGE_AF_SPEC_ATTRS = AttrSet("bridge-af-spec-attrs", "ifla-bridge-", [
    Attr("flags", "u16"),
    Attr("mode", "u16"),
    Attr("vlan-info", "struct", struct=BRIDGE_VLAN_INFO, multi=True),
    Attr("vlan-tunnel-info", "nest", nested=BRIDGE_VLAN_TUNNEL_ATTRS, multi=True),
    Attr("mrp", "binary"),
    Attr("cfm", "binary"),
    Attr("mst", "binary"),
], start=0)

_BRIDGE_ONLY_TYPES = frozenset({0, 1, 3, 4, 5, 6})  # no address family has af-spec data there
_IFLA_BRIDGE_VLAN_INFO = 2  # == AF_INET: told apart by size (a 4-byte struct, not a nest)


def is_bridge_af_spec(payload: bytes) -> bool:
    """True when an IFLA_AF_SPEC payload holds IFLA_BRIDGE_* rather than per-family nests."""
    offset = 0
    while offset + 4 <= len(payload):
        alen, atype = _NLA.unpack_from(payload, offset)
        number = atype & NLA_TYPE_MASK
        if alen < 4:
            return False
        if number in _BRIDGE_ONLY_TYPES or (number == _IFLA_BRIDGE_VLAN_INFO
                                            and alen == 4 + BRIDGE_VLAN_INFO.size):
            return True
        offset += align(alen)
    return False


def _decode_af_spec(payload: bytes, _: Attrs) -> Attrs:
    aset = BRIDGE_AF_SPEC_ATTRS if is_bridge_af_spec(payload) else AF_SPEC_ATTRS
    return decode_attrs(payload, 0, len(payload), aset)


def _encode_af_spec(value: Mapping[str | int, Any], _: object) -> bytes:
    bridge = any(isinstance(k, str) and k in BRIDGE_AF_SPEC_ATTRS.by_name for k in value)
    return (BRIDGE_AF_SPEC_ATTRS if bridge else AF_SPEC_ATTRS).encode(value)


# --------------------------------------------------------------------------- SR-IOV VFs

IFLA_VF_MAC = Struct("ifla-vf-mac", [Member("vf", "u32"), Member("mac", "binary", 32)])
IFLA_VF_VLAN = Struct("ifla-vf-vlan", [Member("vf", "u32"), Member("vlan", "u32"),
                                       Member("qos", "u32")])
IFLA_VF_TX_RATE = Struct("ifla-vf-tx-rate", [Member("vf", "u32"), Member("rate", "u32")])
IFLA_VF_SPOOFCHK = Struct("ifla-vf-spoofchk", [Member("vf", "u32"), Member("setting", "u32")])
IFLA_VF_LINK_STATE = Struct("ifla-vf-link-state", [Member("vf", "u32"),
                                                   Member("link-state", "u32")])
IFLA_VF_RATE = Struct("ifla-vf-rate", [Member("vf", "u32"), Member("min-tx-rate", "u32"),
                                       Member("max-tx-rate", "u32")])
IFLA_VF_RSS_QUERY_EN = Struct("ifla-vf-rss-query-en", [Member("vf", "u32"),
                                                       Member("setting", "u32")])
IFLA_VF_TRUST = Struct("ifla-vf-trust", [Member("vf", "u32"), Member("setting", "u32")])
# struct ifla_vf_guid {__u32 vf; __u64 guid;}: 4 bytes of alignment padding before guid
IFLA_VF_GUID = Struct("ifla-vf-guid", [Member("vf", "u32"), Member("pad", "pad", 4),
                                       Member("guid", "u64")])
VF_LINK_STATES = {0: "auto", 1: "enable", 2: "disable"}

VF_STATS_ATTRS = AttrSet("vf-stats-attrs", "ifla-vf-stats-", [
    Attr("rx-packets", "u64"),
    Attr("tx-packets", "u64"),
    Attr("rx-bytes", "u64"),
    Attr("tx-bytes", "u64"),
    Attr("broadcast", "u64"),
    Attr("multicast", "u64"),
    Attr("pad", "pad"),
    Attr("rx-dropped", "u64"),
    Attr("tx-dropped", "u64"),
], start=0)

VF_VLAN_ATTRS = AttrSet("vf-vlan-attrs", "ifla-vf-vlan-", [
    # struct ifla_vf_vlan_info {__u32 vf, vlan, qos; __be16 vlan_proto;} (+2 bytes padding)
    packed("info", [("vf", "=I"), ("vlan", "=I"), ("qos", "=I"), ("vlan-proto", ">H"),
                    ("", "2x")], multi=True),
])

VFINFO_ATTRS = AttrSet("vfinfo-attrs", "ifla-vf-", [
    Attr("mac", "struct", struct=IFLA_VF_MAC),
    Attr("vlan", "struct", struct=IFLA_VF_VLAN),
    Attr("tx-rate", "struct", struct=IFLA_VF_TX_RATE),
    Attr("spoofchk", "struct", struct=IFLA_VF_SPOOFCHK),
    Attr("link-state", "struct", struct=IFLA_VF_LINK_STATE),
    Attr("rate", "struct", struct=IFLA_VF_RATE),
    Attr("rss-query-en", "struct", struct=IFLA_VF_RSS_QUERY_EN),
    Attr("stats", "nest", nested=VF_STATS_ATTRS),
    Attr("trust", "struct", struct=IFLA_VF_TRUST),
    Attr("ib-node-guid", "struct", struct=IFLA_VF_GUID),
    Attr("ib-port-guid", "struct", struct=IFLA_VF_GUID),
    Attr("vlan-list", "nest", nested=VF_VLAN_ATTRS),
    Attr("broadcast", "binary"),
])

VFINFO_LIST_ATTRS = AttrSet("vfinfo-list-attrs", "ifla-vf-", [
    Attr("info", "nest", nested=VFINFO_ATTRS, multi=True),
])

# --------------------------------------------------------------------------- XDP, proto-down, ...

XDP_ATTRS = AttrSet("xdp-attrs", "ifla-xdp-", [
    Attr("fd", "s32"),
    Attr("attached", "u8"),
    Attr("flags", "u32"),
    Attr("prog-id", "u32"),
    Attr("drv-prog-id", "u32"),
    Attr("skb-prog-id", "u32"),
    Attr("hw-prog-id", "u32"),
    Attr("expected-fd", "s32"),
])
XDP_ATTACHED = {0: "none", 1: "drv", 2: "skb", 3: "hw", 4: "multi"}

DPLL_PIN_ATTRS = AttrSet("link-dpll-pin-attrs", "dpll-a-", [
    Attr("id", "u32"),
])

PROTO_DOWN_REASON_ATTRS = AttrSet("proto-down-reason-attrs", "ifla-proto-down-reason-", [
    Attr("mask", "u32"),
    Attr("value", "u32"),
])

LINK_ATTRS = AttrSet("link-attrs", "ifla-", [
    Attr("address", "mac"),
    Attr("broadcast", "mac"),
    Attr("ifname", "string"),
    Attr("mtu", "u32"),
    Attr("link", "u32"),
    Attr("qdisc", "string"),
    Attr("stats", "custom", decode_fn=_STATS[0], encode_fn=_STATS[1]),
    Attr("cost", "string"),
    Attr("priority", "string"),
    Attr("master", "u32"),
    Attr("wireless", "string"),
    Attr("protinfo", "binary"),
    Attr("txqlen", "u32"),
    Attr("map", "binary"),  # struct rtnl_link_ifmap; old kernels leak its padding bytes
    Attr("weight", "u32"),
    Attr("operstate", "u8"),
    Attr("linkmode", "u8"),
    Attr("linkinfo", "nest", nested=LINKINFO_ATTRS),
    Attr("net-ns-pid", "u32"),
    Attr("ifalias", "string"),
    Attr("num-vf", "u32"),
    Attr("vfinfo-list", "nest", nested=VFINFO_LIST_ATTRS),
    Attr("stats64", "custom", decode_fn=_STATS64[0], encode_fn=_STATS64[1]),
    Attr("vf-ports", "binary"),
    Attr("port-self", "binary"),
    Attr("af-spec", "custom", decode_fn=_decode_af_spec, encode_fn=_encode_af_spec),
    Attr("group", "u32"),
    Attr("net-ns-fd", "u32"),
    Attr("ext-mask", "u32"),
    Attr("promiscuity", "u32"),
    Attr("num-tx-queues", "u32"),
    Attr("num-rx-queues", "u32"),
    Attr("carrier", "u8"),
    Attr("phys-port-id", "binary"),
    Attr("carrier-changes", "u32"),
    Attr("phys-switch-id", "binary"),
    Attr("link-netnsid", "s32"),
    Attr("phys-port-name", "string"),
    Attr("proto-down", "u8"),
    Attr("gso-max-segs", "u32"),
    Attr("gso-max-size", "u32"),
    Attr("pad", "pad"),
    Attr("xdp", "nest", nested=XDP_ATTRS),
    Attr("event", "u32"),
    Attr("new-netnsid", "s32"),
    Attr("target-netnsid", "s32"),
    Attr("carrier-up-count", "u32"),
    Attr("carrier-down-count", "u32"),
    Attr("new-ifindex", "s32"),
    Attr("min-mtu", "u32"),
    Attr("max-mtu", "u32"),
    Attr("prop-list", "nest", nested=PROP_LIST_ATTRS, nested_flag=True),
    Attr("alt-ifname", "string"),
    Attr("perm-address", "mac"),
    Attr("proto-down-reason", "nest", nested=PROTO_DOWN_REASON_ATTRS),
    Attr("parent-dev-name", "string"),
    Attr("parent-dev-bus-name", "string"),
    Attr("gro-max-size", "u32"),
    Attr("tso-max-size", "u32"),
    Attr("tso-max-segs", "u32"),
    Attr("allmulti", "u32"),
    Attr("devlink-port", "binary", nested_flag=True),  # a nest the kernel marks NLA_F_NESTED
    Attr("gso-ipv4-max-size", "u32"),
    Attr("gro-ipv4-max-size", "u32"),
    Attr("dpll-pin", "nest", nested=DPLL_PIN_ATTRS),
    Attr("max-pacing-offload-horizon", "uint"),
    Attr("netns-immutable", "u8"),
    Attr("headroom", "u16"),
    Attr("tailroom", "u16"),
])

LINK = MessageSpec("link", IFINFOMSG, LINK_ATTRS)
