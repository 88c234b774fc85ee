"""nmstate's own example files (../shared/nmstate-examples, classified in its INDEX.md): every
"kernel-only" file validates unchanged, every "outside rtnetlink" file is refused with a
message that names the responsible key.

Decisions, for the cases the INDEX leaves open:

- ovsbridge_patch_delete.yml ("outside rtnetlink") names two interfaces by name only with
  `state: absent`. Nothing in it is OVS's: deleting links called ovs-br0/ovs-br1 is an
  ordinary rtnetlink request, so the file is accepted (ACCEPTED_ANYWAY).
- policy/*/policy.yml is nmpolicy (capture, desiredState): refused, naming `capture`.
- policy/*/current.yml and expected.yml are nmstate states. `routes.running` is nmstate's
  report of the current state, not desired state: refused ("running is nmstate's report
  ...; put what should be there under config"), never silently ignored. `dhcp: true`
  is refused wherever it is, also in files the INDEX classes kernel-only for their objects;
  so is a broadcast `mac-address` (ff:ff:ff:ff:ff:ff in both bridge-on-alt-name files),
  which the kernel would refuse for a link. POLICY says what each file gives.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from nlstate.model import StateFile
from nlstate.values.errors import REFUSED

KERNEL_ONLY = "kernel-only"
OUTSIDE = "outside rtnetlink"
NMPOLICY = "nmpolicy (outside)"

# Top-level files classed "kernel-only": they must validate.
KERNEL_ONLY_FILES = [
    "bond_linuxbridge_vlan_absent.yml", "bond_linuxbridge_vlan_up.yml", "bond_port_absent.yml",
    "bond_port_up.yml", "eth1_add_route.yml", "eth1_add_route_rule.yml",
    "eth1_del_all_route_rules.yml", "eth1_del_all_routes.yml", "hsr0_absent.yml", "hsr0_up.yml",
    "ip6ip6_tunnel.yml", "ipip_tunnel.yml", "ipvlan_absent.yml", "ipvlan_create.yml",
    "linuxbrige_eth1_absent.yml", "linuxbrige_eth1_up.yml", "linuxbrige_eth1_up_port_vlan.yml",
    "loopback_ipv6_disabled.yml", "mac_vlan_absent.yml", "mac_vlan_create.yml",
    "mac_vtap_absent.yml", "mac_vtap_create.yml", "macsec0_absent.yml", "veth1_absent.yml",
    "veth1_up.yml", "vlan101_eth1_absent.yml", "vlan101_eth1_down.yml", "vlan101_eth1_up.yml",
    "vrf0_absent.yml", "vrf0_with_eth1.yml",
]

# Top-level files classed "outside rtnetlink" -> the key(s) the refusal must name (each
# one must be refused, at a location ending in that key).
OUTSIDE_FILES: dict[str, set[str]] = {
    "dns_edit_eth1.yml": {"dns-resolver"},
    "dns_remove.yml": {"dns-resolver"},
    "dynamic_hostname.yml": {"hostname"},
    "eth1_with_ieee_802_1x.yml": {"802.1x"},
    "eth1_with_ieee_802_1x_peap.yml": {"802.1x"},
    "eth1_with_sriov.yml": {"sr-iov"},
    "infiniband_pkey_ipoib_create.yml": {"type", "infiniband"},
    "infiniband_pkey_ipoib_delete.yml": {"type"},
    "ipsec_psk.yml": {"type", "libreswan", "dhcp"},
    "ipsec_x509.yml": {"type", "libreswan", "dhcp"},
    "macsec0_up.yml": {"mka-cak", "mka-ckn"},
    "ovsbridge_bond_create.yml": {"type"},
    "ovsbridge_create.yml": {"type"},
    "ovsbridge_delete.yml": {"type"},
    "ovsbridge_dpdk_absent.yml": {"type"},
    "ovsbridge_dpdk_create.yml": {"type", "dpdk", "ovs-db"},
    "ovsbridge_linux_bond_port.yml": {"type", "ovs-db"},
    "ovsbridge_patch_create.yml": {"type", "patch"},
    "ovsbridge_vlan_port.yml": {"type"},
    "static_hostname.yml": {"hostname"},
    "user_defined_iface.yml": {"user-defined"},
}

# "outside rtnetlink" files that nlstate accepts, and why.
ACCEPTED_ANYWAY = {
    "ovsbridge_patch_delete.yml": "deletes links given by name only; nothing in it is OVS's",
}

# policy/<case>/<file> -> None (validates) or the keys the refusal must name.
POLICY: dict[str, set[str] | None] = {
    "all-ethernet-up/current.yml": {"lldp"},
    "all-ethernet-up/expected.yml": {"lldp"},
    "all-linux-bridges-down/current.yml": None,
    "all-linux-bridges-down/expected.yml": None,
    "bridge-interfaces-by-description/current.yml": None,
    "bridge-interfaces-by-description/expected.yml": {"dhcp"},
    "bridge-on-alt-name/current.yml": {"mac-address"},
    "bridge-on-alt-name/expected.yml": {"mac-address"},
    "bridge-on-default-gw-dhcp/current.yml": {"dhcp", "running"},
    "bridge-on-default-gw-dhcp/expected.yml": {"dhcp"},
    "bridge-on-default-gw-no-dhcp/current.yml": {"running"},
    "bridge-on-default-gw-no-dhcp/expected.yml": None,
    "bridge_ref_port_by_mac/current.yml": None,
    "bridge_ref_port_by_mac/expected.yml": {"dhcp", "balance_slb"},
    "capture_all/current.yml": {"running"},
    "capture_all/expected.yml": None,
    "change-gateway-iface-to-mac-identifier/current.yml": {"running"},
    "change-gateway-iface-to-mac-identifier/expected.yml": {"profile-name", "identifier"},
    "convert-dhcp-to-static/current.yml": {"dns-resolver", "running", "dhcp"},
    "convert-dhcp-to-static/expected.yml": {"dns-resolver"},
    "enable_lldp/current.yml": {"lldp", "sr-iov"},
    "enable_lldp/expected.yml": {"lldp"},
    "interface-driver-regex/current.yml": {"driver", "lldp"},
    "interface-driver-regex/expected.yml": {"lldp"},
    "ovs-slb-bond-primary-secondary/current.yml": {"dhcp"},
    "ovs-slb-bond-primary-secondary/expected.yml": {"type", "dhcp"},
    "search_route_on_mac/current.yml": {"dns-resolver", "running", "dhcp"},
    "search_route_on_mac/expected.yml": {"dns-resolver"},
    "unsorted_capture/current.yml": {"running"},
    "unsorted_capture/expected.yml": None,
}
POLICY_CASES = sorted({name.split("/")[0] for name in POLICY})


@pytest.fixture
def corpus(shared_dir: Path) -> Path:
    folder = shared_dir / "nmstate-examples"
    if not folder.is_dir():
        pytest.skip(f"nmstate examples not found at {folder}")
    return folder


def index_classes(folder: Path) -> dict[str, str]:
    """file -> class, from the tables of INDEX.md (| `file` | types | keys | states | class |)."""
    classes = {}
    for line in (folder / "INDEX.md").read_text().splitlines():
        match = re.match(r"\|\s*`([^`]+\.yml)`\s*\|", line)
        if match:
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            classes[match.group(1)] = cells[4]
    return classes


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def refused_keys(document: Any) -> tuple[set[str], list[dict[str, Any]]]:
    with pytest.raises(ValidationError) as caught:
        StateFile.model_validate(document)
    errors: list[dict[str, Any]] = list(caught.value.errors())  # type: ignore[arg-type]
    named = {str(e["loc"][-1]) for e in errors
             if e["type"] == REFUSED and e["msg"].startswith(f"{e['loc'][-1]}: ")}
    return named, errors


def test_the_index_and_the_folder_agree_with_these_tables(corpus: Path) -> None:
    classes = index_classes(corpus)
    on_disk = {str(p.relative_to(corpus)) for p in corpus.rglob("*.yml")}
    assert set(classes) == on_disk
    top = {name: cls for name, cls in classes.items() if "/" not in name}
    assert sorted(n for n, c in top.items() if c == KERNEL_ONLY) == sorted(KERNEL_ONLY_FILES)
    assert {n for n, c in top.items() if c == OUTSIDE} == set(OUTSIDE_FILES) | set(
        ACCEPTED_ANYWAY)
    policy = {name.removeprefix("policy/"): cls for name, cls in classes.items()
              if name.startswith("policy/")}
    assert {n for n, c in policy.items() if c != NMPOLICY} == set(POLICY)
    assert {n.split("/")[0] for n, c in policy.items() if c == NMPOLICY} == set(POLICY_CASES)


@pytest.mark.parametrize("name", KERNEL_ONLY_FILES)
def test_kernel_only_files_validate_unchanged(corpus: Path, name: str) -> None:
    StateFile.model_validate(load(corpus / name))


@pytest.mark.parametrize("name", sorted(OUTSIDE_FILES))
def test_outside_files_are_refused_naming_the_key(corpus: Path, name: str) -> None:
    named, errors = refused_keys(load(corpus / name))
    assert OUTSIDE_FILES[name] <= named, [(e["loc"], e["msg"]) for e in errors]


@pytest.mark.parametrize("name", sorted(ACCEPTED_ANYWAY))
def test_files_accepted_although_classed_outside(corpus: Path, name: str) -> None:
    StateFile.model_validate(load(corpus / name))


@pytest.mark.parametrize("name", sorted(POLICY))
def test_policy_states(corpus: Path, name: str) -> None:
    document = load(corpus / "policy" / name)
    expected = POLICY[name]
    if expected is None:
        StateFile.model_validate(document)
        return
    named, errors = refused_keys(document)
    if "mac-address" in expected:  # not a refusal: a value the kernel would not take
        named |= {str(e["loc"][-1]) for e in errors if "multicast or broadcast" in e["msg"]}
    assert expected <= named, [(e["loc"], e["msg"]) for e in errors]


@pytest.mark.parametrize("case", POLICY_CASES)
def test_nmpolicy_files_are_refused(corpus: Path, case: str) -> None:
    named, errors = refused_keys(load(corpus / "policy" / case / "policy.yml"))
    assert "capture" in named, [(e["loc"], e["msg"]) for e in errors]


def test_routes_running_is_refused_as_a_report(corpus: Path) -> None:
    _, errors = refused_keys(load(corpus / "policy" / "capture_all" / "current.yml"))
    [error] = [e for e in errors if tuple(e["loc"]) == ("routes", "running")]
    assert "running is nmstate's report of the current state, not desired state" in error["msg"]
