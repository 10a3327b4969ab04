"""Translations below the domains: Babel catalogues per language, the current language in a context variable."""

from __future__ import annotations

import contextvars
import gettext as gettext_module
import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = {"zh-Hans": "zh_Hans", "en": "en"}
DEFAULT_LANGUAGE = "zh-Hans"

_catalogues: dict[str, gettext_module.NullTranslations] = {}
current_language: contextvars.ContextVar[str] = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)


def load_catalogues() -> None:
    """Compile the .po files in memory (no build step); called once at start-up."""
    for language, folder in LANGUAGES.items():
        po_path = LOCALE_DIR / folder / "LC_MESSAGES" / "messages.po"
        if not po_path.exists():
            _catalogues[language] = gettext_module.NullTranslations()
            continue
        with po_path.open("rb") as po_file:
            catalogue = read_po(po_file, locale=folder)
        buffer = io.BytesIO()
        write_mo(buffer, catalogue, use_fuzzy=False)
        buffer.seek(0)
        _catalogues[language] = gettext_module.GNUTranslations(buffer)


_NO_TRANSLATIONS = gettext_module.NullTranslations()


def translations() -> gettext_module.NullTranslations:
    """The catalogue of the request's language."""
    if not _catalogues:
        load_catalogues()
    return _catalogues.get(current_language.get()) or _NO_TRANSLATIONS


def gettext(message: str, **params: object) -> str:
    text = translations().gettext(message)
    return text % params if params else text


def pgettext(context: str, message: str, **params: object) -> str:
    """A message whose English is shared by two meanings ("Closed" shop vs "Closed" thread)."""
    text = translations().pgettext(context, message)
    return text % params if params else text


def ngettext(singular: str, plural: str, count: int, **params: object) -> str:
    text = translations().ngettext(singular, plural, count)
    params.setdefault("num", count)
    return text % params


def lazy_gettext(message: str, **params: object) -> LazyProxy:
    """A message translated when it is shown, for texts defined before any request exists."""
    return LazyProxy(gettext, message, enable_cache=False, **params)


_ = gettext


class LazyText:
    """Text translated when it is shown: a msgid and its parameters (a parameter may be one too).

    Where a domain names something in words (a deleted account, an anonymous author), it returns one of
    these instead of translating: the domain's values then read the same in every language (kept copies,
    lists built once), and the edge gives the text in the reader's language. str() translates in the
    current language, and every edge calls it: Jinja's escaping, `%` into a translated message, csv, and the
    JSON encoder (app.py: type_encoders). Equal and hashed by msgid and parameters; ordered by the text in
    the current language, so a list mixing it with plain names still sorts. Immutable."""

    __slots__ = ("msgid", "params")
    msgid: str
    params: tuple[tuple[str, object], ...]

    def __init__(self, msgid: str, /, **params: object) -> None:
        object.__setattr__(self, "msgid", msgid)
        object.__setattr__(self, "params", tuple(sorted(params.items())))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("a LazyText does not change")

    def __str__(self) -> str:
        return gettext(self.msgid, **dict(self.params))

    def __format__(self, spec: str) -> str:
        return format(str(self), spec)

    def __repr__(self) -> str:
        params = "".join(f", {name}={value!r}" for name, value in self.params)
        return f"LazyText({self.msgid!r}{params})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyText):
            return (self.msgid, self.params) == (other.msgid, other.params)
        return NotImplemented

    def __hash__(self) -> int:
        return hash((self.msgid, self.params))

    def __bool__(self) -> bool:
        return True

    def __lt__(self, other: object) -> bool:
        return str(self) < str(other) if isinstance(other, (str, LazyText)) else NotImplemented

    def __gt__(self, other: object) -> bool:
        return str(self) > str(other) if isinstance(other, (str, LazyText)) else NotImplemented

    def __le__(self, other: object) -> bool:
        return str(self) <= str(other) if isinstance(other, (str, LazyText)) else NotImplemented

    def __ge__(self, other: object) -> bool:
        return str(self) >= str(other) if isinstance(other, (str, LazyText)) else NotImplemented


def later(message: str, **params: object) -> LazyText:
    """A msgid (marked for extraction) with its parameters, translated when the edge shows it: see LazyText."""
    return LazyText(message, **params)


def N_(message: str) -> str:  # noqa: N802 (gettext's conventional name)
    """Marks a msgid for extraction where it is raised, not translated: the edge translates it."""
    return message


def localized(record: object, field: str) -> str:
    """Pick name_zh or name_en of a data row by the current language."""
    suffix = "zh" if current_language.get() == "zh-Hans" else "en"
    if isinstance(record, dict):
        return record.get(f"{field}_{suffix}") or record.get(f"{field}_zh") or ""
    return getattr(record, f"{field}_{suffix}", "") or getattr(record, f"{field}_zh", "")
