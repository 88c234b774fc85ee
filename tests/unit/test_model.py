"""The state model: file models and records agree, values are canonical, errors are clear."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from nlstate.model import State, StateFile
from nlstate.model.neighbors import NeighborConfig
from nlstate.model.nexthops import NexthopConfig
from nlstate.model.records import Neighbor, Nexthop, Route, RouteRule
from nlstate.model.routes import RouteConfig
from nlstate.model.rules import RouteRuleConfig
from nlstate.values.base import kebab


@pytest.mark.parametrize(("config", "record"), [
    (RouteConfig, Route), (RouteRuleConfig, RouteRule), (NeighborConfig, Neighbor),
    (NexthopConfig, Nexthop),
])
def test_file_models_and_records_have_the_same_fields(config: type[Any], record: type[Any],
                                                      ) -> None:
    assert set(config.model_fields) - {"state"} == set(record._fields) - {"state"}
    for name, field in config.model_fields.items():
        assert field.description, f"{config.__name__}.{name} needs a description (docs, schema)"


def test_values_are_canonical() -> None:
    route = RouteConfig.model_validate({
        "destination": "2001:DB8:0:0::/64", "next-hop-address": "2001:db8:0::1",
        "protocol": 4, "route-type": "unicast",
    }).record()
    assert route.destination == "2001:db8::/64"
    assert route.next_hop_address == "2001:db8::1"
    assert route.protocol == "static"
    assert route.route_type is None
    neighbor = NeighborConfig.model_validate({
        "destination": "192.0.2.9", "interface": "eth0", "link-layer-address": "2-0-0-0-0-a",
        "state": "permanent"}).record()
    assert neighbor.link_layer_address == "02:00:00:00:00:0A"
    assert neighbor.state is None


@pytest.mark.parametrize(("document", "message"), [
    ({"destination": "10.0.0.1/8"}, "host bits set; the network is 10.0.0.0/8"),
    ({"destination": "10.0.0.0/33"}, "10.0.0.0/33"),
    ({"destination": "10.0.0.0/8", "next_hop_address": "1.2.3.4"}, "Extra inputs"),
    ({"destination": "10.0.0.0/8", "metric": -1}, "greater than or equal to 0"),
    ({"destination": "10.0.0.0/8", "protocol": "nosuch"}, "unknown protocol"),
    ({"destination": "10.0.0.0/8", "next-hop-interface": "a-very-long-name0"}, "1 to 15 bytes"),
])
def test_bad_routes_are_refused(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        RouteConfig.model_validate(document)


def test_prefix_length_must_fit_the_family() -> None:
    with pytest.raises(ValidationError, match="too long"):
        StateFile.model_validate({"interfaces": [
            {"name": "eth0", "ipv4": {"address": [{"ip": "192.0.2.1", "prefix-length": 33}]}}]})


def test_document_round_trip_keeps_everything() -> None:
    document = {
        "interfaces": [{"name": "eth0", "type": "ethernet", "state": "up", "mtu": 1500,
                        "ipv4": {"enabled": True,
                                 "address": [{"ip": "192.0.2.1", "prefix-length": 24}]},
                        "ipv6": {"enabled": False}}],
        "routes": {"config": [
            {"destination": "10.3.0.0/16", "next-hop-address": "192.0.2.2", "weight": 1,
             "metric": 0, "table-id": 254, "protocol": "static"},
            {"destination": "10.3.0.0/16", "next-hop-address": "192.0.2.3", "weight": 3,
             "metric": 0, "table-id": 254, "protocol": "static"},
        ]},
        "route-rules": {"config": [{"family": "ipv4", "priority": 100, "fwmark": 16,
                                    "route-table": 100}]},
        "neighbors": {"config": [{"destination": "192.0.2.9", "interface": "eth0",
                                  "link-layer-address": "02:00:00:00:00:09"}]},
        "nexthops": {"config": [{"id": 10, "group": [{"id": 1, "weight": 2},
                                                     {"id": 2, "weight": 1}]}]},
    }
    state = State.from_document(document)
    assert state.document() == document
    assert State.from_document(state.document()) == state


def test_kebab_keys() -> None:
    assert kebab("next_hop_address") == "next-hop-address"
    schema = StateFile.model_json_schema(by_alias=True)
    assert "route-rules" in schema["properties"]


def test_every_field_of_the_schema_has_a_description() -> None:
    schema = StateFile.model_json_schema(by_alias=True)
    missing: list[str] = []

    def walk(name: str, node: dict[str, Any]) -> None:
        for key, prop in node.get("properties", {}).items():
            if "description" not in prop:
                missing.append(f"{name}.{key}")

    walk("StateFile", schema)
    for name, definition in schema.get("$defs", {}).items():
        walk(name, definition)
    assert missing == []


def test_replaced_is_model_copy_with_an_update() -> None:
    from nlstate.model import Interface

    link = Interface.model_validate({"name": "br0", "type": "linux-bridge", "mtu": 1400,
                                     "bridge": {"port": [{"name": "v0"}]}})
    for changes in ({"state": "up"}, {"mtu": None, "controller": None}, {}):
        fast, slow = link.replaced(**changes), link.model_copy(update=changes)
        assert fast == slow and vars(fast) == vars(slow)
        assert fast.model_fields_set == slow.model_fields_set
        assert fast.document() == slow.document()
    assert link.replaced(state="up") is not link and link.state is None
    with pytest.raises(TypeError, match="no field 'stat'"):
        link.replaced(stat="up")
