"""Shared pieces of the desired-state file models: kebab-case keys, strict, frozen."""

from __future__ import annotations

from typing import Any, Self

from pydantic import BaseModel, ConfigDict


def kebab(name: str) -> str:
    return name.replace("_", "-")


class FileModel(BaseModel):
    """A section of the state file. Keys are kebab-case (nmstate's style); unknown keys are
    errors; values are canonical, so two models compare with plain equality."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=kebab,
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        use_attribute_docstrings=False,
        defer_build=True,
    )

    def replaced(self, **changes: Any) -> Self:
        """model_copy(update=changes) at a fraction of its cost (a plan copies every link it
        touches several times); the copy shares the other values, which a frozen model never
        changes. Unvalidated, as model_copy's update is."""
        fields = type(self).__pydantic_fields__
        if not changes.keys() <= fields.keys():
            unknown = sorted(changes.keys() - fields.keys())
            raise TypeError(f"{type(self).__name__} has no field {unknown[0]!r}")
        copied = object.__new__(type(self))
        set_slot = object.__setattr__  # a frozen model's own __setattr__ refuses
        set_slot(copied, "__dict__", {**self.__dict__, **changes})
        set_slot(copied, "__pydantic_fields_set__", self.__pydantic_fields_set__ | changes.keys())
        set_slot(copied, "__pydantic_extra__", None)  # extra="forbid": there is none
        set_slot(copied, "__pydantic_private__", self.__pydantic_private__)
        return copied

    def document(self) -> dict[str, Any]:
        """The model as a file would say it: kebab keys, unset values left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
