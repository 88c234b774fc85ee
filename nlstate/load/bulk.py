"""Validating a long list of entries (100k routes) faster than one model at a time.

`model_validate` of a RouteConfig costs some 5 us in pydantic-core, most of it building the
model (a fields-set of 728 bytes among it) and calling the value types' Python validators
once per route, though most values repeat (gateways, interfaces, metrics, tables).
`BulkValidator` validates a list column by column instead: each distinct value of a key
once, by the model's own field type (a TypeAdapter of the field's annotation, so no rule is
restated here); then it builds the models directly and runs the model's "after" validators
on them.

It gives what `model_validate` of each entry gives (tests/unit/test_bulk.py compares the
two), or None when it cannot vouch for every entry: a value that its field refuses, an
unknown key, a list or mapping as a value, a model validator that refuses. The caller then
validates the usual way, so every error is pydantic's own, located and worded as always.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import repeat
from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import BaseModel, TypeAdapter
from pydantic.fields import FieldInfo

from nlstate.values.types import ColumnCheck

__all__ = ["BulkValidator", "validated_by_fields"]

ModelT = TypeVar("ModelT", bound=BaseModel)

_NONE_TYPE = type(None)
_TEXT = {str, _NONE_TYPE}
_NOT_FOUND = object()
_SAMPLE = 64  # values that tell whether a column is worth reducing to its distinct values


class BulkValidator(Generic[ModelT]):
    """`validate(entries)`: [model.model_validate(entry) for entry in entries], or None."""

    def __init__(self, model: type[ModelT]) -> None:
        self.model = model
        self.usable = validated_by_fields(model) and _all_optional(model)
        fields = model.model_fields
        self._field_of_key = {field.alias or name: name for name, field in fields.items()}
        self._columns = {key: _column_adapter(model, fields[name])
                         for key, name in self._field_of_key.items()}
        self._checks = {key: check for key, name in self._field_of_key.items()
                        if (check := _column_check(fields[name])) is not None}
        validators = model.__pydantic_decorators__.model_validators.values()
        self._after: list[Callable[[ModelT], ModelT]] = [v.func for v in validators]
        self._build = _builder(model, self._field_of_key)

    def validate(self, entries: Sequence[Any]) -> list[ModelT] | None:
        checked = self._checked_columns(entries)
        if checked is None:
            return None
        models = list(map(self._build, entries))
        for name, (_, canonical) in checked.items():
            if canonical:
                _put_canonical(models, name, canonical)
        try:
            for after in self._after:
                models = list(map(after, models))
        except Exception:  # whatever it is, the usual path reports it
            return None
        return models

    def columns(self, entries: Sequence[Any]) -> dict[str, list[Any]] | None:
        """The entries' values field by field (fields no entry gives left out), validated
        and in canonical form, as the fields of their models would hold them; None as for
        validate. The model's "after" validators are not run: that is the caller's part."""
        checked = self._checked_columns(entries)
        if checked is None:
            return None
        return {name: [canonical.get((type(value), value), value) for value in column]
                if canonical else column
                for name, (column, canonical) in checked.items()}

    def _checked_columns(self, entries: Sequence[Any],
                         ) -> dict[str, tuple[list[Any], dict[Any, Any]]] | None:
        """Field name -> (the entries' values of its key, {(type, value): canonical form}
        for those whose form changes), once every value is found valid; None when one is
        not, an entry is no mapping, or a key is unknown."""
        if not self.usable or set(map(type, entries)) - {dict}:
            return None
        keys = set().union(*entries)
        if not keys <= self._field_of_key.keys():
            return None
        checked = {}
        for key in keys:
            column = list(map(dict.get, entries, repeat(key)))
            canonical = self._canonical_values(key, column)
            if canonical is None:
                return None
            checked[self._field_of_key[key]] = (column, canonical)
        return checked

    def _canonical_values(self, key: str, column: list[Any]) -> dict[Any, Any] | None:
        """The column's values validated, each distinct one once: {(type, value): canonical
        form} for those whose form changes (empty if none does), None if one is refused."""
        try:
            values = _distinct(column)
        except TypeError:  # a list or mapping: left to the model
            return None
        check = self._checks.get(key)
        if check is not None and check.passes(values):
            return {}
        try:
            canonical = self._columns[key].validate_python(values)
        except Exception:  # refused: the usual path says why
            return None
        if canonical == values and list(map(type, canonical)) == list(map(type, values)):
            return {}  # the common case, checked in C
        try:
            return {(type(value), value): result
                    for value, result in zip(values, canonical, strict=True)
                    if type(result) is not type(value) or result != value}
        except TypeError:
            return None


def _distinct(column: list[Any]) -> list[Any]:
    """The values of a column, each once, unless a sample says they all differ (such as
    route destinations): the column as it is then. Values of several types are told apart
    by type, as 1, 1.0 and True are one set member."""
    sample = column[:_SAMPLE]
    if len(set(sample)) == len(sample):
        return column
    distinct = set(column)
    if set(map(type, distinct)) <= _TEXT:  # no value of another type can equal a str
        return list(distinct)
    if len(set(map(type, column)) - {_NONE_TYPE}) > 1:
        return [value for _, value in set(zip(map(type, column), column, strict=True))]
    return list(distinct)


def _builder(model: type[ModelT], field_of_key: dict[str, str]) -> Callable[[Any], ModelT]:
    """entry -> the model pydantic-core would build from it, unchecked (what
    model_construct does, at a fraction of its cost): every field in __dict__, in order.

    Entries with the same keys share one fields-set: a set of five names takes 728 bytes,
    70 MB for 100k routes, and a frozen model's set is never changed (model_copy copies
    it first)."""
    unset = dict.fromkeys(model.model_fields)
    field_name = field_of_key.__getitem__
    shapes: dict[tuple[str, ...], tuple[tuple[str, ...], set[str]]] = {}
    new = object.__new__
    set_slot = object.__setattr__  # a frozen model's own __setattr__ refuses

    def build(entry: dict[str, Any]) -> ModelT:
        keys = tuple(entry)
        shape = shapes.get(keys)
        if shape is None:  # the field names of these keys, and one fields-set for them all
            names = tuple(map(field_name, keys))
            shape = shapes[keys] = (names, set(names))
        values = unset.copy()
        values.update(zip(shape[0], entry.values()))  # noqa: B905 (one length: entry's keys)
        instance: ModelT = new(model)
        set_slot(instance, "__dict__", values)
        set_slot(instance, "__pydantic_fields_set__", shape[1])
        set_slot(instance, "__pydantic_extra__", None)
        set_slot(instance, "__pydantic_private__", None)
        return instance

    return build


def _put_canonical(models: list[ModelT], name: str, canonical: dict[Any, Any]) -> None:
    """Replace the values of field `name` that have another canonical form."""
    for instance in models:
        values = instance.__dict__
        value = values[name]
        found = canonical.get((type(value), value), _NOT_FOUND)
        if found is not _NOT_FOUND:
            values[name] = found


def _column_adapter(model: type[BaseModel], field: FieldInfo) -> TypeAdapter[list[Any]]:
    """Validates a list of values as the field validates one, under the model's config."""
    item: Any = field.annotation
    if field.metadata:  # pydantic moves a top-level Annotated's metadata into the field
        item = Annotated[(item, *field.metadata)]
    column: Any = list[item]
    adapter: TypeAdapter[list[Any]] = TypeAdapter(column, config=model.model_config)
    return adapter


def _column_check(field: FieldInfo) -> ColumnCheck | None:
    """The ColumnCheck of the field's value type (also inside `X | None`), if it has one."""
    pending: list[Any] = [*field.metadata, field.annotation]
    while pending:
        item = pending.pop()
        if isinstance(item, ColumnCheck):
            return item
        pending += getattr(item, "__metadata__", ())
        pending += get_args(item)
    return None


def validated_by_fields(model: type[BaseModel]) -> bool:
    """Whether a model's validation is its fields' types, then "after" model validators
    (no field, "before" or "wrap" validators, private attributes or post-init), with
    unknown keys refused and fields given by alias only."""
    decorators = model.__pydantic_decorators__
    return (
        model.model_config.get("extra") == "forbid"
        and not model.model_config.get("validate_by_name")
        and not (decorators.field_validators or decorators.validators
                 or decorators.root_validators)
        and all(d.info.mode == "after" for d in decorators.model_validators.values())
        and not model.__private_attributes__ and model.__pydantic_post_init__ is None
    )


def _all_optional(model: type[BaseModel]) -> bool:
    """Every field optional with None as default: the defaults can be shared."""
    return all(not f.is_required() and f.default is None and f.default_factory is None
               for f in model.model_fields.values())
