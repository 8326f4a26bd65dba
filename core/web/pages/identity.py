"""Sign-in, sign-out, citizen registration and the account page."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.background_tasks import BackgroundTask
from litestar.response import File, Redirect, Template

from core.contract.errors import InvalidInput
from core.identity import accounts, service
from core.identity.agencies import agency_directory
from core.identity.current import load_user
from core.identity.guards import public, rate_limited, requires_login
from core.identity.labels import level_label, role_label
from core.identity.sessions import end_session, fresh_csrf_cookie, safe_next, start_session
from core.settings import oidc_settings
from core.text.i18n import gettext as _
from core.web.menu import route_exists
from core.web.render import flash, page

STAFF_START = "/can-bo"
"""Where staff arrive after signing in (their inbox) unless they were on their way somewhere."""
CITIZEN_START = "/ho-so-cua-toi"
"""Where citizens arrive after signing in (their dossiers), when that page is mounted; else the home page."""


def start_page(app, user) -> str:
    """Where ``user`` arrives after signing in when no ``next`` address was asked for."""
    wanted = STAFF_START if user.is_staff else CITIZEN_START
    return wanted if route_exists(app, wanted) else "/"


__all__ = (
    "login_form",
    "login",
    "password_change_form",
    "password_change",
    "logout",
    "register_form",
    "register",
    "registered",
    "account",
    "ROUTES",
)

_REGISTER_FIELDS = ("full_name", "birth_date", "sex", "cccd", "phone", "email", "username")


def _ip(request: Request) -> str:
    return request.client.host if request.client else ""


def _eid_enabled() -> bool:
    """Whether the sign-in page offers the national e-ID (``MOTCUA_OIDC_ISSUER`` set and valid)."""
    try:
        return oidc_settings() is not None
    except ValueError:
        return False


def _errors(exc: InvalidInput) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, message in exc.errors:
        out.setdefault(name or "", message)
    return out or {"": exc.message}


@get("/dang-nhap", include_in_schema=False, name="login", opt=public("the sign-in form"))
async def login_form(request: Request) -> Template | Redirect:
    nxt = safe_next(request.query_params.get("next"))
    if request.user:
        return Redirect(start_page(request.app, request.user) if nxt == "/" else nxt, status_code=303)
    return await page(
        request, "identity/login.html", {"values": {"next": nxt}, "errors": {}, "eid": _eid_enabled()}
    )


@post(
    "/dang-nhap",
    include_in_schema=False,
    name="login_post",
    guards=[rate_limited("signin")],
    opt=public("signing in (throttled per account and address)"),
)
async def login(request: Request) -> Template | Redirect:
    form = await request.form()
    username = str(form.get("username") or "")
    nxt = safe_next(str(form.get("next") or ""))
    try:
        user = await service.authenticate(username, str(form.get("password") or ""), _ip(request))
    except InvalidInput as exc:
        ctx = {"values": {"username": username, "next": nxt}, "errors": _errors(exc), "eid": _eid_enabled()}
        return await page(request, "identity/login.html", ctx, block="form", status_code=exc.status_code)
    if await accounts.must_change_password(user.id):
        # A one-time password set by an administrator: no signed-in session until a new one is chosen.
        await start_session(request, user.id, key=PASSWORD_CHANGE_KEY)
        request.set_session({**request.session, "next": nxt})
        return Redirect("/doi-mat-khau", status_code=303, cookies=[fresh_csrf_cookie(request)])
    await start_session(request, user.id)  # a new session id (no fixation) …
    flash(request, _("Signed in as %(name)s.", name=user.full_name))
    if nxt == "/":  # no address asked for (the form sends "/" then)
        nxt = start_page(request.app, user)
    return Redirect(nxt, status_code=303, cookies=[fresh_csrf_cookie(request)])  # … and a new CSRF token


PASSWORD_CHANGE_KEY = "pw_change_uid"  # noqa: S105 - a session key, not a secret
"""Session key of a user who signed in with a one-time password and has not chosen a new one yet."""


def _pending_change(request: Request) -> int | None:
    uid = request.session.get(PASSWORD_CHANGE_KEY) if isinstance(request.session, dict) else None
    return uid if isinstance(uid, int) else None


@get(
    "/doi-mat-khau",
    include_in_schema=False,
    name="password_change",
    opt=public("choosing a new password after signing in with a one-time one (the session says who)"),
)
async def password_change_form(request: Request) -> Template | Redirect:
    """The form to replace a one-time password, reached only from the sign-in that used it."""
    if _pending_change(request) is None:
        return Redirect("/dang-nhap", status_code=303)
    return await page(request, "identity/password_change.html", {"errors": {}})


@post(
    "/doi-mat-khau",
    include_in_schema=False,
    name="password_change_post",
    opt=public("choosing a new password after signing in with a one-time one (the session says who)"),
)
async def password_change(request: Request) -> Template | Redirect:
    """Set the new password, then sign in for real (a new session id) and go where the sign-in led."""
    uid = _pending_change(request)
    if uid is None:
        return Redirect("/dang-nhap", status_code=303)
    form = await request.form()
    try:
        await accounts.change_password(
            uid, str(form.get("password") or "")[:200], str(form.get("password_confirm") or "")[:200]
        )
    except InvalidInput as exc:
        return await page(
            request, "identity/password_change.html", {"errors": _errors(exc)}, status_code=exc.status_code
        )
    nxt = safe_next(str(request.session.get("next") or ""))
    await start_session(request, uid)
    if nxt == "/":  # no address was asked for: where this user starts (as after any sign-in)
        user = await load_user(uid)
        nxt = start_page(request.app, user) if user is not None else "/"
    flash(request, _("Your new password has been saved. You are signed in."))
    return Redirect(nxt, status_code=303, cookies=[fresh_csrf_cookie(request)])


@post(
    "/dang-xuat",
    include_in_schema=False,
    name="logout",
    opt=public("signing out ends whatever session the browser holds"),
)
async def logout(request: Request) -> Redirect:
    user = request.user
    if user is not None:
        await service.record_logout(user.id, _ip(request))
    end_session(request)
    return Redirect("/", status_code=303, cookies=[fresh_csrf_cookie(request)])


def _sex_choices() -> list[tuple[str, str]]:
    return [("male", _("Male")), ("female", _("Female"))]


@get("/dang-ky", include_in_schema=False, name="register", opt=public("the citizen registration form"))
async def register_form(request: Request) -> Template:
    return await page(
        request, "identity/register.html", {"values": {}, "errors": {}, "sexes": _sex_choices()}
    )


@post(
    "/dang-ky",
    include_in_schema=False,
    name="register_post",
    guards=[rate_limited("register")],
    opt=public("citizen registration (the same answer whether or not an account exists)"),
)
async def register(request: Request) -> Template | Redirect:
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in _REGISTER_FIELDS}
    reg = service.Registration(
        **values,
        password=str(form.get("password") or ""),
        password_confirm=str(form.get("password_confirm") or ""),
    )
    try:
        await service.register_citizen(reg, _ip(request))
    except InvalidInput as exc:
        return await page(
            request,
            "identity/register.html",
            {"values": values, "errors": _errors(exc), "sexes": _sex_choices()},
            block="form",
            status_code=422,
        )
    # The same outcome whether an account was opened or the CCCD/e-mail already had one (its owner
    # is told by mail): the visitor learns nothing about other people's accounts.
    return Redirect("/dang-ky/da-tiep-nhan", status_code=303)


@get(
    "/dang-ky/da-tiep-nhan",
    include_in_schema=False,
    name="registered",
    opt=public("registration outcome (the same page whatever happened)"),
)
async def registered(request: Request) -> Template:
    return await page(request, "identity/registered.html", {})


@get("/tai-khoan", include_in_schema=False, name="account", guards=[requires_login])
async def account(request: Request) -> Template:
    user = request.user
    directory = await agency_directory()
    rows = []
    for agency_id, role in sorted(
        user.grants, key=lambda g: (user.agencies.get(g[0], {}).get("code", ""), g[1])
    ):
        info = user.agencies.get(agency_id, {})
        parents = [a.name for a in directory.ancestors(agency_id)]
        rows.append(
            {
                "role": role_label(role),
                "agency": info.get("name", ""),
                "code": info.get("code", ""),
                "level": level_label(info.get("level", "")),
                "path": " › ".join(reversed(parents)),
            }
        )
    return await page(request, "identity/account.html", {"account": user, "roles": rows})


@get(
    "/tai-khoan/du-lieu-cua-toi",
    include_in_schema=False,
    name="my_data_export",
    guards=[requires_login],
)
async def my_data_export(request: Request) -> File:
    """Everything motcua holds about the signed-in person, as one ZIP (Decree 13/2023); audited."""
    from core.audit import chain
    from core.privacy import export

    user = request.user
    path = await export.build_archive(user)
    await chain.append("privacy.export", actor_id=user.id, object_type="user", object_id=user.id)
    return File(
        path=path,
        filename=export.archive_name(user),
        media_type="application/zip",
        headers={"Cache-Control": "no-store"},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


ROUTES = [
    my_data_export,
    login_form,
    login,
    logout,
    register_form,
    register,
    registered,
    account,
    password_change_form,
    password_change,
]
