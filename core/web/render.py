"""``page()``: one template, two renderings (whole page, or one block for htmx requests)."""

from __future__ import annotations

from typing import Any

from jinja2_fragments.litestar import HTMXBlockTemplate
from litestar import Request
from litestar.response import Template

from core.plugins import await_me_maybe, get_plugin_manager
from core.web.menu import current_entry, visible_menu

__all__ = ("page", "base_context")


async def base_context(request: Request, template_name: str) -> dict[str, Any]:
    """Variables every page has: the user, the menu, flash messages, extras from plugins."""
    user = request.scope.get("user")
    pm = get_plugin_manager()
    hooked = (item for items in pm.hook.menu_items(user=user, request=request) for item in items or ())
    menu = visible_menu(user, request.app, hooked)
    ctx: dict[str, Any] = {
        "user": user,
        "menu": menu,
        "menu_current": current_entry(request.scope.get("path") or "", menu),
        "flashes": _pop_flashes(request),
    }
    for extra in pm.hook.template_context(template_name=template_name, request=request):
        ctx.update(await await_me_maybe(extra) or {})
    return ctx


def _pop_flashes(request: Request) -> list[dict[str, str]]:
    if "session" not in request.scope or not request.scope["session"]:
        return []
    flashes = request.session.get("_flashes") if request.session else None
    if flashes:
        request.session["_flashes"] = []
    return flashes or []


def flash(request: Request, message: str, category: str = "success") -> None:
    """Show ``message`` on the next page this session renders."""
    flashes = list(request.session.get("_flashes", [])) if request.session else []
    flashes.append({"message": message, "category": category})
    request.set_session({**(request.session or {}), "_flashes": flashes})


async def page(
    request: Request,
    template_name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = "main",
    status_code: int = 200,
) -> Template:
    """Render ``template_name`` whole, or only ``block`` when htmx asks for a fragment.

    A boosted navigation and a history restore get the whole page (they replace the body).
    """
    ctx = {**await base_context(request, template_name), **(context or {})}
    htmx = getattr(request, "htmx", None)
    wants_fragment = (
        htmx is not None and bool(htmx) and block and not htmx.boosted and not htmx.history_restore_request
    )
    headers = {"Vary": "HX-Request"}
    if wants_fragment:
        return _BlockTemplate(
            template_name=template_name,
            block_name=block,
            context=ctx,
            status_code=status_code,
            headers=headers,
        )
    return Template(template_name=template_name, context=ctx, status_code=status_code, headers=headers)


def _top_level_names(template, context: dict[str, Any]) -> dict[str, Any]:
    """What the template's top level defines (``{% from … import %}``, ``{% macro %}``, ``{% set %}``),
    here and in the templates it extends.

    The top level of a template that extends another runs before the first byte of the layout is
    written, so running the page up to its first chunk, then stopping, defines them all without
    rendering the page.
    """
    ctx = template.new_context(context)
    chunks = template.root_render_func(ctx)
    try:
        next(chunks, None)
    finally:
        chunks.close()
    return dict(ctx.vars)


class _BlockTemplate(HTMXBlockTemplate):
    """One block of a template, rendered with the names the template's top level defines: a block
    rendered alone (jinja2-fragments) does not run the top level, so a macro imported there would be
    undefined on exactly the htmx requests."""

    def create_template_context(self, request: Request) -> dict[str, Any]:
        context = super().create_template_context(request)
        engine = request.app.template_engine
        if engine is None:
            raise RuntimeError("the app has no template engine")
        template = engine.get_template(self.template_name)
        return {**context, **_top_level_names(template, context)}
