"""Canonical forms of addresses, so that equal things compare equal: inet_ntop's text for IP
addresses (what observe reports), prefixes without host bits, upper-case MAC addresses.

Standard library only: the value types import this while nlstate.rtnl is still loading.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import string
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

_HEX = frozenset(string.hexdigits)
_V4 = (socket.AF_INET, 32)
_V6 = (socket.AF_INET6, 128)
_LENGTHS = {str(length): length for length in range(129)}  # the common spelling, parsed
_inet_pton = socket.inet_pton
_inet_ntop = socket.inet_ntop


@lru_cache(maxsize=4096)  # gateways and sources repeat across many routes
def ip_address(text: str) -> str:
    """'2001:DB8:0::1' -> '2001:db8::1'; raises ValueError for a bad address. The form is
    inet_ntop's, i.e. what observe reports (::ffff:192.0.2.1 stays dotted)."""
    text = text.strip()
    family = socket.AF_INET6 if ":" in text else socket.AF_INET
    packed = _packed(family, text)
    if packed is not None:
        return socket.inet_ntop(family, packed)
    ipaddress.ip_address(text)  # raises the explanation for most bad addresses
    raise ValueError(f"{text!r} is not a plain IP address (a zone index such as %eth0 is "
                     "given as next-hop-interface)")


def ip_prefix(text: str) -> str:
    """'10.0.0.0/24' stays, '2001:db8:0::/64' -> '2001:db8::/64', a bare address gets /32 or
    /128. Host bits set are an error: the kernel refuses such a route."""
    text = text.strip()
    address, slash, length = text.partition("/")
    family, bits = _V6 if ":" in address else _V4
    prefix = bits if not slash else _LENGTHS.get(length, -1)
    if prefix < 0 and length.isascii() and length.isdigit() and len(length) <= 3:
        prefix = int(length)  # '032': leading zeros
    try:
        packed = _inet_pton(family, address) if 0 <= prefix <= bits else None
    except (OSError, ValueError, UnicodeError):
        packed = None
    if packed is None:
        ipaddress.ip_network(text, strict=False)  # raises the explanation
        raise ValueError(f"{text!r} is not a plain IP prefix (no zone index)")
    if prefix < bits:
        _no_host_bits(text, family, packed, prefix)
    canonical = _inet_ntop(family, packed)
    if canonical == address and slash and _LENGTHS.get(length) == prefix:
        return text  # already canonical: no new string (100k destinations are 6 MB)
    return f"{canonical}/{prefix}"


_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_CANONICAL_IPV4_PREFIX = re.compile(rf"(?:{_OCTET}\.){{3}}{_OCTET}/(?:3[0-2]|[12]?[0-9])")


def canonical_ipv4_prefixes(values: Sequence[Any]) -> bool:
    """Whether ip_prefix would return every value as it is: IPv4 prefixes written as it
    writes them (no leading zeros, no spaces, a length), without host bits. In C calls but
    for lengths under 32: a 100k-route file's destinations are checked in a third of the
    time ip_prefix takes for them. False says only that some value needs ip_prefix."""
    try:
        if not all(map(_CANONICAL_IPV4_PREFIX.fullmatch, values)):
            return False
    except TypeError:  # not a string
        return False
    # each fully matched value holds "/32" at most once, and then at its end
    if ("\n".join(values) + "\n").count("/32\n") == len(values):
        return True
    return all(map(_ipv4_host_bits_clear, values))


def _ipv4_host_bits_clear(prefix: str) -> bool:
    address, _, length = prefix.partition("/")
    return not _host_bits(socket.inet_aton(address), int(length))


def _host_bits(packed: bytes, prefix: int) -> int:
    """The bits of a packed address past its prefix length (0: none set)."""
    return int.from_bytes(packed, "big") & ((1 << (len(packed) * 8 - prefix)) - 1)


def _no_host_bits(text: str, family: int, packed: bytes, prefix: int) -> None:
    host_bits = _host_bits(packed, prefix)
    if host_bits:
        value = int.from_bytes(packed, "big") ^ host_bits
        network = socket.inet_ntop(family, value.to_bytes(len(packed), "big"))
        raise ValueError(f"{text} has host bits set; the network is {network}/{prefix}")


def _packed(family: int, text: str) -> bytes | None:
    try:
        return socket.inet_pton(family, text)
    except (OSError, ValueError, UnicodeError):
        return None


_CANONICAL_MAC = re.compile(r"[0-9A-F]{2}(?::[0-9A-F]{2})*")


def mac_address(text: str) -> str:
    """'aa:bb:cc:dd:ee:ff' / 'aa-bb-...' -> 'AA:BB:CC:DD:EE:FF' (nmstate's form)."""
    upper = text.upper()
    if _CANONICAL_MAC.fullmatch(upper):  # as observe gives every link's (in lower case)
        return upper
    digits = text.strip().replace("-", ":").split(":")
    if any(len(d) not in (1, 2) or not _HEX.issuperset(d) for d in digits):
        raise ValueError(f"{text!r} is not a link-layer address (hex bytes separated by ':', "
                         "e.g. 02:00:00:00:00:01)")
    return ":".join(f"{int(d, 16):02X}" for d in digits)


def is_ipv6(text: str) -> bool:
    return ":" in text
