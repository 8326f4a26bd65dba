"""Catalogue pages and JSON API over HTTP: search, htmx fragment, detail, 410/404, activation seen at once."""

from __future__ import annotations

from datetime import date

from core.catalogue import service
from tests.fixtures.builders import standard_tree
from tests.fixtures.catalogue_plugin import BIRTH, DOMAIN, MARRIAGE, TRANSFER


async def _setup(tree):
    await service.set_enabled(BIRTH, tree["ward"]["id"], True)
    await service.set_enabled(TRANSFER, tree["land_office"]["id"], True)
    await service.set_fee(
        "le_phi_ho_tich", 8000, effective_from=date(2025, 1, 1), legal_basis="NQ 12/2025/NQ-HĐND"
    )


async def test_search_page_without_diacritics(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    r = await client.get("/thu-tuc", params={"q": "dang ky khai sinh"})
    assert r.status_code == 200
    assert "Đăng ký khai sinh" in r.text and "<html" in r.text
    assert "Đăng ký kết hôn" not in r.text  # not enabled anywhere
    r = await client.get("/thu-tuc", params={"q": "khai sinh", "co_quan": tree["commune"]["code"]})
    assert "Đăng ký khai sinh" not in r.text
    r = await client.get("/thu-tuc", params={"muc_do": "toan_trinh", "linh_vuc": DOMAIN})
    assert "Đăng ký khai sinh" in r.text and "Chuyển nhượng" not in r.text
    assert "Toàn trình" in r.text


async def test_live_search_returns_only_the_results_block(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    r = await client.get("/thu-tuc", params={"q": "chuyen nhuong"}, headers={"HX-Request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="results"')
    assert "Chuyển nhượng quyền sử dụng đất thử nghiệm" in r.text and "<html" not in r.text


async def test_procedure_page_shows_documents_time_fees_agencies_route(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    r = await client.get(f"/thu-tuc/{BIRTH}")
    assert r.status_code == 200
    text = r.text
    for expected in (
        "Giấy chứng sinh",
        "Mẫu TK-01",
        "Khi nhờ người khác đi đăng ký",
        "Luật Hộ tịch 2014",
        "Nghị định 123/2015/NĐ-CP",
        "UBND phường Trấn Biên",
        "Toàn trình",
        "15:00",
        "8.000 đ",
        "Thông tư 85/2019/TT-BTC",
        "Công chức tư pháp xử lý",
        "50%",
        "Miễn lệ phí khi đăng ký đúng hạn",
    ):
        assert expected in text, expected
    assert "UBND xã Tân Phú" not in text
    r = await client.get(f"/thu-tuc/{TRANSFER}")
    assert "Cơ quan thuế xác định nghĩa vụ" in r.text and "63%" in r.text  # 5 of 8 days


async def test_disabled_procedure_gives_410_page_and_unknown_404(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    r = await client.get(f"/thu-tuc/{MARRIAGE}")
    assert r.status_code == 410
    assert "Đăng ký kết hôn" in r.text and "không được cơ quan nào của tỉnh tiếp nhận" in r.text
    assert "Hồ sơ đã tiếp nhận vẫn được giải quyết" in r.text
    r = await client.get("/thu-tuc/0.000000")
    assert r.status_code == 404 and "0.000000" in r.text


async def test_toggling_is_visible_at_once_in_pages_and_api(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    assert (await client.get(f"/thu-tuc/{BIRTH}")).status_code == 200
    assert [
        p["code"] for p in (await client.get("/api/v1/procedures", params={"q": "khai sinh"})).json()
    ] == [BIRTH]
    await service.set_domain_enabled(DOMAIN, tree["ward"]["id"], False)
    assert (await client.get(f"/thu-tuc/{BIRTH}")).status_code == 410
    assert (await client.get("/api/v1/procedures", params={"q": "khai sinh"})).json() == []
    assert "Đăng ký khai sinh" not in (await client.get("/thu-tuc", params={"q": "khai sinh"})).text
    await service.set_domain_enabled(DOMAIN, tree["ward"]["id"], True)
    assert (await client.get(f"/thu-tuc/{BIRTH}")).status_code == 200


async def test_hook_compute_fee(client, demo_plugin):
    """The owning plugin's compute_fee prices an empty application from the province's fee table."""
    tree = await standard_tree()
    await _setup(tree)
    body = (await client.get(f"/api/v1/procedures/{BIRTH}")).json()
    assert body["fee_lines"] == [
        {
            "code": "le_phi_ho_tich",
            "label": {"vi": "Lệ phí hộ tịch", "en": "Civil status fee"},
            "amount": 8000,
            "legal_basis": "Thông tư 85/2019/TT-BTC",
        }
    ]
    assert body["fee_total"] == 8000


async def test_api_list_and_detail(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    items = (await client.get("/api/v1/procedures")).json()
    assert [i["code"] for i in items] == [BIRTH, TRANSFER]
    first = items[0]
    assert first["name"]["vi"] == "Đăng ký khai sinh" and first["domain"] == DOMAIN
    assert (
        first["agency_level"] == "commune"
        and first["processing_days"] == 1
        and first["online_level"] == "toan_trinh"
    )
    assert first["fee_summary"]["vi"].startswith("Miễn lệ phí")
    assert [
        i["code"]
        for i in (
            await client.get("/api/v1/procedures", params={"agency": tree["land_office"]["code"]})
        ).json()
    ] == [TRANSFER]
    assert (await client.get("/api/v1/procedures", params={"domain": "nope"})).json() == []
    d = (await client.get(f"/api/v1/procedures/{TRANSFER}")).json()
    assert [doc["code"] for doc in d["documents"]] == ["to_khai", "giay_chung_sinh"]
    assert d["documents"][0]["originals"] == 1 and d["documents"][0]["copies"] == 0
    assert [(s["stage"], s["id"], s["suspends_clock"]) for s in d["steps"]] == [
        (1, "tiep_nhan", False),
        (2, "thue", True),
        (2, "dang_ky", False),
        (3, "ky", False),
    ]
    fields = {f["name"]: f for page in d["form"] for f in page["fields"]}
    assert fields["ngay_sinh"]["widget"] == "date" and fields["ngay_sinh"]["validators"] == [
        "date_not_future"
    ]
    assert fields["gioi_tinh"]["choices"][1] == {"value": "nu", "label": {"vi": "Nữ", "en": "Female"}}
    assert fields["giay_uy_quyen"]["show_if"] == {"uy_quyen": "true"}
    assert d["agencies"][0]["code"] == tree["land_office"]["code"]
    assert d["financial_obligation"] is True and d["cutoff"] == "15:00"


async def test_api_errors_are_problem_json(client, demo_plugin):
    await standard_tree()
    r = await client.get(f"/api/v1/procedures/{MARRIAGE}")
    assert r.status_code == 410 and r.headers["content-type"].startswith("application/problem+json")
    assert "Đăng ký kết hôn" in r.json()["detail"]
    r = await client.get("/api/v1/procedures/0.000000")
    assert r.status_code == 404 and r.json()["status"] == 404


async def test_openapi_lists_the_procedures_endpoints(client):
    schema = (await client.get("/schema/openapi.json")).json()
    assert "/api/v1/procedures" in schema["paths"] and "/api/v1/procedures/{code}" in schema["paths"]
    assert "ProcedureDetail" in str(schema["components"]["schemas"].keys())
    assert "/thu-tuc" not in schema["paths"]


async def test_search_by_code_domain_name_and_agency(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)

    async def found(**params) -> list[str]:
        return [p["code"] for p in (await client.get("/api/v1/procedures", params=params)).json()]

    assert await found(q=BIRTH) == [BIRTH]  # by code
    assert await found(q="9.000103") == [TRANSFER]
    assert await found(q="9.0001") == [BIRTH, TRANSFER]  # by the start of a code
    assert await found(q="ho tich thu nghiem") == [BIRTH, TRANSFER]  # by the domain's name, no diacritics
    assert await found(q="Hộ TỊCH") == [BIRTH, TRANSFER]  # with diacritics, any case
    assert await found(q="quyen su dung dat") == [TRANSFER]
    assert await found(q="dang ky khai sinh") == [BIRTH]
    assert await found(q="khai sinh ket hon") == []  # every word must match
    assert await found(domain=DOMAIN) == [BIRTH, TRANSFER]
    assert await found(agency=tree["ward"]["code"]) == [BIRTH]
    assert await found(agency=tree["commune"]["code"]) == []  # taken in at the ward only
    page = await client.get("/thu-tuc", params={"q": BIRTH})
    assert "Đăng ký khai sinh" in page.text and "Chuyển nhượng" not in page.text
    page = await client.get("/thu-tuc", params={"co_quan": tree["land_office"]["code"]})
    assert "Chuyển nhượng quyền sử dụng đất thử nghiệm" in page.text and "Đăng ký khai sinh" not in page.text
    assert f'value="{tree["land_office"]["code"]}" selected' in page.text  # the chosen agency is kept


async def test_procedure_page_document_counts_time_level_and_receiving_agency(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    text = (await client.get(f"/thu-tuc/{BIRTH}")).text
    rows = text.split("<h2>Thành phần hồ sơ</h2>")[1].split("</table>")[0]
    assert '<th class="num">Bản chính</th>' in rows and '<th class="num">Bản sao</th>' in rows
    birth_cert = rows.split("Giấy chứng sinh")[1].split("</tr>")[0]
    assert '<td class="num">1</td>' in birth_cert and '<td class="num">0</td>' in birth_cert
    attorney = rows.split("Văn bản ủy quyền")[1].split("</tr>")[0]
    assert [c for c in ('<td class="num">0</td>', '<td class="num">1</td>') if c in attorney] == [
        '<td class="num">0</td>',
        '<td class="num">1</td>',
    ]
    assert "Thời hạn giải quyết" in text and "1 ngày làm việc" in text
    assert "<h2>Căn cứ pháp lý</h2>" in text and "<h2>Nơi tiếp nhận hồ sơ</h2>" in text
    where = text.split("<h2>Nơi tiếp nhận hồ sơ</h2>")[1].split("<h2>")[0]
    assert "UBND phường Trấn Biên" in where
    assert "Nộp hồ sơ, nộp phí và nhận kết quả hoàn toàn trực tuyến." in text  # full-process online


async def test_province_fee_amount_set_at_run_time_shows_at_once_and_is_audited(client, demo_plugin):
    from core.audit.tables import AuditEntry
    from tests.conftest import csrf_from
    from tests.fixtures.builders import grant, login_as, make_user

    tree = await standard_tree()
    await _setup(tree)
    assert "8.000 đ" in (await client.get(f"/thu-tuc/{BIRTH}")).text
    admin = await make_user("qt_tinh")
    await grant(admin, tree["province"], "province_admin")
    await login_as(client, admin)
    r = await client.post(
        "/quan-tri/le-phi",
        data={
            "fee_code": "le_phi_ho_tich",
            "procedure_code": BIRTH,
            "amount": "12.000",
            "effective_from": "01/01/2026",
            "legal_basis": "NQ 30/2025/NQ-HĐND",
            "_csrf_token": csrf_from(client),
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    text = (await client.get(f"/thu-tuc/{BIRTH}")).text  # no restart: the next request sees it
    assert "12.000 đ" in text and "8.000 đ" not in text
    assert (await client.get(f"/api/v1/procedures/{BIRTH}")).json()["fee_total"] == 12000
    entry = (
        await AuditEntry.select()
        .where(AuditEntry.action == "catalogue.fee_set")
        .where(AuditEntry.actor_id == admin["id"])
        .first()
    )
    assert entry is not None and entry["object_id"] == "le_phi_ho_tich"


async def test_disabled_procedure_page_in_english(client, demo_plugin):
    await standard_tree()
    await client.get("/ngon-ngu/en", headers={"referer": "http://127.0.0.1:8000/"})
    r = await client.get(f"/thu-tuc/{MARRIAGE}")
    assert r.status_code == 410 and 'lang="en"' in r.text
    assert "is not taken in by any agency of the province" in r.text


async def test_search_with_junk_filters_is_an_empty_answer_not_an_error(client, demo_plugin):
    tree = await standard_tree()
    await _setup(tree)
    junk = {"q": "Đ%_'\\\x00" * 500, "linh_vuc": "<script>", "co_quan": "' OR 1=1 --", "muc_do": "muc_5"}
    r = await client.get("/thu-tuc", params=junk)
    assert r.status_code == 200 and "<script>" not in r.text
    r = await client.get(
        "/api/v1/procedures",
        params={"q": junk["q"], "domain": "x", "agency": junk["co_quan"], "online_level": "muc_5"},
    )
    assert r.status_code == 200 and r.json() == []
    r = await client.get(
        "/api/v1/procedures", params={"online_level": "muc_5"}
    )  # an unknown level is ignored
    assert [p["code"] for p in r.json()] == [BIRTH, TRANSFER]
    for code in ("%2e%2e", "x" * 300, "1.000101'--"):
        assert (await client.get(f"/thu-tuc/{code}")).status_code == 404
        assert (await client.get(f"/api/v1/procedures/{code}")).status_code == 404
