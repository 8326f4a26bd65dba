"""``motcua demo``: the demo province, accounts of every role, procedures enabled, plugins seeded; twice."""

from __future__ import annotations

from core.audit.tables import AuditEntry
from core.catalogue.registry import get_catalogue
from core.catalogue.tables import ProcedureActivation
from core.contract.specs import ROLES
from core.identity.tables import Agency, RoleGrant, User
from tests.conftest import csrf_from


async def _counts() -> dict[str, int]:
    from core.db.tx import raw
    from tests.conftest import _all_tables

    out = {}
    for t in _all_tables():
        out[t] = (await raw(f'SELECT COUNT(*) AS n FROM "{t}"'))[0]["n"]
    return out


async def test_demo_load_twice_gives_the_same_rows(db):
    from core import demo

    first = await demo.load()
    counts = await _counts()
    again = await demo.load()
    assert await _counts() == counts
    assert again["users"] == first["users"]
    assert await Agency.count() == 16
    assert await Agency.count().where(Agency.level == "commune") == 4
    roles = {r["role"] for r in await RoleGrant.select(RoleGrant.role)}
    assert roles == set(ROLES)
    assert await User.count() == len(demo.DEMO_USERS)
    for code in get_catalogue().procedures:
        assert await ProcedureActivation.exists().where(
            (ProcedureActivation.procedure_code == code) & (ProcedureActivation.enabled.eq(True))
        ), code
    grants = await AuditEntry.count().where(AuditEntry.action == "role_granted")
    assert grants == sum(len(u[2]) for u in demo.DEMO_USERS)


async def test_hook_seed_demo_data(db, temp_plugin):
    from core import demo
    from core.api import hookimpl

    seen = []

    class Recorder:
        @hookimpl
        async def seed_demo_data(self, ctx):
            seen.append(ctx)

    temp_plugin(Recorder(), "recorder")
    await demo.load()
    ctx = seen[0]
    assert ctx["agencies"]["000.30.31.H39"].name == "UBND phường Trấn Biên"
    assert set(ctx["users"]) == {u[0] for u in demo.DEMO_USERS}
    assert ctx["today"] is not None


async def test_demo_accounts_can_sign_in(client):
    from core import demo

    await demo.load()
    await client.get("/dang-nhap")
    r = await client.post(
        "/dang-nhap",
        data={"username": "quantri.tinh", "password": demo.DEMO_PASSWORD, "_csrf_token": csrf_from(client)},
    )
    assert r.status_code == 200
    assert "Lê Minh Quân" in r.text
    r = await client.get("/quan-tri/co-quan")
    assert r.status_code == 200 and "UBND xã Định Quán" in r.text and "000.40.05.H39" in r.text
    assert "hai cấp" in r.text


def test_demo_accounts_page_lists_every_account_with_agency_role_and_password():
    """docs/demo_accounts.md (linked from README) says what ``core/demo.py`` creates, row by row."""
    from pathlib import Path

    from core import demo

    root = Path(__file__).resolve().parents[2]
    assert "docs/demo_accounts.md" in (root / "README.md").read_text(encoding="utf-8")
    text = (root / "docs" / "demo_accounts.md").read_text(encoding="utf-8")
    assert f"`{demo.DEMO_PASSWORD}`" in text
    agencies = {r["key"]: r for r in demo.agency_rows()}
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    expected = []
    for username, full_name, grants, cccd in demo.DEMO_USERS:
        for key, role in grants:
            a = agencies[key]
            expected.append((username, full_name, role, a["code"], cccd or ""))
    found = []
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        found.append(
            (
                cells[0].strip("`"),
                cells[1],
                cells[2].split(" — ")[0],
                cells[3].rsplit("(`", 1)[1].rstrip("`)"),
                cells[4].strip("`"),
            )
        )
    assert found == expected
    assert {e[2] for e in expected} == set(ROLES)  # one account per role at least
