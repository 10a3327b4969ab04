"""Query values from filter forms: an empty <select> sends "", which means "any", not an error."""

from __future__ import annotations

from litestar.exceptions import ValidationException


def optional_int(value: str | None, name: str) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ValidationException(f"{name} must be a whole number") from None


def checked(value: str | None) -> bool:
    return (value or "").strip().lower() in {"1", "true", "on", "yes"}
