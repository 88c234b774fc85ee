"""apply's verification of plain links by a narrow dump (apply/link_proof.py) against a
real kernel: after changes made behind the file's back with ip, the proof holds exactly when
the whole verification (observe and diff) finds nothing, and never when it finds something."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nlstate import rtnl
from nlstate.apply import verify as verify_module
from nlstate.apply.link_proof import LinkProof
from nlstate.apply.run import apply_state
from nlstate.apply.verify import Verification, VerifyError
from nlstate.diff import Desired
from nlstate.load import load_text
from nlstate.model import State
from tests.conftest import Netns, create_netns, delete_netns

pytestmark = pytest.mark.netns

FILE = """\
interfaces:
- name: br0
  type: linux-bridge
  state: up
  bridge: {port: [{name: v0}]}
  ipv4: {address: [{ip: 192.0.2.1, prefix-length: 24}]}
  ipv6: {address: [{ip: "2001:db8::1", prefix-length: 64}]}
- name: v0
  type: veth
  state: up
  mtu: 1400
  controller: br0
  veth: {peer: p0}
- name: gone
  state: absent
"""

# ip commands run after the apply, and whether the file still holds
CHANGES = {
    "nothing": ("", True),
    "an unlisted link's address": ("addr add 198.51.100.1/24 dev p0", True),
    "an alias the file does not give": ("link set br0 alias spare", True),
    "a bridge option the file does not give": ("link set br0 type bridge stp_state 1", True),
    "an IPv6 address where only IPv4 is listed": ("addr add 2001:db8:9::1/64 dev v0", True),
    "bridge down": ("link set br0 down", False),
    "an extra address": ("addr add 192.0.2.2/24 dev br0", False),
    "a listed address gone": ("addr del 2001:db8::1/64 dev br0", False),
    "an address with a peer": ("addr del 192.0.2.1/24 dev br0\n"
                               "addr add 192.0.2.1 peer 192.0.2.9/32 dev br0", False),
    "another MTU": ("link set v0 mtu 1300", False),
    "a port released": ("link set v0 nomaster", False),
    "an extra port": ("link add v1 type veth peer name p1\nlink set v1 master br0", False),
    "a link that should be absent": ("link add gone type bridge", False),
    "the peer renamed": ("link set p0 name p9", False),
    "another type under the name": ("link del v0\nlink add v0 mtu 1400 type vxlan id 5 "
                                    "dstport 4789\nlink set v0 master br0 up", False),
}


def _whole_verification_passes(state: State, netns: Netns) -> bool:
    with rtnl.open_socket(netns.name) as sock:
        try:
            Verification(Desired(state), {}).check(sock)  # unprepared: observes and diffs
        except VerifyError:
            return False
    return True


@pytest.mark.parametrize("change", CHANGES)
def test_the_proof_holds_exactly_when_the_whole_verification_passes(
        netns: Netns, change: str) -> None:
    commands, holds = CHANGES[change]
    state = load_text(FILE, "links.yml")
    apply_state(state, netns.name)
    if commands:
        netns.batch(commands + "\n")
    proof = LinkProof.of(state)
    assert proof is not None
    with rtnl.open_socket(netns.name) as sock:
        assert proof.holds(sock) is holds
    assert _whole_verification_passes(state, netns) is holds


def test_an_apply_of_plain_links_is_verified_without_observing_them(
        netns: Netns, monkeypatch: pytest.MonkeyPatch) -> None:
    observed: list[object] = []
    monkeypatch.setattr(verify_module, "observe_indexed",
                        lambda *args, **kwargs: observed.append(args))
    assert apply_state(load_text(FILE, "links.yml"), netns.name).done > 0
    assert observed == []
    assert "UP" in netns.ip_json("link", "show", "br0")[0]["flags"]


def test_a_proof_that_fails_leaves_the_whole_verification_to_name_the_difference(
        netns: Netns) -> None:
    state = load_text(FILE, "links.yml")
    apply_state(state, netns.name)
    netns.ip("link", "set", "v0", "mtu", "1300")
    verification = Verification(Desired(state), netns.ifindexes())
    for _ in verification.preparation():
        pass
    with rtnl.open_socket(netns.name) as sock, pytest.raises(VerifyError) as failure:
        verification.check(sock)
    assert "link v0: mtu wanted 1400, found 1300" in str(failure.value)


@st.composite
def plain_files(draw: st.DrawFn) -> str:
    """A bridge and two veth pairs as a file may give them plainly, in random measure."""
    interfaces: list[dict[str, Any]] = []
    for name, extra in (("br0", {"type": "linux-bridge"}),
                        ("v0", {"type": "veth", "veth": {"peer": "p0"}}),
                        ("v1", {"type": "veth", "veth": {"peer": "p1"}})):
        entry: dict[str, Any] = {"name": name, **extra}
        entry.update(draw(st.fixed_dictionaries({}, optional={
            "state": st.sampled_from(["up", "down"]),
            "mtu": st.sampled_from([1400, 1500]),
            "ipv4": st.sampled_from([{"address": []}, {"address": [
                {"ip": f"192.0.{len(interfaces)}.1", "prefix-length": 24}]}]),
            "ipv6": st.sampled_from([{"address": []}, {"enabled": True, "address": [
                {"ip": f"2001:db8:{len(interfaces)}::1", "prefix-length": 64}]}]),
        })))
        if name == "br0" and draw(st.booleans()):
            ports = draw(st.lists(st.sampled_from(["v0", "v1"]), unique=True))
            entry["bridge"] = {"port": [{"name": port} for port in ports]}
        interfaces.append(entry)
    if draw(st.booleans()):
        interfaces.append({"name": "gone", "state": "absent"})
    return yaml.safe_dump({"interfaces": interfaces})


BEHIND_THE_FILES_BACK = [
    "link set br0 down", "link set br0 up", "link set v0 down", "link set v1 up",
    "link set v0 mtu 1300", "link set v1 mtu 1500", "link set v0 nomaster",
    "link set v1 master br0", "link set p0 master br0", "addr add 192.0.0.9/24 dev br0",
    "addr flush dev v0", "addr add 2001:db8:2::9/64 dev v1 nodad", "link set p1 name p9",
    "link add gone type bridge", "addr add 198.51.100.1/24 dev p0", "link set br0 alias x",
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plain_files(), st.lists(st.sampled_from(BEHIND_THE_FILES_BACK), max_size=3))
def test_random_plain_files_the_proof_and_the_whole_verification_agree(
        text: str, changes: list[str]) -> None:
    netns = create_netns()
    try:
        state = load_text(text, "links.yml")
        apply_state(state, netns.name)
        subprocess.run(["ip", "-n", netns.name, "-force", "-batch", "-"],
                       input="\n".join(changes) + "\n", text=True, capture_output=True,
                       check=False)  # a change that cannot be made is left out
        proof = LinkProof.of(state)
        assert proof is not None
        with rtnl.open_socket(netns.name) as sock:
            holds = proof.holds(sock)
        event("holds" if holds else "does not hold")
        assert holds is _whole_verification_passes(state, netns)
    finally:
        delete_netns(netns)
