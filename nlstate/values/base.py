"""Shared pieces of the desired-state file models: kebab-case keys, strict, frozen."""

from __future__ import annotations

from typing import Any

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

    def document(self) -> dict[str, Any]:
        """The model as a file would say it: kebab keys, unset values left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)
