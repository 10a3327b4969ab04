"""Domain errors raised by services; one exception handler turns them into HTTP answers."""

from __future__ import annotations

from collections.abc import Mapping

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
    """Several field errors at once. Each is an English msgid (marked with N_ so it is extracted), with the
    keyword parameters shared by all, or a (msgid, parameters) pair of its own; `errors` translates them in
    the current language, which only the edge asks for."""

    status_code = 422

    def __init__(self, messages: Mapping[str, str | tuple[str, Mapping[str, object]]], **params: object) -> None:
        self.messages: dict[str, tuple[str, dict[str, object]]] = {
            field: (message, params) if isinstance(message, str) else (message[0], dict(message[1]))
            for field, message in messages.items()
        }
        super().__init__(", ".join(f"{field}: {message}" for field, (message, _params) in self.messages.items()))

    @property
    def errors(self) -> dict[str, str]:
        """The field errors in the reader's language."""
        return {field: gettext(message, **params) for field, (message, params) in self.messages.items()}
