"""Jinja2 environment, template globals and the render helper shared by all controllers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Template
from litestar.template.config import TemplateConfig
from markupsafe import Markup, escape

from block_service import clock
from block_service.clock import BLOCK_TIMEZONE
from block_service.settings import PROJECT_ROOT
from block_service.web.i18n import (
    LANGUAGE_NAMES,
    current_language,
    gettext,
    localized,
    ngettext,
    pgettext,
    translations,
)
from block_service.web.labels import (
    audit_action_label,
    audit_sentence,
    house_number_label,
    proposal_size_label,
    proposal_status_label,
    proposal_step_label,
    role_label,
    status_action_label,
    status_label,
    thread_status_label,
)

TEMPLATES_DIR = PROJECT_ROOT / "templates"
FLASH_KEY = "_flashes"


def format_datetime(value: dt.datetime | None, with_time: bool = True) -> str:
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    local = value.astimezone(BLOCK_TIMEZONE)
    # Formatted by hand: strftime took a third of a millisecond per call, a dozen times per list page.
    day = f"{local.year:04d}-{local.month:02d}-{local.day:02d}"
    return f"{day} {local.hour:02d}:{local.minute:02d}" if with_time else day


def format_age(value: dt.datetime | None) -> str:
    """How long ago, in the reader's language: minutes, hours, then days."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    minutes = max(0, int((clock.now() - value).total_seconds() // 60))
    if minutes < 60:
        return ngettext("%(num)s minute", "%(num)s minutes", minutes) % {"num": minutes}
    if minutes < 48 * 60:
        return ngettext("%(num)s hour", "%(num)s hours", minutes // 60) % {"num": minutes // 60}
    return ngettext("%(num)s day", "%(num)s days", minutes // 1440) % {"num": minutes // 1440}


def flash(request: Request, message: str, category: str = "info") -> None:
    """A one-time message shown on the next page (already translated by the caller)."""
    request.session.setdefault(FLASH_KEY, []).append({"message": message, "category": category})


def pop_flashes(request: Request) -> list[dict[str, str]]:
    session = request.scope.get("session")
    if not isinstance(session, dict) or FLASH_KEY not in session:
        return []
    return session.pop(FLASH_KEY)


def current_viewer(request: Request):
    from block_service.web.auth import viewer_of

    return viewer_of(request.scope)


_url_patterns: dict[tuple, str] = {}
_PLACEHOLDER = 918_273_645


def url_for(context: Mapping[str, Any], /, route_name: str, **path_parameters: Any) -> str:
    """Litestar's url_for, remembered: a list page builds a few dozen links, and reversing a route each
    time cost more than rendering the row. Integer parameters are filled into a remembered pattern."""
    app = context["request"].app
    if all(isinstance(value, int) for value in path_parameters.values()):
        key = (id(app), route_name, tuple(sorted(path_parameters)))
        pattern = _url_patterns.get(key)
        if pattern is None:
            names = key[2]
            path = app.route_reverse(route_name, **{name: _PLACEHOLDER + i for i, name in enumerate(names)})
            for i, name in enumerate(names):
                path = path.replace(str(_PLACEHOLDER + i), "{" + name + "}")
            pattern = _url_patterns[key] = path
        return pattern.format(**path_parameters)
    key = (id(app), route_name, tuple(sorted(path_parameters.items())))
    if key not in _url_patterns and len(_url_patterns) < 2000:
        _url_patterns[key] = app.route_reverse(route_name, **path_parameters)
    return _url_patterns.get(key) or app.route_reverse(route_name, **path_parameters)


# Jinja's "newstyle" gettext goes through three context calls per message, and markupsafe's `%` through a
# Python helper per variable; a list page has about a hundred messages. These do the same in one plain call:
# translate, fill in the escaped variables (all messages use %(name)s), mark the result safe.
def _filled(text: str, variables: dict[str, Any]) -> Markup:
    if not variables and "%" not in text:
        return Markup(text)
    return Markup(text % {name: escape(value) for name, value in variables.items()})


def _template_gettext(message: str, /, **variables: Any) -> Markup:
    return _filled(translations().gettext(message), variables)


def _template_ngettext(singular: str, plural: str, count: int, /, **variables: Any) -> Markup:
    variables.setdefault("num", count)
    return _filled(translations().ngettext(singular, plural, count), variables)


def _template_pgettext(context: str, message: str, /, **variables: Any) -> Markup:
    variables.setdefault("context", context)
    return _filled(translations().pgettext(context, message), variables)


def _localized_filter(record: object, field: str) -> str:
    return localized(record, field)


def create_template_config(debug: bool) -> TemplateConfig:
    from block_service.threads.moderation import FLAG_ACCOUNT_MIN_AGE, FLAGS_TO_HIDE

    environment = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        auto_reload=debug,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext
    )
    environment.globals.update(
        _=_template_gettext,
        gettext=_template_gettext,
        ngettext=_template_ngettext,
        pgettext=_template_pgettext,
        localized=localized,
        language=current_language.get,
        language_names=LANGUAGE_NAMES,
        format_datetime=format_datetime,
        pop_flashes=pop_flashes,
        current_viewer=current_viewer,
        role_label=role_label,
        audit_sentence=audit_sentence,
        audit_action_label=audit_action_label,
        status_label=status_label,
        thread_status_label=thread_status_label,
        status_action_label=status_action_label,
        proposal_step_label=proposal_step_label,
        proposal_size_label=proposal_size_label,
        # The auto-hiding rule, stated where people flag and where staff moderate, from its one definition.
        flag_rule={"count": FLAGS_TO_HIDE, "days": FLAG_ACCOUNT_MIN_AGE.days},
    )
    # Filters are plain calls in compiled templates (globals go through the context): hot rows use these.
    environment.filters.update(
        localized=_localized_filter,
        datetime=format_datetime,
        age=format_age,
        thread_status=thread_status_label,
        proposal_status=proposal_status_label,
        house_number=house_number_label,
    )
    engine = JinjaTemplateEngine.from_environment(environment)
    engine.register_template_callable("url_for", url_for)
    return TemplateConfig(instance=engine)


def render(
    request: Request, template: str, *, fragment: str | None = None, status_code: int = 200, **context: Any
) -> Template:
    """The full page, or just its fragment when htmx asks for a piece of the page."""
    name = fragment if fragment and request.htmx else template
    return Template(template_name=name, context=context, status_code=status_code)
