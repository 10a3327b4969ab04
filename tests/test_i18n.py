"""Both languages are complete: every string in the code and templates has a zh-Hans translation."""

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from block_service.web.i18n import current_language, gettext, negotiate

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "lazy_gettext": None,
    "later": None,
    "pgettext": ((1, "c"), 2),
    "N_": None,
    "NP_": ((1, "c"), 2),
    "Invalid": None,
    "Conflict": None,
    "Forbidden": None,
    "NotFound": None,
    "DomainError": None,
}
METHODS = [("block_service/**.py", "python"), ("templates/**.html", "jinja2")]
OPTIONS = {"templates/**.html": {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}}
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _source_messages() -> set[tuple[str | None, str]]:
    found = set()
    for _filename, _lineno, message, _comments, context in extract_from_dir(
        str(ROOT), method_map=METHODS, options_map=OPTIONS, keywords=KEYWORDS
    ):
        found.add((context, message[0] if isinstance(message, tuple) else message))
    return found


def _catalogue():
    with open(ROOT / "block_service/locale/zh_Hans/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="zh_Hans")


def test_every_string_in_the_source_is_in_the_chinese_catalogue():
    catalogue = _catalogue()
    known = {(m.context, m.id[0] if isinstance(m.id, tuple) else m.id) for m in catalogue if m.id}
    missing = sorted(_source_messages() - known)
    assert not missing, f"run scripts/i18n and translate: {missing}"


def test_every_chinese_translation_is_filled_in_and_keeps_its_placeholders():
    for message in _catalogue():
        if not message.id:
            continue
        source = message.id[0] if isinstance(message.id, tuple) else message.id
        text = message.string[0] if isinstance(message.string, tuple) else message.string
        assert text, f"untranslated: {source!r}"
        assert "fuzzy" not in message.flags, f"fuzzy: {source!r}"
        expected = set(PLACEHOLDER.findall(source))
        if isinstance(message.id, tuple):
            expected |= set(PLACEHOLDER.findall(message.id[1]))
        assert set(PLACEHOLDER.findall(text)) == expected, f"placeholders differ: {source!r} -> {text!r}"


def test_translation_follows_the_request_language():
    token = current_language.set("zh-Hans")
    try:
        assert gettext("Log in") == "登录"
        current_language.set("en")
        assert gettext("Log in") == "Log in"
    finally:
        current_language.reset(token)


def test_language_negotiation_prefers_the_persons_choice_then_the_browser():
    assert negotiate("en", "zh-CN,zh;q=0.9", "zh-Hans") == "en"
    assert negotiate(None, "en-US,en;q=0.9,zh;q=0.5", "zh-Hans") == "en"
    assert negotiate(None, "fr-FR, zh-TW;q=0.8", "en") == "zh-Hans"
    assert negotiate("klingon", "de-DE", "zh-Hans") == "zh-Hans"


def test_a_refused_form_carries_msgids_and_is_translated_only_where_it_is_shown():
    from block_service.errors import FormInvalid

    refusal = FormInvalid({"first_number": "This range overlaps the segment %(slug)s."}, slug="north")
    assert refusal.messages == {"first_number": ("This range overlaps the segment %(slug)s.", {"slug": "north"})}
    token = current_language.set("en")
    try:
        assert refusal.errors == {"first_number": "This range overlaps the segment north."}
        current_language.set("zh-Hans")
        chinese = refusal.errors["first_number"]
        assert "north" in chinese and chinese != "This range overlaps the segment north."
    finally:
        current_language.reset(token)
