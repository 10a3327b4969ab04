"""Path and query values: every number bounded in its type, and filter values where "" means "any".

A number beyond what the database stores (ids are 32-bit on PostgreSQL; SQLite raised OverflowError on
64+ bits) must be a 400 from the parameter's own bounds, never a 500 from the driver. The bounds are in
the types, so the OpenAPI schema states them too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from litestar.exceptions import ValidationException
from litestar.params import Parameter

MAX_ID = 2**31 - 1  # PostgreSQL `serial`/`integer`; no row id of this service gets near it
MAX_PAGE = 100_000
MAX_PER_PAGE = 100

# A row id in a path or a query: a 400 outside 1..MAX_ID, so the handler never sees one the database refuses.
Id = Annotated[int, Parameter(ge=1, le=MAX_ID)]
# The same, optional (bounds on a Union are only applied from the outer Annotated, not from a member's).
OptionalId = Annotated[int | None, Parameter(ge=1, le=MAX_ID)]
PageNumber = Annotated[int, Parameter(ge=1, le=MAX_PAGE)]
PerPage = Annotated[int, Parameter(ge=1, le=MAX_PER_PAGE)]
# An id from a filter form: digits or nothing (an empty <select> sends "", which means "any"). Nine digits
# at most keep it under MAX_ID; the pattern is in the schema, so clients know it before asking.
OptionalIdText = Annotated[str | None, Parameter(pattern=r"^[0-9]{0,9}$", max_length=9)]


def optional_int(value: str | None, name: str) -> int | None:
    """The id a filter form sent, None for "any"; parsed, not pre-checked (`"¹".isdigit()` is true)."""
    if value is None or value.strip() == "":
        return None
    try:
        number = int(value)
    except ValueError:
        raise ValidationException(f"{name} must be a whole number") from None
    if not 0 <= number <= MAX_ID:
        raise ValidationException(f"{name} is out of range")
    return number


def checked(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "on", "yes"}


def whole_numbers(data: Mapping[str, Any], name: str) -> list[int]:
    """The ids a form sent under one name (several checkboxes, a multiple select): those in 1..MAX_ID, in order,
    each once; anything else is dropped (read_form reads one value per field)."""
    raw = data.get(name) or []
    out: list[int] = []
    for value in raw if isinstance(raw, list) else [raw]:
        try:
            number = int(str(value).strip())
        except ValueError:
            continue
        if 1 <= number <= MAX_ID and number not in out:
            out.append(number)
    return out
