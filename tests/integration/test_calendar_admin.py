"""The province's working calendar over HTTP: the year's holidays, overrides added and deleted (audited,
field errors at 422), the cached calendar following the table, and the due-date explainer."""

from __future__ import annotations

from datetime import date

from core.audit.tables import AuditEntry
from core.clock import calendar as clock_calendar
from core.clock import service
from core.clock.tables import CalendarOverride
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree

URL = "/quan-tri/lich-lam-viec"


async def _admin(client, tree):
    admin = await make_user("qt_lich")
    await grant(admin, tree["province"], "province_admin")
    await login_as(client, admin)
    return admin


async def test_calendar_page_needs_a_province_admin(client, db):
    clock_calendar.invalidate()
    tree = await standard_tree()
    r = await client.get(URL, follow_redirects=False)
    assert r.status_code in (302, 303) and "/dang-nhap" in r.headers["location"]
    clerk = await make_user("can_bo_lich")
    await grant(clerk, tree["ward"], "receiver")
    await login_as(client, clerk)
    assert (await client.get(URL)).status_code == 403
    r = await client.post(
        URL,
        data={
            "day": "02/01/2027",
            "kind": "off",
            "name": "x",
            "legal_basis": "y",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 403
    assert await CalendarOverride.count() == 0


async def test_year_listing_shows_library_holidays(client, db):
    clock_calendar.invalidate()
    await _admin(client, await standard_tree())
    r = await client.get(URL, params={"nam": "2026"})
    assert r.status_code == 200
    assert "17/02/2026" in r.text and "Tết Nguyên Đán" in r.text
    assert "24/11/2026" in r.text and "Ngày Văn hóa Việt Nam" in r.text
    assert "22/08/2026" in r.text  # the make-up Saturday of the 2/9 swap
    assert "Lịch làm việc" in r.text


async def test_add_and_delete_an_override(client, db):
    clock_calendar.invalidate()
    admin = await _admin(client, await standard_tree())
    cal = await clock_calendar.get_calendar()
    assert cal.is_working_day(date(2027, 1, 4)) and not cal.is_working_day(date(2027, 1, 9))
    r = await client.post(
        URL,
        data={
            "day": "04/01/2027",
            "kind": "off",
            "name": "Nghỉ bù Tết Dương lịch",
            "legal_basis": "Thông báo số 1/TB-UBND",
            "nam": "2027",
            "_csrf_token": csrf_from(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"{URL}?nam=2027"
    r = await client.post(
        URL,
        data={
            "day": "09/01/2027",
            "kind": "workday",
            "name": "Làm bù cho ngày 04/01",
            "legal_basis": "Thông báo số 1/TB-UBND",
            "_csrf_token": csrf_from(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    cal = await clock_calendar.get_calendar()
    assert not cal.is_working_day(date(2027, 1, 4)) and cal.is_working_day(date(2027, 1, 9))
    assert cal.holiday_name(date(2027, 1, 4)) == "Nghỉ bù Tết Dương lịch"
    listing = (await client.get(URL, params={"nam": "2027"})).text
    assert "Nghỉ bù Tết Dương lịch" in listing and "Thông báo số 1/TB-UBND" in listing
    row = await CalendarOverride.select().where(CalendarOverride.day == date(2027, 1, 4)).first()
    assert row["created_by"] == admin["id"]
    r = await client.post(
        f"{URL}/{row['id']}/xoa",
        data={"nam": "2027", "_csrf_token": csrf_from(client)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    cal = await clock_calendar.get_calendar()
    assert cal.is_working_day(date(2027, 1, 4))
    actions = [
        e["action"]
        for e in await AuditEntry.select()
        .where(AuditEntry.chain == service.AUDIT_CHAIN)
        .order_by(AuditEntry.seq)
    ]
    assert actions == ["calendar_override_added", "calendar_override_added", "calendar_override_deleted"]
    r = await client.post(f"{URL}/{row['id']}/xoa", data={"_csrf_token": csrf_from(client)})
    assert r.status_code == 404


async def test_bad_override_input_stays_at_the_field(client, db):
    clock_calendar.invalidate()
    await _admin(client, await standard_tree())
    r = await client.post(
        URL,
        data={
            "day": "31/02/2027",
            "kind": "off",
            "name": "",
            "legal_basis": "",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 422
    assert "Ngày phải là ngày có thật" in r.text and 'value="31/02/2027"' in r.text
    r = await client.post(
        URL,
        data={
            "day": "02/09/2027",
            "kind": "off",
            "name": "Quốc khánh",
            "legal_basis": "x",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 422 and "vốn đã là ngày nghỉ" in r.text
    r = await client.post(
        URL,
        data={
            "day": "05/01/2027",
            "kind": "workday",
            "name": "Đi làm",
            "legal_basis": "x",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 422 and "vốn đã là ngày làm việc" in r.text
    r = await client.post(
        URL,
        data={
            "day": "05/01/2027",
            "kind": "nghi",
            "name": "a",
            "legal_basis": "b",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 422 and "Chọn loại" in r.text
    r = await client.post(
        URL,
        data={
            "day": "05/01/2027",
            "kind": "off",
            "name": "Nghỉ",
            "legal_basis": "",
            "_csrf_token": csrf_from(client),
        },
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 422 and "Nhập căn cứ" in r.text and 'id="override-form"' in r.text
    assert "<html" not in r.text
    assert await CalendarOverride.count() == 0


async def test_another_process_change_is_seen_after_the_check_interval(db, monkeypatch):
    clock_calendar.invalidate()
    cal = await clock_calendar.get_calendar()
    assert cal.is_working_day(date(2027, 3, 3))
    await service.add_override(date(2027, 3, 3), "off", "Nghỉ", "QĐ 1", actor_id=None)
    # simulate another process: its cache is not invalidated, but the fingerprint check sees the change
    clock_calendar._cache["cal"] = cal
    clock_calendar._cache["checked"] = 0.0
    assert not (await clock_calendar.get_calendar()).is_working_day(date(2027, 3, 3))


async def test_due_date_explainer(client, db):
    clock_calendar.invalidate()
    await _admin(client, await standard_tree())
    r = await client.get(
        URL, params={"nam": "2026", "received": "23/01/2026 16:10", "days": "20", "cutoff": "15:00"}
    )
    assert r.status_code == 200
    assert "sau 15:00 → bắt đầu tính từ 08:00 thứ Hai 26/01/2026" in r.text
    assert "Bỏ qua: 14/02–22/02/2026 (Tết Nguyên Đán)" in r.text
    assert "Hạn giải quyết: 17:00 thứ Sáu 27/02/2026" in r.text
    r = await client.get(
        URL, params={"received": "hôm qua", "days": "-1", "cutoff": "25:99"}, headers={"HX-Request": "true"}
    )
    assert r.status_code == 422 and 'id="explainer"' in r.text and "<html" not in r.text
    assert "Nhập thời điểm tiếp nhận có thật" in r.text and "từ 0 đến 365" in r.text and "giờ chốt" in r.text
