"""The menu registry: page modules declare their menu entries next to their routes.

A page module (``core/web/pages/<name>.py``) declares each entry once, at import time::

    from core.web.menu import menu_entry, staff
    from core.web.menu import N_

    menu_entry("/can-bo", N_("My work"), staff, order=5)

``label`` is an English gettext msgid (marked with ``N_`` so ``scripts/i18n.py`` extracts it; its
Vietnamese lives in the module owner's ``core/locale/translations/*.json``), ``visible`` a predicate
on the signed-in user (``None`` for a visitor) deciding from the user's roles, with no IO.

The header (``header.html``) renders, for each request, the entries the user may see merged with the
``menu_items`` hook's (plugins and the service packages below web), sorted by ``order``, one per
address, and only those whose address is a route of the running app: an entry declared for a page
that is not mounted (yet) stays hidden.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from core.contract.specs import L, MenuItem
from core.text.i18n import LANGUAGES, translations

__all__ = (
    "MenuEntry",
    "N_",
    "menu_entry",
    "entries",
    "everyone",
    "visitors",
    "signed_in",
    "citizens",
    "staff",
    "with_role",
    "route_exists",
    "visible_menu",
    "current_entry",
)


def N_(message: str) -> str:
    """Mark ``message`` for extraction; it is translated when the menu is rendered."""
    return message


Visible = Callable[[Any], bool]


@dataclass(frozen=True, slots=True)
class MenuEntry:
    """One entry of the header's menu."""

    path: str
    """The address followed (a path of this site, no parameters)."""
    label: str
    """English gettext msgid of the text shown."""
    visible: Visible
    """Whether the user (a ``UserView``, or None for a visitor) sees the entry."""
    order: int = 100
    """Position: lower first (public entries 10–30, staff work 1–9 and 40–70, administration 80+)."""

    def item(self) -> MenuItem:
        """The entry as the hook's ``MenuItem``, its label in every interface language."""
        vi, en = (translations(lang).ugettext(self.label) for lang in LANGUAGES)
        return MenuItem(self.path, L(vi, en or self.label), order=self.order)


_ENTRIES: dict[tuple[str, str], MenuEntry] = {}


def menu_entry(path: str, label: str, visible: Visible, *, order: int = 100) -> MenuEntry:
    """Declare a menu entry (idempotent: declaring the same path and label again replaces it)."""
    if not path.startswith("/") or "{" in path:
        raise ValueError(f"a menu entry's path is a plain path of this site, not {path!r}")
    entry = MenuEntry(path, label, visible, order)
    _ENTRIES[(path, label)] = entry
    return entry


def entries() -> list[MenuEntry]:
    """Every declared entry, in declaration order."""
    return list(_ENTRIES.values())


# Predicates on the user (a ``UserView`` or None). Each decides from the roles only.


def everyone(user: Any) -> bool:
    """Visitors and signed-in users alike."""
    return True


def visitors(user: Any) -> bool:
    """Only people who have not signed in."""
    return user is None


def signed_in(user: Any) -> bool:
    """Anybody signed in."""
    return user is not None


def citizens(user: Any) -> bool:
    """Signed-in users who hold no staff role (applicants)."""
    return user is not None and not user.is_staff


def staff(user: Any) -> bool:
    """Signed-in users who hold a staff role at some agency."""
    return user is not None and user.is_staff


def with_role(*roles: str) -> Visible:
    """Users holding one of ``roles`` at some agency."""
    wanted = frozenset(roles)

    def visible(user: Any) -> bool:
        return user is not None and bool(user.roles & wanted)

    visible.__name__ = f"with_role({', '.join(sorted(wanted))})"
    return visible


# Routes of the running app.

_PARAM = re.compile(r"\{[^}]+\}")
_ROUTES: dict[int, tuple[Any, frozenset[str], tuple[re.Pattern[str], ...]]] = {}
"""Per app (by id, the app kept to tell a new app at a reused id): its plain GET paths and the
patterns of its parametric ones."""


def _patterns(app: Any) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    cached = _ROUTES.get(id(app))
    if cached is not None and cached[0] is app:
        return cached[1], cached[2]
    plain: set[str] = set()
    params: list[re.Pattern[str]] = []
    for route in app.routes:
        methods = getattr(route, "methods", None)
        if methods is not None and "GET" not in methods:
            continue
        path = route.path_format
        if path.startswith("/static/") or path.startswith("/theme-static/"):
            continue
        if "{" in path:
            parts = _PARAM.split(path)
            params.append(re.compile("[^/]+".join(re.escape(p) for p in parts) + r"\Z"))
        else:
            plain.add(path)
    _ROUTES[id(app)] = (app, frozenset(plain), tuple(params))
    return frozenset(plain), tuple(params)


def route_exists(app: Any, path: str) -> bool:
    """Whether ``path`` (without query) is answered by a GET route of ``app``."""
    path = path.split("?", 1)[0].split("#", 1)[0] or "/"
    plain, params = _patterns(app)
    if path in plain or (path != "/" and path.rstrip("/") in plain):
        return True
    return any(p.match(path) for p in params)


def visible_menu(user: Any, app: Any, hooked: Iterable[MenuItem] = ()) -> Sequence[MenuItem]:
    """The menu of ``user``: the declared entries they may see and the hook's items, sorted by order,
    one per address (the first by order wins), only addresses the app answers."""
    items = [e.item() for e in _ENTRIES.values() if e.visible(user)]
    items.extend(hooked)
    out: list[MenuItem] = []
    seen: set[str] = set()
    for item in sorted(items, key=lambda m: m.order):
        if item.href in seen or not route_exists(app, item.href):
            continue
        seen.add(item.href)
        out.append(item)
    return out


def current_entry(path: str, menu: Sequence[MenuItem]) -> str | None:
    """The address of the menu entry the page at ``path`` belongs to: the longest entry address that
    is ``path`` or one of its parent folders (``/so-theo-doi`` for ``/so-theo-doi?ky=...``)."""
    best: str | None = None
    for item in menu:
        href = item.href.split("?", 1)[0]
        inside = path == href or (href != "/" and path.startswith(href.rstrip("/") + "/"))
        if inside and (best is None or len(href) > len(best)):
            best = href
    return best
