"""Errors that point at the offending key, for checks that look at more than one key.

A model validator's ValueError gets the model's own location; a check that knows which key
is wrong (say interfaces[3].controller, found by StateFile's validator) raises instead a
ValidationError built by `fail`, with locations relative to the model being validated.
pydantic-core merges a ValidationError raised inside a validator into the outer error and
puts the outer location in front, so the loc a caller sees is complete
(("interfaces", 3, "controller")), and a loader can turn it into FILE:LINE:COL.

Error types: "nlstate_invalid" (a value or a combination is wrong) and "nlstate_refused"
(a key is outside what nlstate manages). Both messages are complete sentences: they say what
is wrong and what would be right, and need no "found ..." appended. A key that is required
only in some cases is reported as pydantic's own "missing", like any required key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

from pydantic import ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

INVALID = "nlstate_invalid"
REFUSED = "nlstate_refused"
MISSING = "missing"  # pydantic's own type ("Field required")
ERROR_TYPES = frozenset({INVALID, REFUSED})

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Finding:
    """One thing wrong: where (relative to the model checked), what, and the value there."""

    loc: Loc
    message: str
    input: Any = None
    kind: str = INVALID

    def details(self, prefix: Loc = ()) -> InitErrorDetails:
        if self.kind == MISSING:
            return InitErrorDetails(type=MISSING, loc=prefix + self.loc, input=self.input)
        return InitErrorDetails(type=PydanticCustomError(self.kind, self.message),
                                loc=prefix + self.loc, input=self.input)


def fail(title: str, findings: Sequence[Finding]) -> NoReturn:
    """Raise every finding at once as one ValidationError (pydantic prefixes outer locs)."""
    raise ValidationError.from_exception_data(title, [f.details() for f in findings])


def check(title: str, findings: Sequence[Finding]) -> None:
    if findings:
        fail(title, findings)
