"""R23 and R12 reports: late dossiers per unit whose step overran, and applicants made to come back
more than twice (core/stats/accountability.py, /thong-ke/trach-nhiem)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.dossiers import clockscan, engine, service
from core.dossiers.timing import VN_TZ
from core.stats import accountability
from core.stats.scope import Scope
from core.stats.service import Selection
from tests.fixtures.builders import grant, login_as, make_user
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin, monkeypatch):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    real = engine.utcnow

    def travel(delta: timedelta):
        monkeypatch.setattr(engine, "utcnow", lambda: real() + delta)
        return real() + delta

    w["travel"] = travel
    return w


def active(d, sid):
    return next(s for s in d.active_steps() if s.step_id == sid)


async def _received(w, name: str):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": name},
        data={"subject": name},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def _late_at_ward_and_at_tax(w):
    at_ward = await _received(w, "Ngô Thị Bình")
    at_tax = await _received(w, "Lý Văn Tâm")
    at_tax = await service.complete_step(
        at_tax.id, active(at_tax, "check").id, actor=w["as"]["ward_specialist"], version=at_tax.version
    )
    at_tax = await service.complete_step(
        at_tax.id, active(at_tax, "police_op").id, actor=w["as"]["police_specialist"], version=at_tax.version
    )
    later = w["travel"](timedelta(days=40))
    assert sorted((await clockscan.scan(later)).flagged_late) == sorted([at_ward.id, at_tax.id])
    return at_ward, at_tax, later


def _period(later) -> Selection:
    today = engine.utcnow().astimezone(VN_TZ).date()
    return Selection(start=today - timedelta(days=60), end=later.astimezone(VN_TZ).date())


async def test_r23_late_dossiers_are_reported_per_unit_whose_step_overran(world):
    w = world
    _at_ward, at_tax, later = await _late_at_ward_and_at_tax(w)
    await service.apologise(
        at_tax.id,
        actor=w["as"]["tax_leader"],
        version=(await service.get(at_tax.id)).version,
        new_due=(later + timedelta(hours=1)).isoformat(),
        reason="Chờ số liệu thuế",
    )
    rows = {r["name"]: r for r in await accountability.late_by_unit(Scope(province=True), _period(later))}
    # the tax unit overran its step, not the ward's desk that received both dossiers
    assert set(rows) == {"UBND phường Trấn Biên", "Thuế tỉnh Đồng Nai"}
    assert (rows["Thuế tỉnh Đồng Nai"]["late"], rows["Thuế tỉnh Đồng Nai"]["apologised"]) == (1, 1)
    assert (rows["UBND phường Trấn Biên"]["late"], rows["UBND phường Trấn Biên"]["apologised"]) == (1, 0)
    assert rows["UBND phường Trấn Biên"]["still_open"] == 1
    # a unit's leader sees their own unit only
    tax_only = await accountability.late_by_unit(
        Scope(province=False, agencies=(w["tree"]["tax"]["id"],)), _period(later)
    )
    assert [r["name"] for r in tax_only] == ["Thuế tỉnh Đồng Nai"]


async def test_r12_report_lists_dossiers_whose_applicant_came_back_more_than_twice(world):
    w = world
    twice = await _received(w, "Trịnh Văn Hai")
    thrice = await _received(w, "Đặng Thị Ba")
    for d0, rounds in ((twice, 2), (thrice, 3)):
        d = d0
        for n in range(rounds):
            by = "ward_specialist" if n == 0 else "ward_leader"  # later rounds: the leader's override
            d = await service.request_supplement(
                d.id,
                active(d, "check").id if n == 0 else None,
                actor=w["as"][by],
                version=d.version,
                items=[f"Giấy tờ lần {n + 1}"],
                reason="Thiếu",
                **({"override_reason": "Người nộp chưa làm đúng hướng dẫn"} if n else {}),
            )
            d = await service.resubmit(d.id, actor=w["as"]["receiver"], version=d.version)
    now = engine.utcnow()
    rows = await accountability.repeat_supplements(Scope(province=True), _period(now + timedelta(days=1)))
    assert [(r["code"], r["requests"]) for r in rows] == [(thrice.code, 3)]


async def test_the_accountability_page_shows_both_reports(client, world):
    w = world
    _at_ward, _at_tax, later = await _late_at_ward_and_at_tax(w)
    admin = await make_user("tinh_admin", full_name="Quản trị tỉnh")
    await grant(admin, w["tree"]["province"], "province_admin")
    await login_as(client, admin)
    sel = _period(later)
    r = await client.get(f"/thong-ke/trach-nhiem?from={sel.start:%d/%m/%Y}&to={sel.end:%d/%m/%Y}")
    assert r.status_code == 200, r.text
    assert "Thuế tỉnh Đồng Nai" in r.text and "UBND phường Trấn Biên" in r.text
    assert 'aria-current="page"' in r.text
    client.cookies.clear()
    await login_as(client, w["users"]["ward_specialist"])
    r = await client.get("/thong-ke/trach-nhiem")
    assert r.status_code == 403 and "lãnh đạo" in r.text
