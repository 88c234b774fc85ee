"""Bulk validation of route entries (nlstate/load/bulk.py) gives what pydantic gives, one
model at a time, or nothing: then the usual path runs and reports the usual errors."""

from __future__ import annotations

import gc
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

import nlstate.load
from nlstate.collector import paused_gc
from nlstate.load import LoadError, load_text, validate_document
from nlstate.load.bulk import BulkValidator
from nlstate.model import StateFile
from nlstate.model.routes import RouteConfig

ROUTES = BulkValidator(RouteConfig)

# Per key: values taken as they are, values with another canonical form (a bare address,
# 'unicast', table names, protocol numbers, 1.0 and "100" for an integer), and refused ones.
GOOD: dict[str, list[Any]] = {
    "destination": ["10.0.0.0/8", "10.0.0.1/32", "10.0.0.1", " 10.1.0.0/16", "10.0.0.0/08",
                    "2001:db8::/64", "2001:DB8:0::/64"],
    "next-hop-address": ["192.0.2.1", "2001:db8::1", "FE80::1", None],
    "next-hop-interface": ["eth0", "lo", None],
    "metric": [0, 100, 1.0, "100", True, None],
    "table-id": [254, 100, "main", " local "],
    "route-type": ["unicast", "blackhole", "local", None],
    "weight": [1, 256],
    "next-hop-id": [7],
    "source": ["192.0.2.9", "2001:db8::9"],
    "protocol": ["static", 4, "4", "bird"],
    "scope": ["link", "global"],
    "tos": [0, 16],
    "onlink": [True, False, 1],
    "mtu": [1500],
    "quickack": [True, 0],
    "congctl": ["cubic"],
    "state": ["absent"],
}
BAD: dict[str, list[Any]] = {
    "destination": ["10.0.0.1/8", "bad", None, 5, ["10.0.0.0/8"]],
    "next-hop-address": ["192.0.2.1%eth0", 1],
    "next-hop-interface": ["a-very-long-name0", ""],
    "metric": [-1, 2**32, 1.5],
    "table-id": [0, "x", True],
    "route-type": ["bogus"],
    "weight": [0, 257],
    "protocol": ["nosuch", 300, True],
    "tos": [256],
    "onlink": ["yes"],
    "state": ["present"],
    "bogus-key": [1],
}


def entries_from(values: dict[str, list[Any]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.sets(st.sampled_from(sorted(values)), max_size=6).flatmap(
        lambda keys: st.fixed_dictionaries({key: st.sampled_from(values[key])
                                            for key in sorted(keys)}))


good_entry = st.builds(lambda destination, rest: {"destination": destination, **rest},
                       st.sampled_from(GOOD["destination"]), entries_from(GOOD))
any_entry = entries_from({key: GOOD.get(key, []) + BAD.get(key, [])
                          for key in GOOD.keys() | BAD.keys()})
entry_strategy = st.one_of(good_entry, good_entry, good_entry, good_entry, any_entry)


def one_at_a_time(entries: list[dict[str, Any]]) -> list[RouteConfig] | None:
    try:
        return [RouteConfig.model_validate(entry) for entry in entries]
    except ValidationError:
        return None


def assert_same_models(found: list[Any], expected: list[Any]) -> None:
    assert len(found) == len(expected)
    for one, other in zip(found, expected, strict=True):
        assert type(one) is type(other)
        assert one == other
        assert [(k, type(v), v) for k, v in vars(one).items()] == [
            (k, type(v), v) for k, v in vars(other).items()]
        assert one.model_fields_set == other.model_fields_set
        assert one.__pydantic_extra__ == other.__pydantic_extra__
        assert one.__pydantic_private__ == other.__pydantic_private__
        assert repr(one) == repr(other)
        assert one.model_dump() == other.model_dump()
        assert one.record() == other.record()


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry_strategy, min_size=1, max_size=6))
def test_bulk_gives_the_models_or_nothing(entries: list[dict[str, Any]]) -> None:
    expected = one_at_a_time(entries)
    found = ROUTES.validate(entries)
    if expected is None:
        assert found is None
    else:
        assert found is not None
        assert_same_models(found, expected)


def test_repeated_and_distinct_values_both_ways() -> None:
    """Long enough for a column of distinct values (destinations) to be taken whole and
    for repeated ones to be reduced, with values of several types among them."""
    entries: list[dict[str, Any]] = [
        {"destination": f"10.0.{i >> 8}.{i & 255}", "next-hop-address": "192.0.2.1",
         "next-hop-interface": "eth0", "metric": (100, 100.0, "100", 1, True)[i % 5],
         "table-id": ("main", 254, 100)[i % 3]}
        for i in range(300)
    ]
    entries += [{"destination": "2001:DB8::/64", "route-type": "unicast", "protocol": 4},
                {"destination": "2001:db8:1::/64", "route-type": "blackhole"}]
    expected = one_at_a_time(entries)
    assert expected is not None
    found = ROUTES.validate(entries)
    assert found is not None
    assert_same_models(found, expected)


def test_bulk_applies_to_route_entries() -> None:
    assert ROUTES.usable
    assert ROUTES.validate([{"destination": "10.0.0.0/8", "metric": 5}]) is not None
    assert ROUTES.validate([{"destination": "10.0.0.0/8"}, "not a mapping"]) is None
    assert ROUTES.validate([{"destination": ["10.0.0.0/8"]}]) is None


class Defaulted(BaseModel):
    name: str = "x"


def test_models_with_other_defaults_are_left_to_pydantic() -> None:
    assert not BulkValidator(Defaulted).usable


def document(routes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "interfaces": [{"name": "eth0", "type": "ethernet", "state": "up"}],
        "routes": {"config": routes, "protect": [{"protocol": "bird"}]},
        "route-rules": {"config": [{"family": "ipv4", "priority": 100, "route-table": 100}]},
    }


def many_routes(count: int) -> list[dict[str, Any]]:
    return [{"destination": f"10.{i >> 16}.{(i >> 8) & 255}.{i & 255}/32",
             "next-hop-address": "192.0.2.2", "next-hop-interface": "eth0", "metric": 100}
            for i in range(count)]


def test_validate_document_gives_the_state_file_pydantic_gives() -> None:
    doc = document([*many_routes(200), {"destination": "10.9.0.0/16", "state": "absent"}])
    found = validate_document(doc)
    expected = StateFile.model_validate(doc)
    assert found == expected
    assert found.model_dump() == expected.model_dump()
    assert found.model_fields_set == expected.model_fields_set
    assert found.routes is not None and expected.routes is not None
    assert found.routes.model_fields_set == expected.routes.model_fields_set
    assert_same_models(found.routes.config, expected.routes.config)
    assert nlstate.load.to_state(found) == nlstate.load.to_state(expected)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(entry_strategy, min_size=1, max_size=6))
def test_route_records_straight_from_columns_are_those_of_the_models(
        entries: list[dict[str, Any]]) -> None:
    doc = document(entries)
    found = nlstate.load._with_route_records(doc)
    try:
        expected = nlstate.load.to_state(StateFile.model_validate(doc))
    except ValidationError:
        assert found is None
        return
    if found is not None:
        assert found == expected
        assert [list(map(type, route)) for route in found.routes] == [
            list(map(type, route)) for route in expected.routes]


def test_routes_take_the_straight_path() -> None:
    """Plain routes without models, the others checked by theirs; absent entries (and any
    doubt) leave the file to the usual path."""
    doc = document([*many_routes(300),
                    {"destination": "192.0.2.0/24", "route-type": "blackhole"},
                    {"destination": "10.8.0.0/16", "next-hop-address": "192.0.2.2",
                     "source": "192.0.2.9", "tos": 8}])
    found = nlstate.load._with_route_records(doc)
    assert found is not None
    assert found == nlstate.load.to_state(StateFile.model_validate(doc))
    refused = {"destination": "192.0.2.0/24", "route-type": "blackhole",
               "next-hop-address": "192.0.2.2"}  # RouteConfig's check: no next hop there
    assert nlstate.load._with_route_records({**doc, "routes": {"config": [refused]}}) is None
    doc["routes"]["config"].append({"destination": "10.9.0.0/16", "state": "absent"})
    assert nlstate.load._with_route_records(doc) is None


def usual_problems(text: str, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as patch:
        patch.setattr(nlstate.load, "_with_bulk_routes", lambda _: None)
        patch.setattr(nlstate.load, "_with_route_records", lambda _: None)
        with pytest.raises(LoadError) as usual:
            load_text(text, "f.yml")
    return list(usual.value.problems)


@pytest.mark.parametrize("change", [
    {"destination": "10.0.0.1/8"},  # a value refused
    {"next-hop-adress": "192.0.2.1"},  # an unknown key
    {"destination": "10.0.0.5/32"},  # the same route twice (StateFile's check)
    {"destination": "10.0.0.0/8", "next-hop-address": "2001:db8::1"},  # RouteConfig's check
])
def test_a_bad_entry_among_many_gets_the_usual_error(
        change: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    routes = many_routes(300)
    routes[150] = {**routes[150], **change}
    text = yaml.safe_dump(document(routes), sort_keys=False)
    with pytest.raises(LoadError) as caught:
        load_text(text, "f.yml")
    assert list(caught.value.problems) == usual_problems(text, monkeypatch)
    assert all(p.path.startswith("routes.config.150") for p in caught.value.problems)


def test_a_problem_elsewhere_gets_the_usual_error(monkeypatch: pytest.MonkeyPatch) -> None:
    doc = document(many_routes(100))
    doc["interfaces"][0]["mtu"] = -1
    doc["routes"]["purge"] = [{"metric": "x"}]
    text = yaml.safe_dump(doc, sort_keys=False)
    with pytest.raises(LoadError) as caught:
        load_text(text, "f.yml")
    assert list(caught.value.problems) == usual_problems(text, monkeypatch)
    assert {p.path for p in caught.value.problems} == {"interfaces.0.mtu",
                                                       "routes.purge.0.metric"}


def test_objects_built_while_paused_skip_the_young_collections() -> None:
    with paused_gc():
        built = [[i] for i in range(10_000)]
    assert gc.isenabled()
    assert gc.get_count()[0] < 100  # not 10_000 objects for the next young collection
    assert gc.get_freeze_count() == 0
    assert len(built) == 10_000


def test_objects_the_program_froze_stay_frozen() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with paused_gc():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
