"""Province administration of the catalogue over HTTP, the form engine's application check with the
validate_application hook, and the field macro."""

from __future__ import annotations

from datetime import date

from core.audit.tables import AuditEntry
from core.catalogue import service
from core.catalogue.registry import get_catalogue
from core.catalogue.tables import FeeAmount
from core.forms.engine import check_application
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.catalogue_plugin import BIRTH, DOMAIN


async def _admin_client(client, tree):
    admin = await make_user("qt_tinh")
    await grant(admin, tree["province"], "province_admin")
    await login_as(client, admin)
    return admin


async def test_admin_pages_need_a_province_admin(client, demo_plugin):
    tree = await standard_tree()
    r = await client.get("/quan-tri/thu-tuc", follow_redirects=False)
    assert r.status_code in (302, 303) and "/dang-nhap" in r.headers["location"]
    clerk = await make_user("can_bo")
    await grant(clerk, tree["ward"], "receiver")
    await login_as(client, clerk)
    r = await client.get("/quan-tri/le-phi")
    assert r.status_code == 403 and "quản trị viên cấp tỉnh" in r.text
    r = await client.post(
        "/quan-tri/thu-tuc",
        data={
            "agency_id": tree["ward"]["id"],
            "target": f"procedure:{BIRTH}",
            "enabled": "1",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 403
    assert not await service.is_enabled(BIRTH, tree["ward"]["id"])


async def test_matrix_toggle_without_js_then_with_htmx(client, demo_plugin):
    tree = await standard_tree()
    admin = await _admin_client(client, tree)
    r = await client.get("/quan-tri/thu-tuc", params={"linh_vuc": DOMAIN, "cap": "commune"})
    assert r.status_code == 200
    assert "Đăng ký khai sinh" in r.text and "UBND phường Trấn Biên" in r.text and "Sở Tư pháp" not in r.text
    r = await client.post(
        "/quan-tri/thu-tuc",
        data={
            "agency_id": str(tree["ward"]["id"]),
            "target": f"procedure:{BIRTH}",
            "enabled": "1",
            "linh_vuc": DOMAIN,
            "_csrf_token": csrf_from(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/quan-tri/thu-tuc?linh_vuc={DOMAIN}"
    assert await service.is_enabled(BIRTH, tree["ward"]["id"])
    assert (await client.get(f"/thu-tuc/{BIRTH}")).status_code == 200
    matrix = (await client.get("/quan-tri/thu-tuc", params={"linh_vuc": DOMAIN, "cap": "commune"})).text
    cell = matrix.split(f'id="sw-{tree["ward"]["id"]}-procedure-{BIRTH.replace(".", "-")}"')[1].split(
        "</td>"
    )[0]
    assert "Bật" in cell and 'name="enabled" value="0"' in cell
    r = await client.post(
        "/quan-tri/thu-tuc",
        data={"agency_id": str(tree["ward"]["id"]), "target": f"domain:{DOMAIN}", "enabled": "0"},
        headers={"HX-Request": "true", "x-csrftoken": csrf_from(client)},
    )
    assert r.status_code == 200 and r.headers["hx-refresh"] == "true"
    assert not await service.is_enabled(BIRTH, tree["ward"]["id"])
    matrix = (await client.get("/quan-tri/thu-tuc", params={"linh_vuc": DOMAIN})).text
    assert "cả lĩnh vực đang tắt tại đây" in matrix
    r = await client.post(
        "/quan-tri/thu-tuc",
        data={"agency_id": str(tree["ward"]["id"]), "target": f"procedure:{BIRTH}", "enabled": "0"},
        headers={"HX-Request": "true", "x-csrftoken": csrf_from(client)},
    )
    assert r.status_code == 200 and r.text.lstrip().startswith("<td") and "Tắt" in r.text
    await service.set_enabled(BIRTH, tree["ward"]["id"], True, actor_id=admin["id"])
    assert (await client.get(f"/thu-tuc/{BIRTH}")).status_code == 410
    actions = [e["action"] for e in await AuditEntry.select().where(AuditEntry.actor_id == admin["id"])]
    assert actions == [
        "catalogue.procedure_enabled",
        "catalogue.domain_disabled",
        "catalogue.procedure_disabled",
        "catalogue.procedure_enabled",
    ]


async def test_fee_form_errors_stay_at_the_field(client, demo_plugin):
    tree = await standard_tree()
    await _admin_client(client, tree)
    page = await client.get("/quan-tri/le-phi")
    assert page.status_code == 200 and 'value="le_phi_ho_tich"' in page.text  # codes quoted by the plugins
    r = await client.post(
        "/quan-tri/le-phi",
        data={
            "fee_code": "le_phi_ho_tich",
            "procedure_code": "",
            "amount": "8,5 nghìn",
            "effective_from": "31/02/2026",
            "legal_basis": "",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r.status_code == 422
    r2 = await client.post(
        "/quan-tri/le-phi",
        data={
            "fee_code": "",
            "amount": "1",
            "effective_from": "01/01/2026",
            "legal_basis": "NQ",
            "_csrf_token": csrf_from(client),
        },
    )
    assert r2.status_code == 422 and "Nhập mã khoản phí, lệ phí" in r2.text
    assert "Số tiền là số nguyên không âm" in r.text and "Ngày bắt đầu áp dụng phải là ngày có thật" in r.text
    assert "Nhập căn cứ pháp lý" in r.text and 'value="8,5 nghìn"' in r.text and "error-summary" in r.text
    assert await FeeAmount.count() == 0
    r = await client.post(
        "/quan-tri/le-phi",
        data={
            "fee_code": "le_phi_ho_tich",
            "procedure_code": BIRTH,
            "amount": "8.000",
            "effective_from": "01/01/2026",
            "legal_basis": "NQ 12/2025/NQ-HĐND",
            "_csrf_token": csrf_from(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert await service.fee_amounts(BIRTH, date(2026, 1, 2)) == {"le_phi_ho_tich": 8000}
    assert "8.000 đ" in (await client.get("/quan-tri/le-phi")).text


async def test_hook_validate_application(db, demo_plugin):
    """check_application runs the declarative validators, then every plugin's validate_application."""
    spec = get_catalogue().procedure(BIRTH)
    ctx = {"today": date(2026, 11, 23), "agency": None, "user": None}
    errors = await check_application(
        spec, "tre", {"ho_ten": "", "ngay_sinh": "01/01/2027", "gioi_tinh": "nam"}, ctx
    )
    assert errors == {
        "ho_ten": "Vui lòng nhập họ, chữ đệm và tên.",
        "ngay_sinh": "Ngày sinh không được sau ngày hôm nay.",
    }
    errors = await check_application(
        spec, "tre", {"ho_ten": "Trùng tên", "ngay_sinh": "01/01/2026", "gioi_tinh": "nam"}, ctx
    )
    assert errors == {"ho_ten": "Đã có khai sinh với họ tên này trong sổ hộ tịch (số 12/2025)."}
    whole = {
        "ho_ten": "Lê Văn An",
        "ngay_sinh": "2026-01-01",
        "gioi_tinh": "nam",
        "cccd": "079 203 001 234",
        "dien_thoai": "+84 912 345 678",
    }
    assert await check_application(spec, None, whole, ctx) == {}
    errors = await check_application(spec, None, {**whole, "dien_thoai": "12345", "uy_quyen": "on"}, ctx)
    assert set(errors) == {"dien_thoai", "giay_uy_quyen"}


async def test_field_macro_keeps_values_and_shows_errors(app, demo_plugin):
    env = app.template_engine.engine
    form = get_catalogue().forms["tn_khai_sinh"]
    tmpl = env.from_string(
        '{% from "forms/field.html" import render_page %}{{ render_page(page, values, errors) }}'
    )
    html = tmpl.render(
        page=form.pages[0],
        values={"ho_ten": "Lê Văn <An>", "ngay_sinh": date(2020, 2, 1), "gioi_tinh": "nu"},
        errors={"ngay_sinh": "Ngày sinh không được sau ngày hôm nay."},
    )
    assert 'value="Lê Văn &lt;An&gt;"' in html and 'value="01/02/2020"' in html
    assert 'aria-invalid="true"' in html and "Ngày sinh không được sau ngày hôm nay." in html
    assert 'value="nu" checked' in html and 'value="nam" checked' not in html
    assert "<legend>Giới tính</legend>" in html
