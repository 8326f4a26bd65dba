"""Feedback: rating a finished dossier once (its applicant, or the receipt's key holder; strangers get
the 404 of an unknown code), complaints and suggestions with their 10-working-day limit, staff
answers of their own agency, answers published without personal data, counts for the dashboard."""

from __future__ import annotations

from datetime import timedelta

from core.clock.calendar import get_calendar
from core.contract.vntime import vn_today
from core.dossiers.tables import Dossier
from core.feedback import service as feedback
from core.feedback.tables import Complaint, Rating
from tests.conftest import csrf_from
from tests.fixtures.builders import login_as, make_user
from tests.integration.test_documents_builders import CODE, build_dossier


async def _finished() -> dict:
    built = await build_dossier()
    await Dossier.update({Dossier.state: "returned"}).where(Dossier.id == built["dossier_id"])
    return built


async def _post(client, url, data):
    await client.get("/")
    return await client.post(url, data={**data, "_csrf_token": csrf_from(client)}, follow_redirects=False)


async def test_applicant_rates_a_finished_dossier_once(client):
    built = await _finished()
    await login_as(client, built["applicant"])
    status = await client.get(f"/tra-cuu/{CODE}")
    assert f'href="/danh-gia/{CODE}"' in status.text
    form = await client.get(f"/danh-gia/{CODE}")
    assert form.status_code == 200 and "Rất hài lòng" in form.text and "Không hài lòng" in form.text
    missing = await _post(client, f"/danh-gia/{CODE}", {"comment": "Nhanh gọn"})
    assert missing.status_code == 422 and "Chọn mức độ hài lòng của bạn." in missing.text
    assert "Nhanh gọn" in missing.text  # what was typed is kept
    too_long = await _post(client, f"/danh-gia/{CODE}", {"score": "satisfied", "comment": "x" * 1001})
    assert too_long.status_code == 422 and "tối đa 1000 ký tự" in too_long.text
    sent = await _post(client, f"/danh-gia/{CODE}", {"score": "very_satisfied", "comment": "Cán bộ tận tình"})
    assert sent.status_code == 303
    again = await _post(client, f"/danh-gia/{CODE}", {"score": "dissatisfied"})
    assert again.status_code == 303
    rows = await Rating.select().where(Rating.dossier_id == built["dossier_id"])
    assert [(r["score"], r["comment"], r["via"]) for r in rows] == [
        ("very_satisfied", "Cán bộ tận tình", "account")
    ]
    shown = await client.get(f"/danh-gia/{CODE}")
    assert "Bạn đã đánh giá hồ sơ này" in shown.text and "Cán bộ tận tình" in shown.text
    assert '<form method="post" action="/danh-gia' not in shown.text


async def test_strangers_get_the_unknown_code_answer_and_the_receipt_key_works(client):
    built = await _finished()
    stranger = await make_user("la", full_name="Người Lạ", cccd="075190009999")
    await login_as(client, stranger)
    refused = await client.get(f"/danh-gia/{CODE}")
    unknown = await client.get("/danh-gia/000.00.01.H39-261123-9999")
    assert refused.status_code == unknown.status_code == 404
    assert refused.text.replace(CODE, "X") == unknown.text.replace("000.00.01.H39-261123-9999", "X")
    wrong = await _post(client, f"/danh-gia/{CODE}", {"score": "dissatisfied", "k": "0" * 16})
    assert wrong.status_code == 404
    key = (await Dossier.select(Dossier.lookup_key).where(Dossier.id == built["dossier_id"]).first())[
        "lookup_key"
    ]
    assert (await client.get(f"/danh-gia/{CODE}?k={key[::-1]}")).status_code == 404  # a wrong key
    client.cookies.clear()  # signed out
    by_key = await client.get(f"/danh-gia/{CODE}?k={key}")
    assert by_key.status_code == 200 and f'name="k" value="{key}"' in by_key.text
    sent = await _post(client, f"/danh-gia/{CODE}", {"score": "satisfied", "k": key})
    assert sent.status_code == 303
    assert await Rating.select(Rating.via, Rating.score).where(Rating.dossier_id == built["dossier_id"]) == [
        {"via": "receipt", "score": "satisfied"}
    ]
    assert (await client.post(f"/danh-gia/{CODE}", data={"score": "satisfied", "k": key})).status_code == 403


async def test_the_receipts_lookup_key_opens_the_rating(client):
    built = await _finished()
    await Dossier.update({Dossier.lookup_key: "ABCD2345"}).where(Dossier.id == built["dossier_id"])
    assert (await client.get(f"/danh-gia/{CODE}?k=abcd-2345")).status_code == 200
    assert (await client.get(f"/danh-gia/{CODE}?k=ABCD2346")).status_code == 404


async def test_an_unfinished_dossier_cannot_be_rated(client):
    built = await build_dossier()  # in processing
    await login_as(client, built["applicant"])
    page = await client.get(f"/danh-gia/{CODE}")
    assert "khi hồ sơ đã giải quyết xong" in page.text
    refused = await _post(client, f"/danh-gia/{CODE}", {"score": "satisfied"})
    assert refused.status_code == 422 and await Rating.count() == 0


async def test_complaint_answered_by_its_agency_and_published_without_personal_data(client):
    built = await build_dossier()
    bad = await _post(client, "/phan-anh/gui", {"kind": "complaint", "subject": "Chậm", "sender_name": "An"})
    assert bad.status_code == 422
    assert (
        "Nhập nội dung phản ánh, kiến nghị" in bad.text and "Nhập số điện thoại hoặc thư điện tử" in bad.text
    )
    assert "Chọn cơ quan nhận phản ánh" in bad.text and 'value="Chậm"' in bad.text
    wrong_code = await _post(
        client,
        "/phan-anh/gui",
        {
            "kind": "complaint",
            "subject": "Chậm",
            "content": "Hồ sơ trễ hẹn ba ngày.",
            "sender_name": "An",
            "sender_phone": "0912345678",
            "dossier_code": "000.00.01.H39-261123-9999",
        },
    )
    assert wrong_code.status_code == 422 and "Không có hồ sơ nào mang mã này" in wrong_code.text
    sent = await _post(
        client,
        "/phan-anh/gui",
        {
            "kind": "complaint",
            "subject": "Trễ hẹn trả kết quả",
            "content": "Hồ sơ của Nguyễn Thị Hằng trễ hẹn.",
            "sender_name": "Nguyễn Thị Hằng",
            "sender_phone": "0912 345 678",
            "dossier_code": CODE,
            "consent_publish": "1",
        },
    )
    assert sent.status_code == 303 and sent.headers["location"].startswith("/phan-anh/da-gui/PAKN-")
    row = await Complaint.select().first()
    assert row["due_on"] == (await get_calendar()).add_working_days(vn_today(), 10)
    confirmation = await client.get(sent.headers["location"])
    assert row["number"] in confirmation.text and "0912345678" not in confirmation.text

    await login_as(client, built["specialist"])  # another agency's specialist
    assert (await client.get(f"/can-bo/phan-anh/{row['id']}")).status_code == 404
    assert row["number"] not in (await client.get("/can-bo/phan-anh")).text

    await login_as(client, built["clerk"])  # the receiving agency's clerk
    listing = await client.get("/can-bo/phan-anh")
    assert row["number"] in listing.text
    short = await _post(client, f"/can-bo/phan-anh/{row['id']}", {"answer": "Ừ"})
    assert short.status_code == 422 and "ít nhất 10 ký tự" in short.text
    no_question = await _post(
        client, f"/can-bo/phan-anh/{row['id']}", {"answer": "Đã trả kết quả ngày 26.", "publish": "1"}
    )
    assert no_question.status_code == 422 and "Nhập nội dung câu hỏi để công khai" in no_question.text
    done = await _post(
        client,
        f"/can-bo/phan-anh/{row['id']}",
        {
            "answer": "Kết quả đã được trả ngày 26; xin lỗi vì sự chậm trễ.",
            "publish": "1",
            "public_question": "Hồ sơ đăng ký trễ hẹn trả kết quả.",
        },
    )
    assert done.status_code == 303
    again = await _post(client, f"/can-bo/phan-anh/{row['id']}", {"answer": "Trả lời lần thứ hai nữa."})
    assert again.status_code == 303
    assert (await Complaint.select(Complaint.answer).first())["answer"].startswith("Kết quả đã được trả")

    public = await client.get("/phan-anh")
    assert "Hồ sơ đăng ký trễ hẹn trả kết quả." in public.text and "xin lỗi vì sự chậm trễ" in public.text
    for personal in ("Nguyễn Thị Hằng", "0912345678", CODE):
        assert personal not in public.text


async def test_no_consent_no_publication(client):
    built = await build_dossier()
    sent = await feedback.submit_complaint(
        {
            "kind": "suggestion",
            "subject": "Thêm ghế chờ",
            "content": "Phòng chờ thiếu ghế ngồi.",
            "sender_name": "Bình",
            "sender_email": "binh@example.vn",
            "dossier_code": CODE,
        }
    )
    await login_as(client, built["clerk"])
    refused = await _post(
        client,
        f"/can-bo/phan-anh/{sent['id']}",
        {"answer": "Đã bổ sung mười ghế chờ.", "publish": "1", "public_question": "Thiếu ghế"},
    )
    assert refused.status_code == 422 and "Người gửi không đồng ý công khai" in refused.text
    assert await feedback.published_answers() == []


async def test_counts_by_agency_for_the_dashboard(db):
    built = await _finished()
    agency = (await Dossier.select(Dossier.receiving_agency).first())["receiving_agency"]
    await feedback.rate(CODE, type("U", (), {"id": built["applicant"]["id"]})(), "dissatisfied", "Chậm")
    c1 = await feedback.submit_complaint(
        {
            "kind": "complaint",
            "subject": "Chậm",
            "content": "Hồ sơ trễ hẹn nhiều ngày.",
            "sender_name": "An",
            "sender_phone": "0912345678",
            "dossier_code": CODE,
        }
    )
    await feedback.submit_complaint(
        {
            "kind": "complaint",
            "subject": "Thái độ",
            "content": "Cán bộ không hướng dẫn.",
            "sender_name": "An",
            "sender_phone": "0912345678",
            "dossier_code": CODE,
        }
    )
    admin = type("U", (), {"id": None, "grants": frozenset({(agency, "province_admin")})})()
    await feedback.answer_complaint(c1["id"], admin, "Đã chấn chỉnh cán bộ tiếp nhận.")
    today = vn_today()
    ratings = await feedback.rating_counts(today - timedelta(days=1), today)
    assert ratings == {agency: {"very_satisfied": 0, "satisfied": 0, "dissatisfied": 1, "total": 1}}
    assert await feedback.rating_counts(today - timedelta(days=9), today - timedelta(days=2)) == {}
    later = c1["due_on"] + timedelta(days=1)
    counts = await feedback.complaint_counts(today, today, today=later)
    assert counts == {agency: {"received": 2, "answered": 1, "answered_on_time": 1, "overdue": 1}}
    assert await feedback.complaint_counts(today, today, agency_ids=[agency + 1]) == {}


async def test_the_status_pages_rating_link_carries_the_lookup_key(client):
    """One secret: the status page opened with the receipt's key links to the rating with that key."""
    built = await _finished()
    row = await Dossier.select(Dossier.lookup_key).where(Dossier.id == built["dossier_id"]).first()
    assert not hasattr(feedback, "rating_key")
    status = await client.get(f"/tra-cuu/{CODE}?k={row['lookup_key']}")
    assert status.status_code == 200 and f'href="/danh-gia/{CODE}?k={row["lookup_key"]}"' in status.text
    assert (await client.get(f"/danh-gia/{CODE}?k={row['lookup_key']}")).status_code == 200
