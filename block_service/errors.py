"""Domain errors raised by services; one exception handler turns them into HTTP answers."""

from __future__ import annotations

from block_service.i18n import gettext


class DomainError(Exception):
    """A refusal a person can cause. `message` is an English msgid, translated when shown."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, **params: object) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.params = params

    def translated(self) -> str:
        return gettext(self.message, **self.params)


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


class Conflict(DomainError):
    """The request clashes with the current state (a double submit, a taken name)."""

    status_code = 409


class Invalid(DomainError):
    """Input that breaks a rule; forms show it next to the field."""

    status_code = 422


class FormInvalid(Exception):
    """Several field errors at once, each an already translated message."""

    status_code = 422

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(", ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors
