"""The land plugin's hook implementations, called through the plugin manager as core calls them."""

from __future__ import annotations

from datetime import date

from core.api import AgencyRef, StepSpec, UserView
from core.catalogue.registry import get_catalogue
from core.plugins import await_me_maybe, get_plugin_manager
from plugins.land import procedures, workflows
from tests.plugins.land.registry_fixtures import COMMUNE, WARD, seed_registry


def _pm():
    return get_plugin_manager()


async def test_hook_validate_application(db):
    await seed_registry()
    proc = get_catalogue().procedure(procedures.TRANSFER)
    data = {"commune_code": WARD, "map_sheet": 5, "parcel_number": 103}
    results = [
        await await_me_maybe(r)
        for r in _pm().hook.validate_application(
            procedure=proc, page="parcel", data=data, ctx={"today": date(2026, 11, 23)}
        )
    ]
    errors = [e for r in results for e in (r or [])]
    assert [e.field for e in errors] == ["parcel_number"] and "tranh chấp" in errors[0].message


async def test_hook_assign_step(db):
    ids = await seed_registry()

    class Directory:
        def by_code(self, code):
            return AgencyRef(99, code, "UBND xã Tân Phú", "commune") if code == COMMUNE else None

    step = StepSpec("x", workflows.FIRST_REGISTRATION.name, role="approver", agency=workflows.PARCEL_COMMUNE)
    dossier = {"data": {"commune_code": COMMUNE, "map_sheet": 12, "parcel_number": 7}}
    ref = await await_me_maybe(
        _pm().hook.assign_step(dossier=dossier, step=step, ctx={"agencies": Directory()})
    )
    assert ref.code == COMMUNE and ids["rural"]


def test_hook_compute_fee():
    proc = get_catalogue().procedure(procedures.REISSUE)
    quote = _pm().hook.compute_fee(procedure=proc, application={"fee_exemption": "merit"}, ctx={"fees": {}})
    assert quote.total == 0 and quote.lines[0].exempt_reason is not None


async def test_hook_dossier_panels(db):
    await seed_registry()
    staff = UserView(
        id=1, username="s", full_name="S", cccd=None, phone="", email="", grants=frozenset({(1, "receiver")})
    )
    dossier = {
        "procedure_code": procedures.FIRST,
        "data": {"commune_code": WARD, "map_sheet": 5, "parcel_number": 101},
    }
    results = [
        await await_me_maybe(r) for r in _pm().hook.dossier_panels(dossier=dossier, user=staff, request=None)
    ]
    panels = [p for r in results for p in (r or [])]
    assert any(p.template == "land/panel.html" and p.context["serial"] == "" for p in panels)


def test_hook_register_permissions():
    perms = get_catalogue().permissions
    assert "land.registry.view" in perms and "receiver" in perms["land.registry.view"].default_roles


async def test_hook_menu_items(app):
    from types import SimpleNamespace

    request = SimpleNamespace(app=app)  # the menu's link is the route's address, from the app's route table
    staff = UserView(
        id=1, username="s", full_name="S", cccd=None, phone="", email="", grants=frozenset({(1, "approver")})
    )
    items = [i for r in _pm().hook.menu_items(user=staff, request=request) for i in r or ()]
    assert any(i.href == "/dat-dai/tra-cuu" for i in items)
    items = [i for r in _pm().hook.menu_items(user=None, request=request) for i in r or ()]
    assert not any(i.href == "/dat-dai/tra-cuu" for i in items)
