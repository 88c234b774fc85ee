"""pydantic's errors in the words of the state file: key paths, plain messages, and a
"did you mean" for misspelt keys."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel
from pydantic_core import ErrorDetails

from nlstate.model.state import StateFile
from nlstate.values.errors import ERROR_TYPES


def key_path(loc: Sequence[str | int]) -> str:
    return ".".join(str(part) for part in loc)


def describe(error: ErrorDetails) -> str:
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1]) if loc else "?"
        allowed = allowed_keys(loc[:-1])
        hint = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
        message = f"unknown key '{key}'"
        if hint:
            return f"{message}; did you mean '{hint[0]}'?"
        if allowed:
            return f"{message}; expected one of: {', '.join(sorted(allowed))}"
        return message
    if kind == "missing":
        return f"'{loc[-1]}' is required here" if loc else "a required key is missing"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        if message.startswith(prefix):
            message = message[len(prefix):]
    if loc and message.startswith(f"{loc[-1]}: "):  # the path already names the key
        message = message[len(str(loc[-1])) + 2:]
    if kind in ERROR_TYPES or kind in ("value_error", "assertion_error"):
        return message  # complete sentences that say what was found
    if "input" in error:
        message += f" (found {_short(error['input'])})"
    return message


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def allowed_keys(loc: Sequence[str | int]) -> list[str]:
    """The keys the model at `loc` accepts (by walking StateFile's field annotations)."""
    model: type[BaseModel] | None = StateFile
    for part in loc:
        if model is None:
            return []
        if isinstance(part, int):
            continue  # a list element: the list's model was found at its key
        field = next((f for name, f in model.model_fields.items()
                      if (f.alias or name) == part), None)
        if field is None:
            return []
        model = _model_in(field.annotation)
    if model is None:
        return []
    return [field.alias or name for name, field in model.model_fields.items()]


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside Optional[...], list[...], Annotated[...] and unions."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is None and not isinstance(annotation, types.UnionType):
        return None
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None
