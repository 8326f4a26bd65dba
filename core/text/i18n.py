"""Gettext catalogues: Vietnamese (default) and English, per gettext domain (core and each plugin).

The language of a request comes from ``?lang=`` (remembered in a cookie) or the ``lang`` cookie;
it is kept in a context variable so ``_()`` works in Python and in templates alike.
"""

from __future__ import annotations

import contextvars
import functools
from pathlib import Path

from babel.support import NullTranslations, Translations

__all__ = ("LANGUAGES", "DEFAULT_LANGUAGE", "current_language", "set_language", "gettext", "_", "ngettext")

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


@functools.cache
def translations(lang: str, domain: str = "core") -> NullTranslations:
    return Translations.load(str(LOCALE_DIR), [lang], domain=domain)


def gettext(message: str, **variables: object) -> str:
    text = translations(current_language()).ugettext(message)
    return text % variables if variables else text


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    text = translations(current_language()).ungettext(singular, plural, n)
    variables.setdefault("num", n)
    return text % variables


_ = gettext
