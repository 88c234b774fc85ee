"""Interfaces -> RTM_NEWLINK / RTM_DELLINK requests (the inverse of observe/links.py).

- link_create: one RTM_NEWLINK CREATE|EXCL with the name, kind and kind data (the section's
  to_kernel), mtu, MAC, IFLA_LINK for kinds on a base link, and IFLA_MASTER when the
  controller exists already; the alias in a second RTM_NEWLINK naming the link by
  IFLA_IFNAME (the kernel's create path ignores IFLA_IFALIAS). The link is created down:
  link_up (or link_change) brings it up once its ports and addresses are in place. A veth
  names its peer only; the peer's own settings are a link_change of the peer after.
- link_change: RTM_NEWLINK (no CREATE) on the existing ifindex with only what differs:
  IFLA_MTU, IFLA_ADDRESS, IFLA_IFALIAS, IFF_UP/IFF_PROMISC (ifi_flags under ifi_change),
  IFLA_MASTER, and the kind data that differs (IFLA_INFO_KIND + IFLA_INFO_DATA). A
  controller's port list is carried out on its ports (port_requests): enslave
  (IFLA_MASTER), release (IFLA_MASTER 0, when the list is given and leaves a port out), then
  the port settings (IFLA_INFO_SLAVE_DATA) in a request of their own: the kernel parses the
  slave data against the controller the port has *before* the request, so data sent with
  the IFLA_MASTER that enslaves it is refused (EOPNOTSUPP).
- immutable_changes: what no request can change on an existing link (the kind, each kind's
  Section.immutable and Section.refused, and any data of a kind without changelink: veth,
  vrf); link_change refuses those (RequestError): delete and create instead. Some of these
  the kernel refuses (vxlan: EOPNOTSUPP "Cannot change VNI" / "Cannot change port"; macvlan
  into or out of passthru: EINVAL; veth data: EOPNOTSUPP), others it silently ignores
  (IFLA_LINK of a macvlan/vlan/ipvlan, vlan id and protocol).

`names` maps interface names to ifindex; a name it lacks raises UnknownInterfaceError. A new
controller's ports can be enslaved only once it has an ifindex: call port_requests(controller,
names) with names that include it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal, NamedTuple

from nlstate.kinds import INTERFACE_TYPES
from nlstate.kinds.section import KernelData, Section
from nlstate.model.interface import SECTIONS, Interface
from nlstate.netlink.message import Request
from nlstate.rtnl import build_request
from nlstate.rtnl import consts as rc
from nlstate.rtnl.link import IFF_PROMISC, IFF_UP
from nlstate.values.base import FileModel

from .common import NEW_FLAGS, RequestError, ifindex

__all__ = [
    "alt_name_changes", "alt_name_command", "alt_name_request", "immutable_changes",
    "link_change", "link_change_commands", "link_create",
    "link_create_commands", "link_delete", "link_delete_command", "link_differences",
    "link_down", "link_up", "port_commands", "port_requests",
]  # fmt: skip

Names = Mapping[str, int]
NO_INDEXES: Names = {}
PortAction = Literal["enslave", "release", "settings"]
AltNameAction = Literal["add", "del"]  # `ip link property add|del`
SECTION_BY_KEY: dict[str, Section] = {section.key: section for section in SECTIONS}
KIND_OF_TYPE: dict[str, str] = {}
for _kernel_kind, _type in INTERFACE_TYPES.items():
    KIND_OF_TYPE.setdefault(_type, _kernel_kind)  # ipvlan before ipvtap: the first kind of a type


class _Step(NamedTuple):
    """One request as data, before it is encoded, with the `ip` command that does the same."""

    header: dict[str, Any]
    attrs: dict[str | int, Any]
    label: str
    command: str
    port_action: PortAction | None = None  # for a controller's port steps


# ---------------------------------------------------------------------------- create

def link_create(iface: Interface, names: Names, indexes: Names = NO_INDEXES) -> list[Request]:
    """The RTM_NEWLINK CREATE|EXCL that makes `iface` (down). `indexes`: ifindexes to ask
    the kernel for, by name (a rollback gives a deleted link, and its veth peer, the ones
    they had); the others get the next free one."""
    attrs = _create_attrs(iface, _resolver(names, f"link {iface.name}"), names)
    header = _promisc_header(iface)
    if iface.name in indexes:
        header["ifi-index"] = indexes[iface.name]
    peer = attrs["linkinfo"].get("data", {}).get("peer")  # a veth's: a link description
    if isinstance(peer, dict) and peer["attrs"].get("ifname") in indexes:
        peer["header"]["ifi-index"] = indexes[peer["attrs"]["ifname"]]
    label = f"link {iface.name} (create {_kind(iface)})"
    requests = [build_request(rc.RTM_NEWLINK, header, attrs, NEW_FLAGS["create"], label)]
    if iface.description is not None:
        # rtnl_create_link() takes no IFLA_IFALIAS: set it on the new link, found by name
        requests.append(build_request(
            rc.RTM_NEWLINK, {}, {"ifname": iface.name, "ifalias": iface.description}, 0,
            f"link {iface.name} (alias)"))
    return requests


def link_create_commands(iface: Interface, names: Names | None = None) -> list[str]:
    """The `ip` commands of link_create, one per request (`ip link add ... alias` would not
    set the alias either: iproute2 sends it with the create, which ignores it)."""
    words = ["ip link add", iface.name]
    section = _section_of(iface)
    if section is not None and section[0].base_link:
        words += ["link", _base(section[1])]
    words += _common_words(iface)
    if iface.controller and (names is None or iface.controller in names):
        words += ["master", iface.controller]
    words += ["type", _kind(iface)]
    if section is not None:
        kind_section, model = section
        if kind_section.to_kernel is not None and kind_section.ip_words is not None:
            words += kind_section.ip_words(model, kind_section.to_kernel(model, lambda _: 0))
    commands = [" ".join(words)]
    if iface.description is not None:
        commands.append(f"ip link set {iface.name} alias {_quote(iface.description)}")
    return commands


def _create_attrs(iface: Interface, resolve: Callable[[str], int],
                  names: Names) -> dict[str | int, Any]:
    attrs: dict[str | int, Any] = {"ifname": iface.name}
    attrs.update(_common_attrs(iface))
    linkinfo: dict[str, Any] = {"kind": _kind(iface)}
    section = _section_of(iface)
    if section is not None:
        kind_section, model = section
        if kind_section.base_link:
            attrs["link"] = resolve(_base(model))
        assert kind_section.to_kernel is not None  # _kind() refused the others
        data = kind_section.to_kernel(model, resolve)
        if data:
            linkinfo["data"] = data
    attrs["linkinfo"] = linkinfo
    if iface.controller and iface.controller in names:
        attrs["master"] = names[iface.controller]
    return attrs


# ---------------------------------------------------------------------------- change

def link_change(current: Interface, desired: Interface, names: Names) -> list[Request]:
    """The requests that turn `current` into `desired` in place (none when equal on every
    field desired says). Raises RequestError naming the fields when that is impossible."""
    return [_encode(step) for step in _change_steps(current, desired, names)]


def link_change_commands(current: Interface, desired: Interface,
                         names: Names | None = None) -> list[str]:
    """The `ip link` commands of link_change, one per request, in the same order."""
    return [step.command for step in _change_steps(current, desired, names)]


def immutable_changes(current: Interface, desired: Interface) -> list[str]:
    """The fields desired sets differently that the kernel cannot change on an existing link
    (as `section.field`): the link must be deleted and created again."""
    if desired.type is not None and desired.type != current.type:
        return ["type"]
    changes: list[str] = []
    for key, model in desired.sections():
        section = SECTION_BY_KEY[key]
        have_model = getattr(current, key.replace("-", "_"))
        if section.immutable:  # (documents cost a model_dump each: a bridge has none)
            wanted = model.document()
            have = have_model.document() if have_model is not None else {}
            changes += [f"{key}.{field}" for field in section.immutable
                        if field in wanted and wanted[field] != have.get(field)]
        if section.refused is not None:
            changes += [f"{key}.{field}" for field in section.refused(have_model, model)
                        if f"{key}.{field}" not in changes]
        if not section.changeable and not changes and _data_changes(section, have_model,
                                                                     model):
            changes.append(key)  # a kind without changelink: any change recreates
    return changes


def port_requests(controller: Interface, names: Names,
                  current: Interface | None = None) -> list[Request]:
    """Enslave the ports the controller's section lists that `current` does not, release
    those `current` lists and the section leaves out, then set the port settings that differ
    (all of them when current is None)."""
    return [_encode(step) for step in _port_steps(current, controller, names)]


def port_commands(controller: Interface, current: Interface | None = None,
                  ) -> list[tuple[PortAction, str]]:
    """What each request of port_requests does and its `ip link` command, in order."""
    return [(step.port_action or "settings", step.command)
            for step in _port_steps(current, controller, None)]


def link_differences(current: Interface, desired: Interface) -> list[str]:
    """What link_change would change, as the file's keys (`mtu`, `state`, `bridge` for its
    kind data, `bridge.port` for its ports, ...); [] when desired matches current."""
    header, _ = _flags_change(current, desired)
    attrs, _ = _attr_changes(current, desired, None)
    fields = [name for name, key in LINK_FIELDS.items() if key in attrs]
    if header.get("ifi-change", 0) & IFF_UP:
        fields.append("state")
    if header.get("ifi-change", 0) & IFF_PROMISC:
        fields.append("accept-all-mac-addresses")
    if _kind_data_change(current, desired, lambda _: 0) is not None:
        fields += [key for key, _ in desired.sections()]
    if _port_steps(current, desired, None):
        fields += [f"{key}.port" for key, model in desired.sections()
                   if SECTION_BY_KEY[key].port_data is not None]
    if desired.alt_names and any(alt_name_changes(current, desired)):
        fields.append("alt-names")
    return fields


def alt_name_changes(current: Interface, desired: Interface) -> tuple[list[str], list[str]]:
    """(the alternative names to add, those to remove) for desired's alt-names: its entries
    the kernel lacks, its `state: absent` entries the kernel has. Names the file does not
    mention stay (nmstate's way: alternative names are added and removed one by one)."""
    have = {entry.name for entry in current.alt_names or ()}
    wanted = desired.alt_names or ()
    return ([entry.name for entry in wanted if entry.state is None and entry.name not in have],
            [entry.name for entry in wanted if entry.state == "absent" and entry.name in have])


def alt_name_request(link: str, action: AltNameAction, alt_names: list[str],
                     names: Names) -> list[Request]:
    """RTM_NEWLINKPROP (add) or RTM_DELLINKPROP (del) of the link's alternative names, all in
    one IFLA_PROP_LIST."""
    label = f"link {link}"
    header = {"ifi-index": ifindex(names, link, label)}
    attrs: dict[str | int, Any] = {"prop-list": {"alt-ifname": alt_names}}
    if action == "add":
        return [build_request(rc.RTM_NEWLINKPROP, header, attrs, NEW_FLAGS["create"],
                              f"{label} (add alternative names)")]
    return [build_request(rc.RTM_DELLINKPROP, header, attrs, 0,
                          f"{label} (remove alternative names)")]


def alt_name_command(link: str, action: AltNameAction, alt_names: list[str]) -> str:
    return " ".join(["ip link property", action, "dev", link,
                     *(word for name in alt_names for word in ("altname", name))])


LINK_FIELDS = {"mtu": "mtu", "mac-address": "address", "description": "ifalias",
               "controller": "master"}  # the file's key -> the IFLA_* attribute link_change sets


def _change_steps(current: Interface, desired: Interface, names: Names | None) -> list[_Step]:
    refused = immutable_changes(current, desired)
    if refused:
        raise RequestError(f"link {desired.name}: {', '.join(refused)} cannot change on an "
                           "existing link; it must be deleted and created again")
    label = f"link {desired.name}"
    index = ifindex(names, desired.name, label) if names is not None else 0
    header, flag_words = _flags_change(current, desired)
    attrs, words = _attr_changes(current, desired, names)
    data = _kind_data_change(current, desired, _resolver(names, label))
    type_words: list[str] = []
    if data is not None:
        attrs["linkinfo"] = {"kind": data[0], "data": data[1]}
        type_words = ["type", data[0], *data[2]]
    steps = []
    if attrs or header:
        header["ifi-index"] = index
        flagged = ["flags"] if header.get("ifi-change") else []
        what = ", ".join([*(str(k) for k in attrs), *flagged])
        command = ["ip link set", desired.name, *words, *flag_words, *type_words]
        steps.append(_Step(header, attrs, f"{label} (change {what})", " ".join(command)))
    return steps + _port_steps(current, desired, names)


def _attr_changes(current: Interface, desired: Interface,
                  names: Names | None) -> tuple[dict[str | int, Any], list[str]]:
    attrs: dict[str | int, Any] = {}
    words: list[str] = []
    if desired.mtu is not None and desired.mtu != current.mtu:
        attrs["mtu"] = desired.mtu
        words += ["mtu", str(desired.mtu)]
    if desired.mac_address is not None and desired.mac_address != current.mac_address:
        attrs["address"] = desired.mac_address
        words += ["address", desired.mac_address]
    # no alias is reported as none: '' (which clears it) is what it has then
    if desired.description is not None and desired.description != (current.description or ""):
        attrs["ifalias"] = desired.description
        words += ["alias", _quote(desired.description)]
    if desired.controller is not None and desired.controller != (current.controller or ""):
        if desired.controller:
            attrs["master"] = (ifindex(names, desired.controller, f"link {desired.name}")
                               if names is not None else 0)
            words += ["master", desired.controller]
        else:  # "": released (IFLA_MASTER 0)
            attrs["master"] = 0
            words.append("nomaster")
    return attrs, words


def _flags_change(current: Interface, desired: Interface) -> tuple[dict[str, Any], list[str]]:
    flags = change = 0
    words: list[str] = []
    if desired.state in ("up", "down") and desired.state != current.state:
        change |= IFF_UP
        flags |= IFF_UP if desired.state == "up" else 0
        words.append(desired.state)
    promisc = desired.accept_all_mac_addresses
    if promisc is not None and promisc != bool(current.accept_all_mac_addresses):
        change |= IFF_PROMISC
        flags |= IFF_PROMISC if promisc else 0
        words += ["promisc", "on" if promisc else "off"]
    if not change:
        return {}, []
    return {"ifi-flags": flags, "ifi-change": change}, words


def _kind_data_change(current: Interface, desired: Interface, resolve: Callable[[str], int],
                      ) -> tuple[str, KernelData, list[str]] | None:
    """(kind, the IFLA_INFO_DATA that differs, its `ip` words), or None."""
    for key, model in desired.sections():
        section = SECTION_BY_KEY[key]
        if not section.changeable:
            continue  # immutable_changes refused any difference
        changed = _data_changes(section, getattr(current, key.replace("-", "_")), model,
                                resolve)
        if changed:
            words = section.ip_words(model, changed) if section.ip_words else []
            return _kind(current if current.type else desired), changed, words
    return None


def _data_changes(section: Section, have: FileModel | None, want: FileModel,
                  resolve: Callable[[str], int] = lambda _: 0) -> KernelData:
    """The IFLA_INFO_DATA attributes `want` says that differ from `have`'s."""
    if section.to_kernel is None:
        return {}
    wanted = section.to_kernel(want, resolve)
    if not wanted:  # nothing asked: the kernel's side (a bridge's many options) not encoded
        return {}
    current = section.to_kernel(have, resolve) if have is not None else {}
    return {k: v for k, v in wanted.items() if current.get(k) != v}


# ---------------------------------------------------------------------------- ports

def _port_steps(current: Interface | None, desired: Interface,
                names: Names | None) -> list[_Step]:
    found = _ports(desired)
    if found is None:
        return []
    section, wanted = found
    have = (_ports(current) or (section, {}))[1] if current is not None else {}
    label = f"link {desired.name}"
    master = ifindex(names, desired.name, label) if names is not None else 0
    kind = next(iter(section.types))  # IFLA_INFO_SLAVE_KIND: the controller's kind
    steps: list[_Step] = []
    for name in wanted:
        if name not in have:
            steps.append(_port_step(name, names, {"master": master}, "enslave",
                                    f"enslave to {desired.name}", f"master {desired.name}"))
    for name in have:
        if name not in wanted:
            steps.append(_port_step(name, names, {"master": 0}, "release",
                                    f"release from {desired.name}", "nomaster"))
    for name, data in wanted.items():
        changed = {k: v for k, v in data.items() if have.get(name, {}).get(k) != v}
        if changed:
            info = {"slave-kind": kind, "slave-data": changed}
            words = section.port_words(changed) if section.port_words else []
            steps.append(_port_step(name, names, {"linkinfo": info}, "settings",
                                    f"port settings {', '.join(map(str, changed))}",
                                    " ".join(["type", f"{kind}_slave", *words])))
    return steps


def _ports(iface: Interface) -> tuple[Section, dict[str, KernelData]] | None:
    for key, model in iface.sections():
        section = SECTION_BY_KEY[key]
        if section.port_data is not None:
            data = section.port_data(model)
            return None if data is None else (section, data)
    return None


def _port_step(name: str, names: Names | None, attrs: dict[str | int, Any],
               action: PortAction, what: str, words: str) -> _Step:
    label = f"link {name}"
    index = ifindex(names, name, label) if names is not None else 0
    return _Step({"ifi-index": index}, attrs, f"{label} ({what})",
                 f"ip link set {name} {words}", action)


# ---------------------------------------------------------------------------- others

def link_delete(name: str, names: Names) -> list[Request]:
    """RTM_DELLINK of the link (a veth takes its peer with it)."""
    label = f"link {name}"
    header = {"ifi-index": ifindex(names, name, label)}
    return [build_request(rc.RTM_DELLINK, header, {}, label=f"{label} (delete)")]


def link_delete_command(name: str) -> str:
    return f"ip link del {name}"


def link_up(name: str, names: Names) -> list[Request]:
    return [_admin(name, names, up=True)]


def link_down(name: str, names: Names) -> list[Request]:
    return [_admin(name, names, up=False)]


def _admin(name: str, names: Names, *, up: bool) -> Request:
    label = f"link {name}"
    header = {"ifi-index": ifindex(names, name, label), "ifi-flags": IFF_UP if up else 0,
              "ifi-change": IFF_UP}
    return build_request(rc.RTM_NEWLINK, header, {}, 0, f"{label} ({'up' if up else 'down'})")


# ---------------------------------------------------------------------------- helpers

def _kind(iface: Interface) -> str:
    """The kernel kind to create for the interface's type; RequestError when nlstate
    cannot create that type."""
    section = _section_of(iface)
    if iface.type is None:
        if section is None:
            raise RequestError(f"link {iface.name}: give its type to create it")
        return next(iter(section[0].types))
    kind = KIND_OF_TYPE.get(iface.type)
    if kind is None or (section is not None and section[0].to_kernel is None):
        raise RequestError(f"link {iface.name}: nlstate cannot create links of type "
                           f"{iface.type}")
    return kind


def _section_of(iface: Interface) -> tuple[Section, FileModel] | None:
    for key, model in iface.sections():
        return SECTION_BY_KEY[key], model
    return None


def _base(model: FileModel) -> str:
    """The base-iface of a section whose Section says base_link."""
    return str(model.document()["base-iface"])


def _common_attrs(iface: Interface) -> dict[str | int, Any]:
    values = {"mtu": iface.mtu, "address": iface.mac_address}
    return {k: v for k, v in values.items() if v is not None}


def _common_words(iface: Interface) -> list[str]:
    words: list[str] = []
    for word, value in (("mtu", iface.mtu), ("address", iface.mac_address)):
        if value is not None:
            words += [word, str(value)]
    return words


def _promisc_header(iface: Interface) -> dict[str, Any]:
    if iface.accept_all_mac_addresses is None:
        return {}
    return {"ifi-flags": IFF_PROMISC if iface.accept_all_mac_addresses else 0,
            "ifi-change": IFF_PROMISC}


def _resolver(names: Names | None, what: str) -> Callable[[str], int]:
    if names is None:
        return lambda _: 0
    return lambda name: ifindex(names, name, what)


def _encode(step: _Step) -> Request:
    return build_request(rc.RTM_NEWLINK, step.header, step.attrs, 0, step.label)


def _quote(text: str) -> str:
    return text if text and all(ch.isalnum() or ch in "-_.:" for ch in text) else repr(text)
