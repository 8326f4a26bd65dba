"""Administration of identity: the agency tree (``/quan-tri/co-quan``) and users with their role
grants (``/quan-tri/nguoi-dung``). A province administrator manages every agency; an agency
administrator only the agencies where they hold that role. Every change is audited by the service."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Redirect, Template
from piccolo.columns.combination import WhereRaw

from core.contract.errors import Conflict, InvalidInput, NotAllowed, NotFound
from core.contract.specs import ROLES
from core.contract.views import UserView
from core.identity import accounts, api_auth, service
from core.identity.agencies import AGENCY_KINDS, agency_directory
from core.identity.guards import requires_permission, requires_role
from core.identity.labels import kind_label, level_label, role_label
from core.identity.tables import Agency, RoleGrant, User
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = (
    "agency_tree",
    "agency_new",
    "agency_create",
    "agency_edit",
    "agency_save",
    "users_page",
    "users_post",
    "user_new",
    "user_create",
    "user_page",
    "user_post",
    "ROUTES",
)

PAGE_SIZE = 50


@get(
    "/quan-tri/co-quan",
    include_in_schema=False,
    name="admin_agencies",
    guards=[requires_role("province_admin")],
)
async def agency_tree(request: Request) -> Template:
    """The tree of agencies, province by province, with codes, levels and sector kinds."""
    directory = await agency_directory()
    provinces = [{"node": root, "tiers": directory.tiers(root.id)} for root in directory.roots()]
    return await page(
        request,
        "admin/agencies.html",
        {
            "provinces": provinces,
            "level_label": level_label,
            "kind_label": kind_label,
            "total": len(directory),
        },
    )


AGENCY_FIELDS = ("code", "eid", "name", "level", "kind", "parent_code", "province_code", "work_sessions")
"""Fields of the add form (``remote_area`` is a checkbox)."""
EDIT_FIELDS = ("eid", "name", "kind", "work_sessions")
"""Fields of the edit form (``remote_area`` and ``active`` are checkboxes); code, level and parent stay."""
_MAX_FIELD = 1000
"""Longer typed values are cut before they are validated or shown again (the name's limit is 255)."""


def _sessions_text(sessions) -> str:
    return ", ".join(f"{a}-{b}" for a, b in service._sessions_list(sessions))


def _form_values(form, names: tuple[str, ...]) -> dict:
    return {k: service.clean_text(str(form.get(k) or ""))[:_MAX_FIELD] for k in names}


_FORM_ORDER = (
    "name",
    "code",
    "eid",
    "level",
    "parent_code",
    "kind",
    "province_code",
    "work_sessions",
    "remote_area",
    "active",
)
"""Fields in the order the form shows them (the error summary follows it)."""


def _field_errors(exc: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, message in sorted(
        exc.errors, key=lambda e: _FORM_ORDER.index(e[0]) if e[0] in _FORM_ORDER else 99
    ):
        errors.setdefault(name or "", message)
    return errors


async def _agency_form_context(values: dict, errors: dict, agency: dict | None = None) -> dict:
    directory = await agency_directory()
    parents = [
        (n.code, f"{n.code} — {n.name} ({level_label(n.level)})") for n in directory.nodes() if n.active
    ]
    return {
        "values": values,
        "errors": errors,
        "agency": agency,
        "level_label": level_label,
        "levels": [(lv, level_label(lv)) for lv in service.LEVELS],
        "kinds": [(k, kind_label(k)) for k in AGENCY_KINDS],
        "parents": parents,
    }


@get(
    "/quan-tri/co-quan/them",
    include_in_schema=False,
    name="admin_agency_new",
    guards=[requires_role("province_admin")],
)
async def agency_new(request: Request) -> Template:
    """The form to add an agency to the tree."""
    values = {
        "work_sessions": "08:00-12:00, 13:00-17:00",
        "parent_code": service.clean_text(request.query_params.get("cha"))[:32],
    }
    return await page(request, "admin/agency_form.html", await _agency_form_context(values, {}))


@post(
    "/quan-tri/co-quan/them",
    include_in_schema=False,
    name="admin_agency_create",
    guards=[requires_role("province_admin")],
)
async def agency_create(request: Request) -> Template | Redirect:
    """Add an agency (audited by the service); field errors come back at the fields, values kept."""
    form = await request.form()
    values = _form_values(form, AGENCY_FIELDS)
    values["remote_area"] = bool(form.get("remote_area"))
    try:
        await service.add_agency(
            request.user,
            code=values["code"],
            eid=values["eid"],
            name=values["name"],
            level=values["level"].strip(),
            kind=values["kind"],
            parent_code=values["parent_code"],
            province_code=values["province_code"],
            remote_area=values["remote_area"],
            work_sessions=values["work_sessions"],
        )
    except InvalidInput as exc:
        return await page(
            request,
            "admin/agency_form.html",
            await _agency_form_context(values, _field_errors(exc)),
            status_code=422,
        )
    flash(request, _("The agency has been added."))
    return Redirect("/quan-tri/co-quan", status_code=303)


async def _agency(agency_id: int) -> dict:
    row = (
        await Agency.select(
            Agency.id,
            Agency.code,
            Agency.eid,
            Agency.name,
            Agency.level,
            Agency.kind,
            Agency.remote_area,
            Agency.active,
            Agency.work_sessions,
            Agency.parent.code,
            Agency.parent.name,
        )
        .where(Agency.id == agency_id)
        .first()
    )
    if row is None:
        raise NotFound("Không có cơ quan này.")
    return row


@get(
    "/quan-tri/co-quan/{agency_id:int}/sua",
    include_in_schema=False,
    name="admin_agency_edit",
    guards=[requires_role("province_admin")],
)
async def agency_edit(request: Request, agency_id: int) -> Template:
    """The form to rename, correct, deactivate or reactivate an agency."""
    agency = await _agency(agency_id)
    values = {
        "eid": agency["eid"] or "",
        "name": agency["name"],
        "kind": agency["kind"] or "",
        "work_sessions": _sessions_text(agency["work_sessions"]),
        "remote_area": agency["remote_area"],
        "active": agency["active"],
    }
    return await page(request, "admin/agency_form.html", await _agency_form_context(values, {}, agency))


@post(
    "/quan-tri/co-quan/{agency_id:int}/sua",
    include_in_schema=False,
    name="admin_agency_save",
    guards=[requires_role("province_admin")],
)
async def agency_save(request: Request, agency_id: int) -> Template | Redirect:
    """Save an agency's changes (audited by the service); never deletes it."""
    agency = await _agency(agency_id)
    form = await request.form()
    values = _form_values(form, EDIT_FIELDS)
    values["remote_area"], values["active"] = bool(form.get("remote_area")), bool(form.get("active"))
    try:
        changes = await service.update_agency(
            request.user,
            agency_id,
            name=values["name"],
            eid=values["eid"],
            kind=values["kind"],
            remote_area=values["remote_area"],
            active=values["active"],
            work_sessions=values["work_sessions"],
        )
    except InvalidInput as exc:
        return await page(
            request,
            "admin/agency_form.html",
            await _agency_form_context(values, _field_errors(exc), agency),
            status_code=422,
        )
    flash(request, _("The agency has been saved.") if changes else _("Nothing was changed."))
    return Redirect(f"/quan-tri/co-quan#agency-{agency_id}", status_code=303)


async def _manageable_agencies(user: UserView) -> list[dict]:
    query = Agency.select(Agency.id, Agency.code, Agency.name).where(Agency.active.eq(True))
    if not user.has_role("province_admin"):
        query = query.where(Agency.id.is_in(user.agencies_with("agency_admin") or [-1]))
    return await query.order_by(Agency.code)


def _contains(text: str) -> WhereRaw:
    """Username or full name containing ``text`` literally (case-insensitive): ``%``, ``_`` and ``\\``
    typed by the admin are escaped, not wildcards (an explicit ESCAPE: SQLite has no default one)."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    op = "ILIKE" if User._meta.db.engine_type == "postgres" else "LIKE"  # SQLite's LIKE ignores ASCII case
    return WhereRaw(f"(username {op} {{}} ESCAPE '\\' OR full_name {op} {{}} ESCAPE '\\')", pattern, pattern)


async def _users(user: UserView, q: str) -> list[dict]:
    """Users matching ``q`` (by username, name or exact CCCD), with their grants. A province admin
    searches the whole province; an agency admin only the staff of the agencies they administer (a
    staff role granted there), with or without ``q``: the citizens and the other agencies' staff are
    not theirs to look up. A new colleague is granted a role by username in the form above.

    Two queries whatever the number of users (users, then all their grants)."""
    query = User.select(User.id, User.username, User.full_name, User.active)
    if not user.has_role("province_admin"):
        mine = user.agencies_with("agency_admin") or [-1]
        query = query.where(
            User.id.is_in(
                RoleGrant.select(RoleGrant.user).where(
                    RoleGrant.agency.is_in(mine) & (RoleGrant.role != "citizen")
                )
            )
        )
    if q:
        query = query.where(_contains(q) | (User.cccd == q))
    rows = await query.order_by(User.username).limit(PAGE_SIZE)
    ids = [r["id"] for r in rows] or [-1]
    grants = await RoleGrant.select(
        RoleGrant.id,
        RoleGrant.user,
        RoleGrant.agency,
        RoleGrant.role,
        RoleGrant.agency.code,
        RoleGrant.agency.name,
    ).where(RoleGrant.user.is_in(ids))
    by_user: dict[int, list[dict]] = {}
    for g in sorted(grants, key=lambda g: (g["agency.code"], g["role"])):
        g["label"] = role_label(g["role"])
        g["manageable"] = service.can_manage(user, g["agency"], g["role"])
        by_user.setdefault(g["user"], []).append(g)
    for r in rows:
        r["grants"] = by_user.get(r["id"], [])
        r["manageable"] = accounts.may_manage(user, r["grants"])
    return rows


async def _context(request: Request, values: dict | None = None, errors: dict | None = None) -> dict:
    user = request.user
    q = service.clean_text(request.query_params.get("q")).strip()[:100]
    roles = [r for r in ROLES if r != "province_admin" or user.has_role("province_admin")]
    return {
        "q": q,
        "own_staff_only": not user.has_role("province_admin"),
        "users": await _users(user, q),
        "agencies": [(a["id"], f"{a['code']} — {a['name']}") for a in await _manageable_agencies(user)],
        "roles": [(r, role_label(r)) for r in roles],
        "values": values or {},
        "errors": errors or {},
    }


@get(
    "/quan-tri/nguoi-dung",
    include_in_schema=False,
    name="admin_users",
    guards=[requires_permission("identity.users.manage")],
)
async def users_page(request: Request) -> Template:
    """Users (searchable), each with their roles per agency; a form to grant a role."""
    return await page(request, "admin/users.html", await _context(request))


async def _grant(actor: UserView, form) -> None:
    values = {
        k: service.clean_text(str(form.get(k) or "")).strip() for k in ("username", "agency_id", "role")
    }
    errors: list[tuple[str, str]] = []
    target = await User.select(User.id).where(User.username == values["username"].lower()).first()
    if not values["username"]:
        errors.append(("username", "Vui lòng nhập tên đăng nhập của người được cấp quyền."))
    elif target is None:
        errors.append(("username", f"Không có tài khoản '{values['username']}'."))
    agency_id = int(values["agency_id"]) if values["agency_id"].isdigit() else None
    if agency_id is None:
        errors.append(("agency_id", "Vui lòng chọn cơ quan."))
    if values["role"] not in ROLES:
        errors.append(("role", "Vui lòng chọn vai trò."))
    elif agency_id is not None and not service.can_manage(actor, agency_id, values["role"]):
        errors.append(("role", "Bạn không có quyền cấp vai trò này tại cơ quan đã chọn."))
    if errors or target is None or agency_id is None:  # neither is missing without an error
        raise InvalidInput(errors[0][1], errors)
    try:
        await service.grant_role(actor, target["id"], agency_id, values["role"])
    except (Conflict, NotFound, NotAllowed) as exc:
        raise InvalidInput(exc.message, [("role", exc.message)]) from exc


@post(
    "/quan-tri/nguoi-dung",
    include_in_schema=False,
    name="admin_users_post",
    guards=[requires_permission("identity.users.manage")],
)
async def users_post(request: Request) -> Template | Redirect:
    """Grant (``action=grant``: username, agency_id, role) or revoke (``action=revoke``: grant_id) a role."""
    actor = request.user
    form = await request.form()
    if form.get("action") == "revoke":
        grant_id = str(form.get("grant_id") or "")
        await service.revoke_role(actor, int(grant_id) if grant_id.isdigit() else -1)
        flash(request, _("The role has been withdrawn."))
        return Redirect("/quan-tri/nguoi-dung", status_code=303)
    try:
        await _grant(actor, form)
    except InvalidInput as exc:
        values = {k: str(form.get(k) or "") for k in ("username", "agency_id", "role")}
        errors: dict[str, str] = {}
        for name, message in exc.errors:
            errors.setdefault(name or "", message)
        return await page(
            request, "admin/users.html", await _context(request, values, errors), status_code=422
        )
    flash(request, _("The role has been granted."))
    return Redirect("/quan-tri/nguoi-dung", status_code=303)


# --- Accounts: create, deactivate / reactivate, reset the password, API tokens -------------------

NEW_USER_FIELDS = ("username", "full_name", "email", "phone", "agency_id", "role")
_MAX_TYPED = 300
"""Typed values longer than this are cut before they are checked or shown again."""


def _typed(form, names: tuple[str, ...]) -> dict[str, str]:
    return {k: service.clean_text(str(form.get(k) or ""))[:_MAX_TYPED] for k in names}


def _errors_of(exc: InvalidInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, message in exc.errors:
        errors.setdefault(name or "", message)
    return errors or {"": exc.message}


async def _new_user_context(request: Request, values: dict, errors: dict) -> dict:
    user = request.user
    staff_roles = [
        r for r in ROLES if r != "citizen" and (r != "province_admin" or user.has_role("province_admin"))
    ]
    return {
        "values": values,
        "errors": errors,
        "agencies": [(a["id"], f"{a['code']} — {a['name']}") for a in await _manageable_agencies(user)],
        "roles": [(r, role_label(r)) for r in staff_roles],
    }


@get(
    "/quan-tri/nguoi-dung/them",
    include_in_schema=False,
    name="admin_user_new",
    guards=[requires_permission("identity.users.manage")],
)
async def user_new(request: Request) -> Template:
    """The form to create a staff account with its first role."""
    return await page(request, "admin/user_form.html", await _new_user_context(request, {}, {}))


@post(
    "/quan-tri/nguoi-dung/them",
    include_in_schema=False,
    name="admin_user_create",
    guards=[requires_permission("identity.users.manage")],
)
async def user_create(request: Request) -> Template:
    """Create the account (audited) and show its one-time password once, on this response only."""
    values = _typed(await request.form(), NEW_USER_FIELDS)
    try:
        user_id, password = await accounts.create_staff(request.user, accounts.NewStaff(**values))
    except InvalidInput as exc:
        return await page(
            request,
            "admin/user_form.html",
            await _new_user_context(request, values, _errors_of(exc)),
            status_code=422,
        )
    return await page(
        request,
        "admin/one_time_password.html",
        {"account": await _account(request, user_id), "password": password, "created": True},
        status_code=201,
    )


async def _account(request: Request, user_id: int) -> dict:
    """The account ``request.user`` manages, with its grants; the same 404 for one they do not."""
    if not await accounts.can_manage_user(request.user, user_id):
        raise NotFound("Không tìm thấy tài khoản này trong phạm vi bạn quản trị.")
    row = (
        await User.select(
            User.id,
            User.username,
            User.full_name,
            User.email,
            User.phone,
            User.active,
            User.must_change_password,
        )
        .where(User.id == user_id)
        .first()
    )
    if row is None:
        raise NotFound("Không tìm thấy tài khoản này trong phạm vi bạn quản trị.")
    grants = await RoleGrant.select(RoleGrant.role, RoleGrant.agency.code, RoleGrant.agency.name).where(
        RoleGrant.user == user_id
    )
    row["grants"] = [
        {"label": role_label(g["role"]), "code": g["agency.code"], "name": g["agency.name"]}
        for g in sorted(grants, key=lambda g: (g["agency.code"], g["role"]))
    ]
    return row


TOKEN_FIELDS = ("name", "scope", "days")


async def _user_context(
    request: Request, user_id: int, values: dict | None = None, errors: dict | None = None
):
    return {
        "account": await _account(request, user_id),
        "tokens": await api_auth.list_tokens(user_id),
        "scopes": [("read", _("Read only")), ("write", _("Read and write"))],
        "max_days": api_auth.MAX_DAYS,
        "values": values or {"days": "90", "scope": "read"},
        "errors": errors or {},
        "is_self": user_id == request.user.id,
    }


@get(
    "/quan-tri/nguoi-dung/{user_id:int}",
    include_in_schema=False,
    name="admin_user",
    guards=[requires_permission("identity.users.manage")],
)
async def user_page(request: Request, user_id: int) -> Template:
    """One account: its roles, deactivate or reactivate it, reset its password, its API tokens."""
    return await page(request, "admin/user.html", await _user_context(request, user_id))


@post(
    "/quan-tri/nguoi-dung/{user_id:int}",
    include_in_schema=False,
    name="admin_user_post",
    guards=[requires_permission("identity.users.manage")],
)
async def user_post(request: Request, user_id: int) -> Template | Redirect:
    """``action``: ``deactivate``, ``reactivate``, ``reset_password`` (the one-time password is shown on
    this response only), ``token_create`` (name, scope, days; the token shown once) or ``token_revoke``
    (token_id). Each is audited by its service; a user outside the actor's scope is a 404."""
    actor = request.user
    await _account(request, user_id)  # the 404 first, whatever the action
    form = await request.form()
    action = str(form.get("action") or "")
    here = f"/quan-tri/nguoi-dung/{user_id}"
    try:
        if action in ("deactivate", "reactivate"):
            changed = await accounts.set_active(actor, user_id, action == "reactivate")
            if action == "reactivate":
                flash(
                    request, _("The account has been reactivated.") if changed else _("Nothing was changed.")
                )
            else:
                flash(
                    request, _("The account has been deactivated.") if changed else _("Nothing was changed.")
                )
            return Redirect(here, status_code=303)
        if action == "reset_password":
            password = await accounts.reset_password(actor, user_id)
            return await page(
                request,
                "admin/one_time_password.html",
                {"account": await _account(request, user_id), "password": password, "created": False},
            )
        if action == "token_revoke":
            token_id = str(form.get("token_id") or "")
            revoked = await api_auth.revoke_token(
                actor.id, user_id, int(token_id) if token_id.isdigit() else -1
            )
            flash(request, _("The API token has been revoked.") if revoked else _("Nothing was changed."))
            return Redirect(here + "#tokens", status_code=303)
        if action == "token_create":
            values = _typed(form, TOKEN_FIELDS)
            try:
                token = await api_auth.create_token(
                    actor.id, user_id, values["name"], values["scope"], values["days"]
                )
            except InvalidInput as exc:
                ctx = await _user_context(request, user_id, values, _errors_of(exc))
                return await page(request, "admin/user.html", ctx, status_code=422)
            return await page(
                request,
                "admin/token_created.html",
                {"account": await _account(request, user_id), "token": token, "values": values},
                status_code=201,
            )
    except NotAllowed as exc:
        flash(request, exc.message, "error")
        return Redirect(here, status_code=303)
    raise InvalidInput("Thao tác không hợp lệ.", [("", "Thao tác không hợp lệ.")])


ROUTES = [
    agency_tree,
    agency_new,
    agency_create,
    agency_edit,
    agency_save,
    users_page,
    users_post,
    user_new,
    user_create,
    user_page,
    user_post,
]
