"""Gettext catalogues: Vietnamese (default) and English, per gettext domain (core and each plugin).

The language of a request comes from ``?lang=`` (remembered in a cookie) or the ``lang`` cookie;
it is kept in a context variable so ``_()`` works in Python and in templates alike.
"""

from __future__ import annotations

import contextvars
import functools
from pathlib import Path

from babel.support import NullTranslations, Translations

__all__ = (
    "LANGUAGES",
    "DEFAULT_LANGUAGE",
    "current_language",
    "set_language",
    "gettext",
    "_",
    "ngettext",
    "plugin_catalogues",
    "translations",
)

LANGUAGES = ("vi", "en")
DEFAULT_LANGUAGE = "vi"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"

_language: contextvars.ContextVar[str] = contextvars.ContextVar("motcua_language", default=DEFAULT_LANGUAGE)


def current_language() -> str:
    return _language.get()


def set_language(lang: str | None) -> str:
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    _language.set(lang)
    return lang


def plugin_catalogues() -> list[tuple[Path, str]]:
    """``(locale dir, gettext domain)`` of every registered plugin that ships a catalogue, found by
    convention: ``<plugin package>/locale/<lang>/LC_MESSAGES/<package name>.mo``."""
    import inspect

    from core.plugins import get_plugin_manager

    found: list[tuple[Path, str]] = []
    for _name, plugin in get_plugin_manager().list_name_plugin():
        module_file = inspect.getfile(plugin) if inspect.ismodule(plugin) else inspect.getfile(type(plugin))
        package = Path(module_file).resolve().parent
        entry = (package / "locale", package.name)
        if entry[0].is_dir() and entry[0] != LOCALE_DIR and entry not in found:
            found.append(entry)
    return found


@functools.cache
def translations(lang: str, domain: str = "core") -> NullTranslations:
    """Core's catalogue, with each plugin's own catalogue behind it: a msgid core translates keeps
    core's words; one only a plugin uses is found in that plugin's catalogue. Cached: call
    ``translations.cache_clear()`` after registering a plugin at run time."""
    catalogue = Translations.load(str(LOCALE_DIR), [lang], domain=domain)
    if domain == "core":
        for locale_dir, plugin_domain in plugin_catalogues():
            catalogue.add_fallback(Translations.load(str(locale_dir), [lang], domain=plugin_domain))
    return catalogue


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext
