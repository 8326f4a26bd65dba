"""Signing in with the national e-ID (VNeID): off to the provider, and back with a verified identity."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from core.identity import oidc
from core.identity.guards import public
from core.identity.sessions import fresh_csrf_cookie, safe_next, start_session
from core.settings import get_settings, oidc_settings
from core.text.i18n import gettext as _
from core.web.pages.identity import start_page
from core.web.render import flash, page

__all__ = ("eid_start", "eid_return", "ROUTES", "CALLBACK_PATH")

CALLBACK_PATH = "/dang-nhap/vneid/ve"
_SESSION_KEY = "eid"


def _redirect_uri() -> str:
    return get_settings().base_url + CALLBACK_PATH


def _settings():
    try:
        cfg = oidc_settings()
    except ValueError:
        cfg = None
    if cfg is None:
        raise NotFoundException()
    return cfg


async def _failed(request: Request, message: str, nxt: str) -> Template:
    return await page(
        request,
        "identity/login.html",
        {"values": {"next": nxt}, "errors": {"": message}, "eid": True},
        status_code=400,
    )


@get("/dang-nhap/vneid", include_in_schema=False, name="eid_start", opt=public("starts a sign-in with VNeID"))
async def eid_start(request: Request) -> Template | Redirect:
    cfg = _settings()
    nxt = safe_next(request.query_params.get("next"))
    if request.user:
        return Redirect(start_page(request.app, request.user) if nxt == "/" else nxt, status_code=303)
    try:
        url, pending = await oidc.begin(cfg, _redirect_uri(), nxt)
    except oidc.EidError as exc:
        return await _failed(request, exc.message, nxt)
    request.set_session({**(request.session or {}), _SESSION_KEY: pending})
    return Redirect(url, status_code=303)


@get(
    CALLBACK_PATH,
    include_in_schema=False,
    name="eid_return",
    opt=public("the e-ID provider sends the browser back here (state, PKCE and ID token checked)"),
)
async def eid_return(request: Request) -> Template | Redirect:
    cfg = _settings()
    session = dict(request.session or {})
    pending = session.pop(_SESSION_KEY, None)
    nxt = safe_next(pending.get("next")) if isinstance(pending, dict) else "/"
    request.set_session(session)  # one use: a replayed return finds no state
    params = {k: v for k, v in request.query_params.items() if isinstance(v, str)}
    try:
        identity = await oidc.finish(
            cfg, pending if isinstance(pending, dict) else None, params, _redirect_uri()
        )
        user = await oidc.sign_in_verified(identity, request.client.host if request.client else "")
    except oidc.EidError as exc:
        return await _failed(request, exc.message, nxt)
    if nxt == "/":
        nxt = start_page(request.app, user)
    await start_session(request, user.id)
    flash(request, _("Signed in with VNeID as %(name)s.", name=user.full_name))
    return Redirect(nxt, status_code=303, cookies=[fresh_csrf_cookie(request)])


ROUTES = [eid_start, eid_return]
