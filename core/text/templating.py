"""The Jinja environment: loaders theme > plugins > core (``core:`` prefix reaches the original),
gettext callables bound to the request's language, shared filters."""

from __future__ import annotations

import functools
import inspect
from datetime import date, datetime
from pathlib import Path

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape

from core.contract.vntime import VN_TZ
from core.text import i18n
from core.text.themes import load_theme

__all__ = (
    "theme_loader",
    "use_theme",
    "build_environment",
    "plugin_template_dirs",
    "CORE_TEMPLATES",
    "VN_TZ",
    "format_vnd",
)

CORE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def plugin_template_dirs() -> list[Path]:
    """``<plugin package>/templates`` of every registered plugin that has one (found by convention)."""
    from core.plugins import get_plugin_manager

    dirs = []
    for _name, plugin in get_plugin_manager().list_name_plugin():
        module_file = inspect.getfile(plugin) if inspect.ismodule(plugin) else inspect.getfile(type(plugin))
        candidate = Path(module_file).resolve().parent / "templates"
        if candidate.is_dir() and candidate != CORE_TEMPLATES and candidate not in dirs:
            dirs.append(candidate)
    return dirs


def format_vnd(amount: int | None) -> str:
    """``1250000`` → ``1.250.000 đ`` (Vietnamese thousands separator)."""
    if amount is None:
        return ""
    return f"{amount:,}".replace(",", ".") + " đ"


def format_datetime(value: datetime | None, fmt: str = "%H:%M %d/%m/%Y") -> str:
    if value is None:
        return ""
    if value.tzinfo is not None:
        value = value.astimezone(VN_TZ)
    return value.strftime(fmt)


def format_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value, "%d/%m/%Y")
    return value.strftime("%d/%m/%Y")


def format_days(days: float) -> str:
    if days == 0:
        return i18n.gettext("Same working day")
    shown = f"{days:g}".replace(".", ",")
    return i18n.gettext("%(days)s working days", days=shown)


def label(value, lang: str | None = None) -> str:
    """Render an ``L`` (or a plain string) in the current language."""
    if value is None:
        return ""
    if hasattr(value, "get") and hasattr(value, "vi"):
        return value.get(lang or i18n.current_language())
    return str(value)


FORM_MACROS = ("error_summary", "field")
"""Macros of ``components/forms.html`` every template may call without importing them."""


def _form_macros_as_globals(env: Environment) -> None:
    """Make the form macros globals. A template's top-level ``{% from … import %}`` is not run when
    htmx asks for one block alone (jinja2-fragments renders just that block), so a block that calls
    ``error_summary`` would fail with "undefined" on exactly the requests that carry errors."""

    def bind(name: str):
        def call(*args, **kwargs):
            return getattr(env.get_template("components/forms.html").module, name)(*args, **kwargs)

        call.__name__ = name
        return call

    env.globals.update({name: bind(name) for name in FORM_MACROS})


@functools.cache
def theme_loader(theme_name: str) -> ChoiceLoader:
    """The template loader of a theme: its overrides, the default theme's, the plugins', then core's.

    One object per theme for the life of the process: Jinja caches compiled templates by loader, so
    switching ``env.loader`` between these objects (``use_theme``) never serves another theme's
    template from the cache."""
    theme = load_theme(theme_name)
    core_loader = FileSystemLoader(str(CORE_TEMPLATES))
    loaders = []
    if theme.templates_dir.is_dir():
        loaders.append(FileSystemLoader(str(theme.templates_dir)))
    default_theme = load_theme("default")
    if theme.name != "default" and default_theme.templates_dir.is_dir():
        loaders.append(FileSystemLoader(str(default_theme.templates_dir)))
    loaders += [FileSystemLoader(str(d)) for d in plugin_template_dirs()]
    loaders.append(core_loader)
    return ChoiceLoader([PrefixLoader({"core": core_loader}), *loaders])


def use_theme(env: Environment, theme_name: str) -> bool:
    """Switch ``env`` to another theme while the app runs (templates and the ``theme`` global);
    returns whether anything changed. The theme is site-wide: every request after this one sees it."""
    theme = load_theme(theme_name)
    if env.globals.get("theme") == theme:
        return False
    env.loader = theme_loader(theme_name)
    env.globals["theme"] = theme
    return True


@functools.cache
def build_environment(theme_name: str) -> Environment:
    theme = load_theme(theme_name)
    env = Environment(
        loader=theme_loader(theme_name),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        enable_async=False,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s, **kw: i18n.gettext(s, **kw),
        ngettext=lambda s, p, n, **kw: i18n.ngettext(s, p, n, **kw),
        newstyle=True,
    )
    env.globals.update(theme=theme, current_language=i18n.current_language, languages=i18n.LANGUAGES)
    env.filters.update(vnd=format_vnd, dt=format_datetime, d=format_date, days=format_days, label=label)
    _form_macros_as_globals(env)
    from core.plugins import get_plugin_manager

    get_plugin_manager().hook.prepare_jinja_environment(env=env)
    return env
