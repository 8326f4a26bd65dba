"""The counter (issue 9): walk-in intake at ``/quay/tiep-nhan`` (search without diacritics, returning
applicant by CCCD, the plugin's form, the checklist, receive / refuse / supplement guide), online
dossiers waiting for intake, handing back a result (scan, payment into the counter's cash book,
who collected it), and the cash book's end-of-day closing (once, audited) and its xlsx export."""

from __future__ import annotations

import io

import pytest

from core.api import FeeLine, FeeQuote, L
from core.audit.tables import AuditEntry
from core.catalogue.service import set_enabled
from core.counter.tables import CashBookClosing, CashBookEntry
from core.documents.tables import GeneratedDocument
from core.dossiers import service
from core.dossiers.tables import Dossier, DossierEvent
from core.fees import service as fees
from core.fees.tables import Payment
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree
from tests.fixtures.catalogue_plugin import BIRTH

APPLICANT_ID = "075190001234"  # a valid CCCD (born 1990, female) used in other tests


@pytest.fixture
async def desk(db, demo_plugin):
    tree = await standard_tree()
    await set_enabled(BIRTH, tree["ward"]["id"], True)
    clerk = await make_user("thu", full_name="Phạm Thị Thu")
    await grant(clerk, tree["ward"], "receiver")
    specialist = await make_user("tuan", full_name="Võ Minh Tuấn")
    await grant(specialist, tree["ward"], "specialist")
    chair = await make_user("chu_tich", full_name="Lê Văn Chủ")
    await grant(chair, tree["ward"], "approver")
    stranger = await make_user("khac", full_name="Người Khác")
    await grant(stranger, tree["commune"], "receiver")
    return {"tree": tree, "clerk": clerk, "specialist": specialist, "chair": chair, "stranger": stranger}


def _intake_form(client, action: str, **extra) -> dict:
    form = {
        "_csrf_token": csrf_from(client),
        "thu_tuc": BIRTH,
        "_action": action,
        "applicant.name": "Nguyễn Thị Hằng",
        "applicant.id_number": APPLICANT_ID,
        "applicant.phone": "0912345678",
        "applicant.address": "12 Nguyễn Ái Quốc, phường Trấn Biên",
        "result_channel": "counter",
        "ho_ten": "Trần Gia Bảo",
        "ngay_sinh": "01/10/2026",
        "gioi_tinh": "nam",
        "cccd": APPLICANT_ID,
        "dien_thoai": "0912345678",
        "doc.to_khai": "on",
        "doc.to_khai.originals": "1",
        "doc.to_khai.copies": "0",
        "doc.giay_chung_sinh": "on",
        "doc.giay_chung_sinh.originals": "1",
        "doc.giay_chung_sinh.copies": "0",
        "doc.uy_quyen.originals": "0",
        "doc.uy_quyen.copies": "1",
    }
    form.update(extra)
    return {k: v for k, v in form.items() if v is not None}


async def test_search_finds_the_procedure_without_diacritics_and_only_a_clerk_may_open_the_desk(client, desk):
    await login_as(client, desk["clerk"])
    home = await client.get("/quay")
    assert home.status_code == 200 and "UBND phường Trấn Biên" in home.text
    found = await client.get("/quay/tiep-nhan", params={"q": "dang ky khai sinh"})
    assert found.status_code == 200 and f"/quay/tiep-nhan?thu_tuc={BIRTH}" in found.text
    assert "Đăng ký khai sinh" in found.text
    form = await client.get("/quay/tiep-nhan", params={"thu_tuc": BIRTH})
    # the plugin's form, every page on one page, and the checklist
    for text in ('name="ho_ten"', 'name="dien_thoai"', 'name="doc.giay_chung_sinh"', "Giấy chứng sinh"):
        assert text in form.text
    client.cookies.clear()
    citizen = await make_user("dan", full_name="Người Dân")
    await login_as(client, citizen)
    assert (await client.get("/quay")).status_code == 403


async def test_walk_in_received_at_the_counter_prints_only_the_documents_received(client, desk):
    await login_as(client, desk["clerk"])
    # a required document not ticked: 422 at the field, everything typed kept, nothing created
    bad = await client.post(
        "/quay/tiep-nhan", data=_intake_form(client, "receive", **{"doc.giay_chung_sinh": None})
    )
    assert bad.status_code == 422
    assert "Chưa nhận “Giấy chứng sinh” (bắt buộc)" in bad.text
    assert 'value="Trần Gia Bảo"' in bad.text and 'value="12 Nguyễn Ái Quốc, phường Trấn Biên"' in bad.text
    assert await Dossier.count() == 0
    # a form field wrong: the form engine's message at the field
    bad = await client.post("/quay/tiep-nhan", data=_intake_form(client, "receive", dien_thoai="12"))
    assert bad.status_code == 422 and 'id="f-dien_thoai-error"' in bad.text
    assert await Dossier.count() == 0
    ok = await client.post("/quay/tiep-nhan", data=_intake_form(client, "receive"), follow_redirects=False)
    assert ok.status_code == 303, ok.text
    d = await Dossier.select().first()
    assert ok.headers["location"] == f"/quay/tiep-nhan/xong/{d['code']}"
    assert (
        d["state"] == "received"
        and d["channel"] == "truc_tiep"
        and d["receiving_agency"] == desk["tree"]["ward"]["id"]
    )
    event = await DossierEvent.select().where(DossierEvent.action == "receive").first()
    received = event["data"] if isinstance(event["data"], dict) else __import__("json").loads(event["data"])
    assert [x["code"] for x in received["documents"]] == ["to_khai", "giay_chung_sinh"]
    form01 = await GeneratedDocument.select().where(GeneratedDocument.kind == "form01").first()
    ctx = (
        form01["context"]
        if isinstance(form01["context"], dict)
        else __import__("json").loads(form01["context"])
    )
    names = [x["name"] for x in ctx["procedure"]["documents"]]
    assert names == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]  # not "Văn bản ủy quyền"
    done = await client.get(ok.headers["location"])
    assert done.status_code == 200 and d["code"] in done.text and "Giấy tiếp nhận" in done.text


async def test_returning_applicant_is_filled_by_cccd_and_refusal_and_supplement_print_their_forms(
    client, desk
):
    await login_as(client, desk["clerk"])
    unknown = await client.post(
        "/quay/tiep-nhan",
        data={
            "_csrf_token": csrf_from(client),
            "thu_tuc": BIRTH,
            "_action": "lookup",
            "applicant.id_number": APPLICANT_ID,
            "ho_ten": "Giữ lại",
        },
    )
    assert unknown.status_code == 422 and "Chưa có hồ sơ nào của số định danh này" in unknown.text
    assert 'value="Giữ lại"' in unknown.text
    # refusal needs a reason; with one, a coded dossier refused with form 03 (incomplete form allowed)
    no_reason = await client.post("/quay/tiep-nhan", data=_intake_form(client, "refuse", ho_ten=""))
    assert no_reason.status_code == 422 and "Ghi rõ lý do từ chối" in no_reason.text
    refused = await client.post(
        "/quay/tiep-nhan",
        data=_intake_form(client, "refuse", ho_ten="", reason="Không thuộc thẩm quyền của phường."),
        follow_redirects=False,
    )
    assert refused.status_code == 303, refused.text
    d = await Dossier.select().first()
    assert d["state"] == "refused" and d["code"]
    assert await GeneratedDocument.exists().where(GeneratedDocument.kind == "form03")
    # the same person comes back: the CCCD fills their details from that dossier
    found = await client.post(
        "/quay/tiep-nhan",
        data={
            "_csrf_token": csrf_from(client),
            "thu_tuc": BIRTH,
            "_action": "lookup",
            "applicant.id_number": APPLICANT_ID,
        },
    )
    assert found.status_code == 200 and 'value="Nguyễn Thị Hằng"' in found.text
    assert 'value="12 Nguyễn Ái Quốc, phường Trấn Biên"' in found.text
    # a supplement guide lists the items
    sup = await client.post(
        "/quay/tiep-nhan",
        data=_intake_form(client, "supplement", items="Giấy chứng sinh bản chính\nVăn bản ủy quyền"),
        follow_redirects=False,
    )
    assert sup.status_code == 303
    d2 = await Dossier.select().where(Dossier.state == "supplement_requested").first()
    assert d2 is not None
    form02 = await GeneratedDocument.select().where(GeneratedDocument.kind == "form02").first()
    ctx = (
        form02["context"]
        if isinstance(form02["context"], dict)
        else __import__("json").loads(form02["context"])
    )
    assert ctx["items"] == ["Giấy chứng sinh bản chính", "Văn bản ủy quyền"]


async def _online_submitted(desk) -> str:
    from core.identity.current import load_user as load_user_view

    citizen = await make_user("hang", full_name="Nguyễn Thị Hằng", cccd=APPLICANT_ID)
    actor = await load_user_view(citizen["id"])
    d = await service.create(
        BIRTH,
        desk["tree"]["ward"]["id"],
        actor=actor,
        applicant={},
        data={
            "ho_ten": "Trần Gia Bảo",
            "ngay_sinh": "01/10/2026",
            "gioi_tinh": "nam",
            "cccd": APPLICANT_ID,
            "dien_thoai": "0912345678",
        },
    )
    done = await service.submit(d.id, actor=actor, version=d.version)
    return done.code


async def test_online_dossiers_waiting_for_intake_are_listed_for_their_agency_only(client, desk):
    code = await _online_submitted(desk)
    await login_as(client, desk["clerk"])
    page = await client.get("/quay/truc-tuyen")
    assert page.status_code == 200 and f'href="/ho-so/{code}"' in page.text and "Nguyễn Thị Hằng" in page.text
    home = await client.get("/quay")
    assert "<strong>1</strong>" in home.text
    client.cookies.clear()
    await login_as(client, desk["stranger"])
    other = await client.get("/quay/truc-tuyen")
    assert other.status_code == 200 and code not in other.text


async def _result_ready(client, desk) -> str:
    """A walk-in dossier received at the counter, processed, with a fee of 8.000 đ, result ready."""
    from core.identity.current import load_user as load_user_view

    await login_as(client, desk["clerk"])
    await client.post("/quay/tiep-nhan", data=_intake_form(client, "receive"))
    d = await Dossier.select().first()
    await fees.store_quote(
        d["id"], FeeQuote(lines=(FeeLine("le_phi", L("Lệ phí hộ tịch"), 8000, "TT 85/2019"),))
    )
    spec = await load_user_view(desk["specialist"]["id"])
    chair = await load_user_view(desk["chair"]["id"])
    clerk = await load_user_view(desk["clerk"]["id"])
    v = await service.get(d["id"])
    v = await service.complete_step(v.id, actor=spec, version=v.version)
    v = await service.complete_step(v.id, actor=chair, version=v.version)
    v = await service.mark_result_ready(v.id, actor=clerk, version=v.version)
    assert v.state == "result_ready"
    return v.code


async def test_hand_back_by_scan_with_payment_into_the_cash_book_then_close_the_day(client, desk):
    code = await _result_ready(client, desk)
    # set the counter number
    seat = await client.post(
        "/quay/ban-lam-viec",
        data={"_csrf_token": csrf_from(client), "agency": str(desk["tree"]["ward"]["id"]), "counter_no": "3"},
        follow_redirects=False,
    )
    assert seat.status_code == 303
    # unknown scan: a clear message, no redirect
    unknown = await client.get("/quay/tra-ket-qua", params={"ma": "000.30.31.H39-261203-9999"})
    assert unknown.status_code == 422 and "Không tìm thấy hồ sơ" in unknown.text
    # the list of results waiting, then a scan of the QR (the status address) finds it
    listing = await client.get("/quay/tra-ket-qua")
    assert f'href="/quay/tra-ket-qua/{code}"' in listing.text
    scanned = await client.get(
        "/quay/tra-ket-qua",
        params={"ma": f"https://dichvucong.dongnai.gov.vn/tra-cuu/{code}"},
        follow_redirects=False,
    )
    assert scanned.status_code == 303 and scanned.headers["location"] == f"/quay/tra-ket-qua/{code}"
    page = await client.get(f"/quay/tra-ket-qua/{code}")
    assert "8.000 đ" in page.text
    # hand back refused while fees are due
    v = await service.get(code)
    owed = await client.post(
        f"/quay/tra-ket-qua/{code}/tra",
        data={
            "_csrf_token": csrf_from(client),
            "version": str(v.version),
            "receiver.relation": "holder",
            "receiver.name": "Nguyễn Thị Hằng",
            "receiver.id_number": APPLICANT_ID,
            "receiver.checked": "on",
        },
    )
    assert owed.status_code in (403, 409, 422) and (await service.get(code)).state == "result_ready"
    # the payment, then the same payment again: a clear message, nothing duplicated
    pay = {"_csrf_token": csrf_from(client), "method": "cash", "amount": "8.000", "reference": ""}
    ok = await client.post(f"/quay/tra-ket-qua/{code}/nop-phi", data=pay, follow_redirects=False)
    assert ok.status_code == 303
    again = await client.post(f"/quay/tra-ket-qua/{code}/nop-phi", data=pay)
    assert again.status_code == 422 and "không còn khoản phí" in again.text
    assert await Payment.count() == 1 and await CashBookEntry.count() == 1
    entry = await CashBookEntry.select().first()
    assert entry["counter"] == 3 and entry["amount"] == 8000 and entry["method"] == "cash"
    # identity not checked: at the field; then handed over to an authorised person
    v = await service.get(code)
    base = {
        "_csrf_token": csrf_from(client),
        "version": str(v.version),
        "receiver.relation": "authorised",
        "receiver.name": "Trần Văn Đức",
        "receiver.id_number": "079085001122",
    }
    unchecked = await client.post(f"/quay/tra-ket-qua/{code}/tra", data=base)
    assert unchecked.status_code == 422 and "Xác nhận đã kiểm tra giấy tờ tùy thân" in unchecked.text
    no_letter = await client.post(f"/quay/tra-ket-qua/{code}/tra", data={**base, "receiver.checked": "on"})
    assert no_letter.status_code == 422 and "Ghi giấy ủy quyền" in no_letter.text
    handed = await client.post(
        f"/quay/tra-ket-qua/{code}/tra",
        data={**base, "receiver.checked": "on", "receiver.document": "Giấy ủy quyền số 12/2026, 01/12/2026"},
        follow_redirects=False,
    )
    assert handed.status_code == 303
    done = await service.get(code)
    assert done.state == "returned"
    event = (await service.events(code))[-1]
    assert (
        event.data["receiver"]["relation"] == "authorised"
        and event.data["receiver"]["document_checked"] == "yes"
    )
    # the cash book: expected 8.000, counted 5.000 needs a reason; then closed once, audited
    book = await client.get("/quay/so-quy")
    assert book.status_code == 200 and code in book.text and "8.000 đ" in book.text
    short = await client.post(
        "/quay/so-quy/chot", data={"_csrf_token": csrf_from(client), "counted": "5.000"}
    )
    assert (
        short.status_code == 422 and "ghi rõ lý do chênh lệch" in short.text and 'value="5.000"' in short.text
    )
    closed = await client.post(
        "/quay/so-quy/chot",
        data={
            "_csrf_token": csrf_from(client),
            "counted": "5.000",
            "note": "Trả nhầm tiền thừa cho người nộp",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    row = await CashBookClosing.select().first()
    assert (row["expected_cash"], row["counted_cash"], row["difference"]) == (8000, 5000, -3000)
    twice = await client.post("/quay/so-quy/chot", data={"_csrf_token": csrf_from(client), "counted": "8000"})
    assert twice.status_code == 422 and "đã được chốt" in twice.text
    assert await CashBookClosing.count() == 1
    assert await AuditEntry.exists().where(AuditEntry.action == "cashbook.close")
    shown = await client.get("/quay/so-quy")
    assert "-3.000 đ" in shown.text and "Trả nhầm tiền thừa" in shown.text
    xlsx = await client.get("/quay/so-quy.xlsx")
    assert xlsx.status_code == 200
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(xlsx.content)).active
    cells = [c for r in ws.iter_rows(values_only=True) for c in r if c is not None]
    assert code in cells and 8000 in cells and -3000 in cells


async def test_a_clerk_of_another_agency_cannot_find_or_pay_the_dossier(client, desk):
    code = await _result_ready(client, desk)
    client.cookies.clear()
    await login_as(client, desk["stranger"])
    scan = await client.get("/quay/tra-ket-qua", params={"ma": code})
    assert scan.status_code == 422 and "Không tìm thấy hồ sơ" in scan.text
    page = await client.get(f"/quay/tra-ket-qua/{code}")
    assert page.status_code == 404
    pay = await client.post(
        f"/quay/tra-ket-qua/{code}/nop-phi",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "8000"},
    )
    assert pay.status_code == 404 and await Payment.count() == 0


async def test_an_expired_session_keeps_the_intake_form_through_sign_in(client, desk):
    """The session ends while the clerk types: the post goes to sign-in, the form is kept server-side
    (a one-time cookie, nothing personal in the address), and after signing in the intake page is
    filled again, once; nothing was created meanwhile."""
    from core.identity import kept_forms

    await login_as(client, desk["clerk"])
    page_url = f"/quay/tiep-nhan?thu_tuc={BIRTH}"
    assert (await client.get(page_url)).status_code == 200
    form = _intake_form(client, "receive")
    client.cookies.delete("motcua_session")
    r = await client.post(
        "/quay/tiep-nhan",
        data=form,
        headers={"referer": f"http://127.0.0.1:8000{page_url}"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    assert r.headers["location"] == "/dang-nhap?next=/quay/tiep-nhan%3Fthu_tuc%3D" + BIRTH
    assert APPLICANT_ID not in r.headers["location"] and "Hằng" not in r.headers["location"]
    set_cookie = r.headers["set-cookie"]
    assert kept_forms.COOKIE in set_cookie and "HttpOnly" in set_cookie
    assert await Dossier.count() == 0

    # signing in again (a new session); another staff page does not consume it; the intake page
    # shows it, once
    token = r.cookies[kept_forms.COOKIE]
    client.cookies.clear()
    await login_as(client, desk["clerk"])
    client.cookies.set(kept_forms.COOKIE, token)
    assert "Trần Gia Bảo" not in (await client.get("/quay")).text
    back = await client.get(page_url)
    assert back.status_code == 200
    for typed in (
        'value="Trần Gia Bảo"',
        f'value="{APPLICANT_ID}"',
        'value="12 Nguyễn Ái Quốc, phường Trấn Biên"',
    ):
        assert typed in back.text
    assert "Phiên làm việc đã hết hạn" in back.text
    again = await client.get(page_url)
    assert 'value="Trần Gia Bảo"' not in again.text
    assert await Dossier.count() == 0


async def _received_with_fee(client, desk) -> dict:
    await client.post("/quay/tiep-nhan", data=_intake_form(client, "receive"))
    d = await Dossier.select().order_by(Dossier.id, ascending=False).first()
    await fees.store_quote(
        d["id"], FeeQuote(lines=(FeeLine("le_phi", L("Lệ phí hộ tịch"), 8000, "TT 85/2019"),))
    )
    return d


async def test_fee_page_payments_and_refunds_go_into_the_clerks_counter_book_until_it_is_closed(client, desk):
    await login_as(client, desk["clerk"])
    await client.post(
        "/quay/ban-lam-viec",
        data={"_csrf_token": csrf_from(client), "agency": str(desk["tree"]["ward"]["id"]), "counter_no": "4"},
    )
    d = await _received_with_fee(client, desk)
    # paid on the dossier's fee page (not the counter's hand-back page): counter 4's book
    paid = await client.post(
        f"/ho-so/{d['code']}/le-phi/nop",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "8.000", "reference": ""},
        follow_redirects=False,
    )
    assert paid.status_code == 303, paid.text
    entry = await CashBookEntry.select().first()
    assert (entry["counter"], entry["amount"], entry["method"]) == (4, 8000, "cash")
    # the dossier is refused later: the fee is owed back, paid back in cash at the counter
    owed = await fees.refund(d["id"], reason="Hồ sơ bị từ chối sau khi đã nộp lệ phí")
    assert owed is not None
    back = await client.post(
        f"/ho-so/{d['code']}/le-phi/hoan-tra/{owed['id']}",
        data={"_csrf_token": csrf_from(client), "method": "cash", "reference": ""},
        follow_redirects=False,
    )
    assert back.status_code == 303, back.text
    out = await CashBookEntry.select().where(CashBookEntry.payment == owed["id"]).first()
    assert (out["counter"], out["amount"], out["method"], out["recorded_by"]) == (
        4,
        -8000,
        "cash",
        desk["clerk"]["id"],
    )
    book = await client.get("/quay/so-quy")
    assert "Hoàn trả — tiền mặt" in book.text and "-8.000 đ" in book.text
    # the cash expected is 0 (8.000 in, 8.000 out): closed without a difference
    closed = await client.post(
        "/quay/so-quy/chot", data={"_csrf_token": csrf_from(client), "counted": "0"}, follow_redirects=False
    )
    assert closed.status_code == 303
    assert (await CashBookClosing.select().first())["expected_cash"] == 0
    # the closed day takes no new line: a clear message at the field, no payment kept
    d2 = await _received_with_fee(client, desk)
    refused = await client.post(
        f"/ho-so/{d2['code']}/le-phi/nop",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "8.000", "reference": ""},
    )
    assert refused.status_code == 422
    assert "Sổ quỹ quầy 4 ngày" in refused.text and "đã chốt" in refused.text
    assert await Payment.count().where(Payment.dossier == d2["id"]) == 0
    assert await CashBookEntry.count() == 2
    refused = await client.post(
        f"/quay/tra-ket-qua/{d2['code']}/nop-phi",
        data={"_csrf_token": csrf_from(client), "method": "cash", "amount": "8.000", "reference": ""},
    )
    assert refused.status_code == 422 and "đã chốt" in refused.text
    assert await Payment.count().where(Payment.dossier == d2["id"]) == 0
