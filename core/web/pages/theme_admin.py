"""``/quan-tri/giao-dien``: the province administrator chooses the site's theme (``themes/``); it takes
effect on the next request of every process, without a restart, and the change is audited."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template

from core.contract.errors import InvalidInput
from core.identity.guards import requires_role
from core.identity.site import choose_theme, current_theme_name
from core.text.i18n import gettext as _
from core.text.themes import available_themes
from core.web.menu import N_, menu_entry, with_role
from core.web.render import flash, page
from core.web.theme import sync_theme

__all__ = ("theme_page", "theme_save", "ROUTES")

menu_entry("/quan-tri/giao-dien", N_("Theme"), with_role("province_admin"), order=87)


async def _context(request: Request, errors: dict | None = None) -> dict:
    return {
        "themes": available_themes(),
        "current": current_theme_name(request.app.state.settings),
        "errors": errors or {},
    }


@get(
    "/quan-tri/giao-dien",
    include_in_schema=False,
    name="admin_theme",
    guards=[requires_role("province_admin")],
)
async def theme_page(request: Request) -> Template:
    """The installed themes with their name, colours and hotline; the one in use is marked."""
    return await page(request, "admin/theme.html", await _context(request))


@post(
    "/quan-tri/giao-dien",
    include_in_schema=False,
    name="admin_theme_save",
    guards=[requires_role("province_admin")],
)
async def theme_save(request: Request) -> Template | Redirect:
    """Use the chosen theme from now on (audited); the next page is already drawn with it."""
    form = await request.form()
    name = str(form.get("theme") or "")[:64]
    try:
        changed = await choose_theme(request.user, name, request.app.state.settings)
    except InvalidInput as exc:
        errors = {k or "theme": m for k, m in exc.errors}
        return await page(request, "admin/theme.html", await _context(request, errors), status_code=422)
    sync_theme(request.app)
    flash(request, _("The theme has been changed.") if changed else _("Nothing was changed."))
    return Redirect("/quan-tri/giao-dien", status_code=303)


ROUTES = [theme_page, theme_save]
