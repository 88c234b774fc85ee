"""The netlink core against the real kernel, each test in its own namespace, checked with ip -j."""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
import threading

import pytest

from nlstate import rtnl
from nlstate.netlink import (
    BatchOverrunError,
    BatchResult,
    KernelError,
    NetlinkSocket,
    NetnsError,
    Request,
)
from nlstate.netlink.consts import NLM_F_CREATE, NLM_F_EXCL
from nlstate.netlink.netns import call_in_netns
from nlstate.rtnl import consts as c
from tests.conftest import Netns

pytestmark = pytest.mark.netns

CREATE = NLM_F_CREATE | NLM_F_EXCL


def _with_gateway_link(ns: Netns) -> int:
    """A veth with 192.0.2.1/24 up, so that routes via 192.0.2.2 are possible; its ifindex."""
    ns.ip("link", "add", "gw0", "type", "veth", "peer", "name", "gw1")
    ns.ip("addr", "add", "192.0.2.1/24", "dev", "gw0")
    ns.ip("link", "set", "gw0", "up")
    ns.ip("link", "set", "gw1", "up")
    return int(ns.ip_json("link", "show", "gw0")[0]["ifindex"])


def _route(dst: str, gateway: str, table: int = 254) -> Request:
    net = ipaddress.ip_network(dst)
    return rtnl.build_request(
        c.RTM_NEWROUTE,
        {"rtm-family": socket.AF_INET, "rtm-dst-len": net.prefixlen, "rtm-table": 254,
         "rtm-protocol": c.RTPROT_STATIC, "rtm-scope": 0, "rtm-type": c.RTN_UNICAST},
        {"dst": str(net.network_address), "gateway": gateway, "table": table},
        flags=CREATE, label=f"route {dst} via {gateway}",
    )


def _route_count(ns: Netns, table: str = "main") -> int:
    return len(ns.ip_json("-4", "route", "show", "table", table))


def test_dumps_match_iproute2(netns: Netns) -> None:
    _with_gateway_link(netns)
    netns.ip("addr", "add", "2001:db8::1/64", "dev", "gw0", "nodad")
    netns.ip("route", "add", "10.20.0.0/16", "via", "192.0.2.2", "metric", "7")
    with rtnl.open_socket(netns.name) as sock:
        links = list(sock.dump(rtnl.build_request(c.RTM_GETLINK)))
        addrs = list(sock.dump(rtnl.build_request(c.RTM_GETADDR)))
        routes = list(sock.dump(rtnl.build_request(c.RTM_GETROUTE,
                                                   {"rtm-family": socket.AF_INET})))
    ip_links = {link["ifname"]: link for link in netns.ip_json("link", "show")}
    ours = {m.attrs["ifname"]: m for m in links}
    assert set(ours) == set(ip_links)
    for name, msg in ours.items():
        assert msg.header["ifi-index"] == ip_links[name]["ifindex"]
        assert msg.attrs["mtu"] == ip_links[name]["mtu"]
        if ip_links[name]["link_type"] in ("ether", "loopback"):  # tunnels carry an IP here
            assert msg.attrs["address"] == ip_links[name]["address"]

    ip_addrs = {(a["ifname"], i["local"], i["prefixlen"])
                for a in netns.ip_json("addr", "show") for i in a["addr_info"]}
    index_to_name = {m.header["ifi-index"]: m.attrs["ifname"] for m in links}
    our_addrs = {(index_to_name[m.header["ifa-index"]], m.attrs.get("local", m.attrs["address"]),
                  m.header["ifa-prefixlen"]) for m in addrs}
    assert our_addrs == ip_addrs

    route = next(m for m in routes if m.attrs.get("dst") == "10.20.0.0")
    assert route.header["rtm-dst-len"] == 16
    assert route.attrs["gateway"] == "192.0.2.2"
    assert route.attrs["priority"] == 7
    assert {m.attrs.get("dst") for m in routes if m.attrs.get("table") == 254} == {
        r["dst"].split("/")[0] for r in netns.ip_json("route", "show")}


@pytest.mark.parametrize("ack", ["each", "last"])
def test_batch_attributes_the_one_failure_to_its_request(netns: Netns, ack: str) -> None:
    _with_gateway_link(netns)
    total, bad = 10_000, 5_000
    requests = [
        _route(f"10.{i // 256}.{i % 256}.0/24", "192.0.2.2") for i in range(total)
    ]
    requests[bad] = _route("10.200.0.0/24", "198.51.100.1")  # gateway on no link: unreachable
    with rtnl.open_socket(netns.name) as sock:
        result = sock.batch(requests, ack=ack)
    assert result.failed == [bad]
    error = result.errors[bad]
    assert isinstance(error, KernelError)
    assert error.errno == errno.ENETUNREACH
    assert error.errno_name == "ENETUNREACH"
    assert error.ext_message == "Nexthop has invalid gateway"
    assert error.request is requests[bad]
    assert "198.51.100.1" in str(error)
    assert not result.unknown and not result.unsent
    installed = {r["dst"] for r in netns.ip_json("route", "show", "proto", "static")}
    assert len(installed) == total - 1
    assert "10.200.0.0/24" not in installed


def test_batch_stop_on_error_sends_nothing_after_the_failing_chunk(netns: Netns) -> None:
    _with_gateway_link(netns)
    requests = [_route(f"10.1.{i}.0/24", "192.0.2.2") for i in range(200)]
    requests[10] = _route("10.200.0.0/24", "198.51.100.1")
    with rtnl.open_socket(netns.name) as sock:
        result = sock.batch(requests, ack="last", max_bytes=1024, stop_on_error=True)
    assert result.failed == [10]
    assert result.unsent and result.unsent[-1] == 199
    sent = 200 - len(result.unsent)
    assert len(netns.ip_json("route", "show", "proto", "static")) == sent - 1


def test_batches_framed_before_either_is_sent_get_their_own_replies(netns: Netns) -> None:
    """An apply frames the next part (sequence numbers and all) while its sender thread
    sends the one before: each part's refusal goes to its own request."""
    _with_gateway_link(netns)
    first = [_route(f"10.1.{i // 4}.{i % 4 * 64}/26", "192.0.2.2") for i in range(300)]
    second = [_route(f"10.2.{i // 4}.{i % 4 * 64}/26", "192.0.2.2") for i in range(300)]
    first[7] = _route("10.200.0.0/24", "198.51.100.1")  # unreachable gateways
    second[250] = _route("10.201.0.0/24", "198.51.100.1")
    with rtnl.open_socket(netns.name) as sock:
        framed = [sock.frame(part, ack="last", max_bytes=2048) for part in (first, second)]
        sender = threading.Thread(target=lambda: results.append(sock.send_framed(framed[0])))
        results: list[BatchResult] = []
        sender.start()
        sender.join()
        results.append(sock.send_framed(framed[1]))
    assert [result.failed for result in results] == [[7], [250]]
    assert results[0].errors[7] is not None and results[0].errors[7].request is first[7]
    assert results[1].errors[250] is not None and results[1].errors[250].request is second[250]
    assert len(netns.ip_json("route", "show", "proto", "static")) == 598


def test_batch_sends_no_more_than_the_send_buffer_takes(netns: Netns) -> None:
    """A sendmsg longer than the send buffer is refused (EMSGSIZE); where the buffer stays
    small (no privilege to raise it), batch() sends smaller chunks than it was asked to."""
    _with_gateway_link(netns)
    requests = [_route(f"10.3.{i // 256}.{i % 256}/32", "192.0.2.2") for i in range(2000)]
    with rtnl.open_socket(netns.name, sndbuf=4096) as sock:  # the kernel doubles it
        result = sock.batch(requests, ack="last", max_bytes=1 << 20)
    assert not result.failed and not result.unsent
    assert len(netns.ip_json("route", "show", "proto", "static")) == 2000


def _route_dump() -> Request:
    return rtnl.build_request(c.RTM_GETROUTE, {"rtm-family": socket.AF_INET})


def test_a_dump_of_many_datagrams_is_read_whole(netns: Netns) -> None:
    _with_gateway_link(netns)
    requests = [_route(f"10.3.{i // 256}.{i % 256}/32", "192.0.2.2") for i in range(5000)]
    with rtnl.open_socket(netns.name) as sock:
        assert sock.batch(requests, ack="last", max_bytes=1 << 20).ok
        datagrams = list(sock.dump_frames(_route_dump()))
        assert len(datagrams) > 2  # read by the reader thread after the first
        assert sum(len(frames) for _, frames in datagrams) == _route_count(netns, "all")
        # the socket is this thread's again: a request after the dump gets its own reply
        assert sock.batch([_route("10.4.0.0/16", "192.0.2.2")]).ok


def test_a_dump_left_early_is_read_to_its_end_before_the_socket_is_used_again(
        netns: Netns) -> None:
    _with_gateway_link(netns)
    requests = [_route(f"10.5.{i // 256}.{i % 256}/32", "192.0.2.2") for i in range(5000)]
    with rtnl.open_socket(netns.name) as sock:
        assert sock.batch(requests, ack="last", max_bytes=1 << 20).ok
        before = threading.active_count()
        datagrams = sock.dump_frames(_route_dump())
        next(datagrams)
        next(datagrams)  # the reader thread runs
        datagrams.close()
        assert threading.active_count() == before, "the reader must be done on close"
        again = sum(len(frames) for _, frames in sock.dump_frames(_route_dump()))
    assert again == _route_count(netns, "all")


def test_tiny_receive_buffer_overrun_raises_enobufs(netns: Netns) -> None:
    _with_gateway_link(netns)
    requests = [_route(f"10.2.{i // 256}.{i % 256}/32", "192.0.2.2") for i in range(2000)]
    # rcvbuf=1: the kernel rounds up to its minimum
    with rtnl.open_socket(netns.name, rcvbuf=1) as sock, pytest.raises(BatchOverrunError) as caught:
        sock.batch(requests, ack="each", max_bytes=64 * 1024)
    overrun = caught.value
    assert overrun.result.unknown, "an overrun must say which outcomes are unknown"
    assert set(overrun.result.unknown).isdisjoint(overrun.result.failed)
    assert "ENOBUFS" in str(overrun)


def test_extended_ack_offset_becomes_an_attribute_path(netns: Netns) -> None:
    from nlstate.netlink.codec import encode_attr

    spec = rtnl.MESSAGES[c.RTM_NEWLINK][1]
    bad_mtu = encode_attr(spec.attrs["mtu"].number, b"\x01")  # a u32 sent as one byte
    payload = spec.encode({}, {"ifname": "b0", "linkinfo": {"kind": "bridge"}}) + bad_mtu
    request = Request(c.RTM_NEWLINK, CREATE, payload, spec, "bridge b0", "RTM_NEWLINK")
    with rtnl.open_socket(netns.name) as sock, pytest.raises(KernelError) as caught:
        sock.request(request)
    assert caught.value.errno == errno.ERANGE
    assert caught.value.offset is not None
    assert caught.value.attr_path == ("IFLA_MTU",)
    assert "IFLA_MTU" in str(caught.value)
    assert netns.ip("link", "show", "b0", check=False).returncode != 0


def test_echo_returns_the_created_link(netns: Netns) -> None:
    request = rtnl.build_request(c.RTM_NEWLINK, {},
                                 {"ifname": "br9", "linkinfo": {"kind": "bridge"}}, CREATE)
    with rtnl.open_socket(netns.name) as sock:
        echoed = sock.request(request, echo=True)
    if not echoed:
        pytest.skip("this kernel does not echo RTM_NEWLINK (NLM_F_ECHO for links: Linux 6.3)")
    assert [m.attrs["ifname"] for m in echoed] == ["br9"]
    ip_link = netns.ip_json("link", "show", "br9")[0]
    assert echoed[0].header["ifi-index"] == ip_link["ifindex"]


def test_messages_from_other_userspace_sockets_are_ignored(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        intruder = call_in_netns(netns.name, lambda: socket.socket(
            socket.AF_NETLINK, socket.SOCK_RAW, socket.NETLINK_ROUTE))
        with intruder:
            intruder.bind((0, 0))
            # A forged NLMSG_ERROR(EPERM) for the sequence number our next request will use.
            next_seq = sock.reserve_seqs(0)
            forged = struct.pack("=IHHII", 36, 2, 0, next_seq, intruder.getsockname()[0])
            forged += struct.pack("=i", -errno.EPERM) + b"\0" * 16
            assert intruder.sendto(forged, (sock.port_id, 0)) == len(forged)
            # Would raise EPERM if the forged reply were taken for the kernel's.
            sock.request(rtnl.build_request(
                c.RTM_NEWLINK, {}, {"ifname": "br1", "linkinfo": {"kind": "bridge"}}, CREATE))
            assert sock.reserve_seqs(0) > next_seq, "the forged seq was the one used"
    assert netns.ip_json("link", "show", "br1")[0]["ifname"] == "br1"


def test_socket_for_one_namespace_does_not_see_another(netns_pair: tuple[Netns, Netns]) -> None:
    a, b = netns_pair
    b.ip("link", "add", "only-in-b", "type", "bridge")
    own_ns = os.readlink("/proc/self/ns/net")
    with rtnl.open_socket(a.name) as sock_a, rtnl.open_socket(b.name) as sock_b:
        names_a = {m.attrs["ifname"] for m in sock_a.dump(rtnl.build_request(c.RTM_GETLINK))}
        names_b = {m.attrs["ifname"] for m in sock_b.dump(rtnl.build_request(c.RTM_GETLINK))}
    assert "only-in-b" in names_b
    assert "only-in-b" not in names_a
    assert names_a == {link["ifname"] for link in a.ip_json("link", "show")}
    assert os.readlink("/proc/self/ns/net") == own_ns, "the process must stay where it was"
    seen: list[str] = []
    worker = threading.Thread(target=lambda: seen.append(os.readlink("/proc/thread-self/ns/net")))
    worker.start()
    worker.join()
    assert seen == [own_ns]


def test_unknown_namespace_is_a_clear_error() -> None:
    with pytest.raises(NetnsError, match="does not exist"):
        NetlinkSocket(netns="nlstate-no-such-namespace")


def test_events_include_groups_above_31(netns: Netns) -> None:
    with rtnl.open_socket(netns.name) as sock:
        sock.subscribe(c.RTNLGRP_LINK, c.RTNLGRP_NEXTHOP)
        netns.ip("link", "add", "evbr", "type", "bridge")
        netns.ip("nexthop", "add", "id", "42", "blackhole")
        seen: list[tuple[int, object]] = []
        for event in sock.events(timeout=5):
            seen.append((event.type, event.attrs.get("ifname") or event.header))
            if event.type == c.RTM_NEWNEXTHOP:
                break
    assert (c.RTM_NEWLINK, "evbr") in seen
    assert any(kind == c.RTM_NEWNEXTHOP for kind, _ in seen)


def test_datagram_sockets_work_too(netns: Netns) -> None:
    netns.ip("link", "add", "dg0", "type", "bridge")
    with rtnl.open_socket(netns.name, sock_type=socket.SOCK_DGRAM) as sock:
        names = {m.attrs["ifname"] for m in sock.dump(rtnl.build_request(c.RTM_GETLINK))}
    assert "dg0" in names
    assert names == {link["ifname"] for link in netns.ip_json("link", "show")}
