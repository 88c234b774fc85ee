"""Selectors: partial objects that match kernel objects on the keys they give.

One rule serves three purposes: `state: absent` entries (nmstate's wildcards: keys left
out match anything), and the ownership policy's `purge` and `protect` lists. A selector
has the same keys and value checks as the object's file model, all optional.
"""

from __future__ import annotations

from typing import Annotated, Any, NamedTuple

from pydantic import Field, create_model

from nlstate.values.base import FileModel

# Keys a selector never compares: what an entry asks for, not what an object is.
NOT_SELECTABLE = frozenset({"state"})


class Selector(NamedTuple):
    """(key, value) pairs, in record field names; matches a record whose fields equal all."""

    keys: tuple[tuple[str, Any], ...]

    def matches(self, record: tuple[Any, ...]) -> bool:
        return all(getattr(record, name) == value for name, value in self.keys)

    def describe(self) -> str:
        return ", ".join(f"{name.replace('_', '-')}={value}" for name, value in self.keys) \
            or "everything"


def selector_model(config: type[FileModel], name: str) -> type[FileModel]:
    """A model with every selectable field of `config`, each optional, same checks."""
    fields: dict[str, Any] = {}
    for field_name, info in config.model_fields.items():
        if field_name in NOT_SELECTABLE:
            continue
        annotation: Any = info.annotation
        if info.metadata:
            annotation = Annotated[annotation, *info.metadata]
        fields[field_name] = (annotation | None, Field(None, description=info.description))
    model: type[FileModel] = create_model(name, __base__=FileModel, **fields)
    model.__doc__ = (f"Matches {config.__name__.removesuffix('Config').lower()} objects on the "
                     "keys it gives; a key left out matches anything.")
    return model


def to_selector(model: FileModel) -> Selector:
    """The keys the user gave, canonical, in record field names."""
    given = model.model_fields_set - NOT_SELECTABLE
    return Selector(tuple((name, getattr(model, name)) for name in sorted(given)))
