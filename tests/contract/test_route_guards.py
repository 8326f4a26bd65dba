"""Authorisation in one place: every route of the built application (core's and every plugin's)
declares who may call it — an ``Access`` guard (``core.identity.guards``) or ``opt={"public": reason}``
— and the guards do what they declare.

A new route without a declaration fails ``test_every_route_declares_its_access`` with its path, method
and handler named; the fix is a guard, or a reason why anyone may call it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from litestar import get
from litestar.exceptions import NotAuthorizedException, PermissionDeniedException

from core.contract.errors import NotAllowed
from core.contract.views import UserView
from core.identity.guards import (
    Access,
    public,
    reads_dossier,
    requires_login,
    requires_permission,
    requires_role,
    requires_staff,
    route_table,
)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def table():
    from core.app import create_app

    return route_table(create_app())


def _undeclared(rows) -> list[str]:
    return [f"{r.method} {r.path} ({r.name})" for r in rows if not r.access.declared]


def test_every_route_declares_its_access(table):
    missing = _undeclared(table)
    assert not missing, (
        "Routes without a guard from core.identity.guards or opt=public(reason):\n" + "\n".join(missing)
    )


def test_the_table_holds_every_kind_of_route(table):
    """The walk sees core pages, the JSON API, plugin pages, static files and the schema (so a route of
    any of these kinds is checked), and never Litestar's automatic OPTIONS answers."""
    paths = {r.path for r in table}
    for expected in (
        "/ho-so/{code:str}",
        "/api/v1/dossiers/{code:str}",
        "/quan-tri/nguoi-dung",
        "/tra-cuu",
        "/static/{file_path:path}",
        "/schema/openapi.json",
    ):
        assert expected in paths, expected
    plugin_rows = [r for r in table if r.name.startswith("plugins.")]
    # a superset: the sandbox gateway (plugins.payment_sandbox) is there once the package metadata lists it
    assert {r.name.split(".")[1] for r in plugin_rows} >= {"land", "business_reg", "civil_status"}
    assert all(r.method != "OPTIONS" for r in table)


def test_a_route_is_either_public_or_guarded(table):
    both = [f"{r.method} {r.path}" for r in table if r.access.guards and r.access.public]
    assert not both, f"Public routes that also carry an access guard (which one holds?): {both}"


def test_public_routes_say_why(table):
    for r in table:
        if r.access.public is not None:
            assert len(r.access.public.strip()) >= 10, (r.path, r.access.public)


def test_every_declared_permission_is_registered(table):
    """A permission guard with a typo would refuse everyone; every code a route requires is one that
    core or a plugin registered (``register_permissions``)."""
    from core.identity.permissions import permissions

    known = permissions()
    used = {g.permission for r in table for g in r.access.guards if g.kind == "permission"}
    assert used, "no route requires a permission: the walk is broken"
    assert used <= set(known), used - set(known)


def test_plugin_permissions_guard_the_plugin_pages(table):
    """Each domain plugin's staff pages are guarded by a permission that plugin registered
    (``register_permissions``), not by role names the plugin checks itself."""
    from core.catalogue.registry import get_catalogue

    cat = get_catalogue()
    for r in table:
        if not r.name.startswith("plugins."):
            continue
        plugin = r.name.split(".")[1]
        for g in r.access.guards:
            assert g.kind == "permission", (r.path, g.describe())
            assert cat.owner[f"permission:{g.permission}"] == plugin, (r.path, g.permission)
    guarded = {g.permission for r in table if r.name.startswith("plugins.") for g in r.access.guards}
    assert {"land.registry.view", "civil_status.registry.view"} <= guarded


def test_dossier_routes_ask_no_more_than_a_signed_in_user(table):
    """A route that names a dossier answers 404 for one the caller may not read (``core.dossiers.access``);
    its guard must not refuse earlier with a 403, which would tell that the dossier exists."""
    for r in table:
        if "{code:str}" in r.path and (
            r.path.startswith("/ho-so/") or r.path.startswith("/api/v1/dossiers/")
        ):
            assert r.access.guards == (reads_dossier,), (r.method, r.path, r.access.describe())


def test_plugins_do_not_check_role_names():
    """Plugins ask ``has_permission`` or declare a permission guard; they never read roles or grants to
    decide access (the demo seeders, which pick a user per role to act as, are not access checks)."""
    offenders = []
    for path in sorted((ROOT / "plugins").rglob("*.py")):
        if path.name.startswith("demo"):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in (
                "has_role",
                "roles",
                "grants",
                "agencies_with",
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} .{node.attr}")
            if isinstance(node, ast.Constant) and node.value in ("motcua_user",):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.value!r}")
            if isinstance(node, ast.Name) and node.id == "STAFF_ROLES":
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} STAFF_ROLES")
    assert not offenders, offenders


def test_the_walk_finds_an_undeclared_plugin_route(temp_plugin):
    """The check is not vacuous: a plugin page without a declaration is reported by name."""
    from core.app import create_app

    class Careless:
        from core.contract.hookspecs import hookimpl

        @hookimpl
        def register_routes(self):
            @get("/quen-khai-bao", include_in_schema=False)
            async def forgot() -> str:
                return "x"

            @get("/cong-khai", include_in_schema=False, opt=public("a test page anyone may read"))
            async def open_page() -> str:
                return "x"

            @get("/can-quyen", include_in_schema=False, guards=[requires_permission("audit.view")])
            async def guarded() -> str:
                return "x"

            return [forgot, open_page, guarded]

    temp_plugin(Careless(), "t_careless")
    rows = route_table(create_app())
    assert _undeclared(rows) == [f"GET /quen-khai-bao ({__name__}.{forgot_qualname()})"]
    by_path = {r.path: r.access for r in rows}
    assert by_path["/cong-khai"].describe() == "public: a test page anyone may read"
    assert by_path["/can-quyen"].describe() == "permission:audit.view"


def forgot_qualname() -> str:
    return "test_the_walk_finds_an_undeclared_plugin_route.<locals>.Careless.register_routes.<locals>.forgot"


def test_public_needs_a_reason():
    with pytest.raises(ValueError):
        public("  ")


# --- what each guard lets through -------------------------------------------------------------------


def _user(*grants: tuple[int, str]) -> UserView:
    return UserView(
        id=7, username="u", full_name="U", cccd=None, phone="", email="", grants=frozenset(grants)
    )


class _Conn:
    def __init__(self, user):
        self.scope = {"user": user}


class _Handler:
    http_methods = frozenset({"GET"})
    fn = None


async def _call(guard: Access, user) -> str:
    try:
        await guard(_Conn(user), _Handler())
    except NotAuthorizedException:
        return "sign in"
    except (PermissionDeniedException, NotAllowed):
        return "refused"
    return "ok"


CITIZEN = _user((1, "citizen"))
RECEIVER = _user((2, "receiver"))
AGENCY_ADMIN = _user((2, "agency_admin"))
PROVINCE_ADMIN = _user((1, "province_admin"))


@pytest.mark.parametrize(
    ("guard", "expected"),
    [
        (requires_login, ("sign in", "ok", "ok", "ok", "ok")),
        (reads_dossier, ("sign in", "ok", "ok", "ok", "ok")),
        (requires_staff(), ("sign in", "refused", "ok", "ok", "ok")),
        (requires_role("province_admin"), ("sign in", "refused", "refused", "refused", "ok")),
        (requires_role("receiver", "agency_admin"), ("sign in", "refused", "ok", "ok", "refused")),
        (requires_permission("identity.users.manage"), ("sign in", "refused", "refused", "ok", "ok")),
        (requires_permission("catalogue.configure"), ("sign in", "refused", "refused", "refused", "ok")),
        (requires_permission("land.registry.view"), ("sign in", "refused", "ok", "ok", "ok")),
        (requires_permission("no.such.permission"), ("sign in", "refused", "refused", "refused", "refused")),
    ],
    ids=lambda v: v.describe() if isinstance(v, Access) else None,
)
async def test_guard_outcomes(guard, expected):
    got = tuple([await _call(guard, u) for u in (None, CITIZEN, RECEIVER, AGENCY_ADMIN, PROVINCE_ADMIN)])
    assert got == expected


async def test_a_guard_with_a_message_refuses_with_it():
    guard = requires_role("province_admin", message="Chỉ quản trị viên tỉnh được xem trang này.")
    with pytest.raises(NotAllowed) as exc:
        await guard(_Conn(CITIZEN), _Handler())
    assert exc.value.message == "Chỉ quản trị viên tỉnh được xem trang này."
