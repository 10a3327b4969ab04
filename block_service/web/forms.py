"""Read a submitted form into its msgspec Struct, collecting every field's error in the person's language."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import Any, TypeVar

import msgspec
from msgspec import inspect as mi

from block_service.errors import DomainError, FormInvalid
from block_service.i18n import N_
from block_service.web.params import MAX_ID

T = TypeVar("T", bound=msgspec.Struct)
# A field's error: the msgid and its parameters, translated when the form is shown (FormInvalid.errors).
Message = tuple[str, dict[str, Any]]


def _unwrap(info: mi.Type) -> tuple[mi.Type, bool]:
    """The field's type without None, and whether None is allowed."""
    if isinstance(info, mi.UnionType):
        others = [t for t in info.types if not isinstance(t, mi.NoneType)]
        if len(others) == 1:
            return others[0], True
    return info, False


def _check(value: Any, info: mi.Type) -> tuple[Any, Message | None]:
    if isinstance(info, mi.StrType):
        text = str(value).strip().replace("\r\n", "\n")
        if info.min_length and len(text) < info.min_length:
            if not text:
                return None, (N_("This field is required."), {})
            return None, (N_("Enter at least %(count)s characters."), {"count": info.min_length})
        if info.max_length is not None and len(text) > info.max_length:
            return None, (N_("Enter at most %(count)s characters."), {"count": info.max_length})
        if info.pattern and text and not re.search(info.pattern, text):
            return None, (N_("This value has the wrong format."), {})
        return text, None
    if isinstance(info, mi.IntType):
        try:
            number = int(str(value).strip())
        except ValueError:
            return None, (N_("Enter a whole number."), {})
        # A field without bounds still gets the database's: an id of 20 digits is a wrong value, not a 500.
        lowest = info.ge if info.ge is not None else -MAX_ID
        highest = info.le if info.le is not None else MAX_ID
        if number < lowest:
            return None, (N_("Enter a number of at least %(count)s."), {"count": lowest})
        if number > highest:
            return None, (N_("Enter a number of at most %(count)s."), {"count": highest})
        return number, None
    if isinstance(info, mi.BoolType):
        return str(value).strip().lower() in {"1", "true", "on", "yes"}, None
    if isinstance(info, mi.LiteralType):
        if value in info.values:
            return value, None
        return None, (N_("Choose one of the offered options."), {})
    return value, None


@functools.cache
def _struct_info(form_type: type) -> mi.StructType:
    """msgspec's description of a form, worked out once per form (it took longer than the rest of reading it)."""
    info = mi.type_info(form_type)
    assert isinstance(info, mi.StructType)
    return info


def read_form(form_type: type[T], data: Mapping[str, Any]) -> T:
    """Convert submitted fields into `form_type`; raise FormInvalid listing each bad field."""
    struct_info = _struct_info(form_type)
    cleaned: dict[str, Any] = {}
    errors: dict[str, Message] = {}
    for field in struct_info.fields:
        raw = data.get(field.encode_name)
        if isinstance(raw, list):
            raw = raw[-1] if raw else None
        field_type, nullable = _unwrap(field.type)
        is_blank = raw is None or (isinstance(raw, str) and raw.strip() == "")
        if is_blank and not isinstance(field_type, mi.BoolType):
            if field.required and not nullable:
                if isinstance(field_type, mi.StrType) and not field_type.min_length:
                    cleaned[field.name] = ""
                    continue
                errors[field.encode_name] = (N_("This field is required."), {})
            elif nullable:
                cleaned[field.name] = None
            continue
        value, error = _check(raw if raw is not None else "", field_type)
        if error:
            errors[field.encode_name] = error
        else:
            cleaned[field.name] = value
    if errors:
        raise FormInvalid(errors)
    try:
        return msgspec.convert(cleaned, form_type)
    except msgspec.ValidationError as error:
        raise FormInvalid({"__all__": N_("Some values were not accepted: %(detail)s")}, detail=str(error)) from error


def form_errors(error: Exception) -> dict[str, str]:
    """Field errors of a refused form (FormInvalid or DomainError), for the form to show beside its fields."""
    if isinstance(error, FormInvalid):
        return error.errors
    assert isinstance(error, DomainError)
    return {error.field or "__all__": error.translated()}


def status_of(error: Exception) -> int:
    """The HTTP status of a refused form: the domain error's own, 422 for fields that did not validate."""
    return error.status_code if isinstance(error, DomainError) else 422
