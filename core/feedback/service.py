"""Ratings and complaints: who may rate, the once-per-dossier rule, complaints with their time limit,
staff answers, the published answers, and the counts the leaders' dashboard reads.

* ``rate`` — a finished dossier, by its applicant (signed in) or the holder of the receipt's status
  look-up key (``codes.lookup_key_matches``: one secret for the status page and the rating); once per
  dossier (a unique row, so two racing requests rate once);
* ``submit_complaint`` / ``answer_complaint`` — phản ánh, kiến nghị, answered within
  ``COMPLAINT_DAYS`` working days; the answer is published, without personal data, when the sender
  agreed;
* ``rating_counts`` / ``complaint_counts`` — set-based counts by agency over a period.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from piccolo.query.functions.aggregate import Count

from core.audit import chain as audit
from core.contract.errors import Conflict, InvalidInput, NotFound
from core.contract.vntime import VN_TZ, vn_today
from core.db.tx import write_tx
from core.dossiers.codes import lookup_key_matches
from core.dossiers.tables import Dossier
from core.feedback.tables import Complaint, Rating
from core.identity.tables import Agency

__all__ = (
    "SCORES",
    "KINDS",
    "COMMENT_MAX",
    "COMPLAINT_DAYS",
    "RATEABLE_STATES",
    "rating_target",
    "rate",
    "rating_of",
    "submit_complaint",
    "answer_complaint",
    "complaint",
    "complaints_for_staff",
    "published_answers",
    "rating_counts",
    "complaint_counts",
)

SCORES: dict[str, str] = {
    "very_satisfied": "Rất hài lòng",
    "satisfied": "Hài lòng",
    "dissatisfied": "Không hài lòng",
}
"""The satisfaction scale (REGULATIONS §4.1), in the order it is offered."""

KINDS: dict[str, str] = {"complaint": "Phản ánh", "suggestion": "Kiến nghị"}
COMMENT_MAX = 1000
SUBJECT_MAX = 200
CONTENT_MAX = 4000
ANSWER_MAX = 4000
NAME_MAX = 120
CODE_MAX = 64
PHONE_MAX = 20
COMPLAINT_DAYS = 10
"""Working days to answer a complaint or suggestion from the day it is received (REGULATIONS §4.3)."""
RATEABLE_STATES = frozenset({"returned", "refused", "stopped", "closed"})
"""Finished dossiers (nothing happens to them any more)."""

_PHONE = re.compile(r"^(?:\+84|0)\d{9,10}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


async def rating_target(code: str, user: Any, key: str = "") -> dict[str, Any]:
    """The dossier ``code`` when ``user`` (its applicant) or ``key`` may rate it, with its rating.

    Raises:
        NotFound: Unknown code, or neither the applicant nor the right key (the same answer, so the
            rating page tells a stranger nothing about the dossier).
    """
    row = (
        await Dossier.select(
            Dossier.id,
            Dossier.code,
            Dossier.state,
            Dossier.applicant,
            Dossier.receiving_agency,
            Dossier.lookup_key,
        )
        .where(Dossier.code == code)
        .first()
    )
    if row is None:
        raise NotFound("Không tìm thấy hồ sơ.")
    by_account = (
        user is not None and row["applicant"] is not None and row["applicant"] == getattr(user, "id", None)
    )
    # the receipt's look-up key (printed on form 01 and in its QR): the one secret of the status page
    by_key = lookup_key_matches(row.pop("lookup_key"), key)
    if not (by_account or by_key):
        raise NotFound("Không tìm thấy hồ sơ.")
    return {**row, "via": "account" if by_account else "receipt", "rating": await rating_of(row["id"])}


async def rating_of(dossier_id: int) -> dict[str, Any] | None:
    return await Rating.select().where(Rating.dossier_id == dossier_id).first()


async def rate(code: str, user: Any, score: str, comment: str = "", key: str = "") -> dict[str, Any]:
    """Record the rating of a finished dossier, once.

    Raises:
        NotFound: See ``rating_target``.
        InvalidInput: No or unknown score, comment too long, the dossier not finished yet.
        Conflict: Already rated.
    """
    target = await rating_target(code, user, key)
    comment = (comment or "").strip()
    errors: list[tuple[str | None, str]] = []
    if score not in SCORES:
        errors.append(("score", "Chọn mức độ hài lòng của bạn."))
    if len(comment) > COMMENT_MAX:
        errors.append(("comment", f"Góp ý dài tối đa {COMMENT_MAX} ký tự (bạn đã nhập {len(comment)})."))
    if target["state"] not in RATEABLE_STATES:
        errors.append((None, "Hồ sơ chưa giải quyết xong; bạn đánh giá được khi đã nhận kết quả."))
    if errors:
        raise InvalidInput("Đánh giá chưa hợp lệ.", errors)
    now = datetime.now(UTC)
    async with write_tx():
        if await Rating.exists().where(Rating.dossier_id == target["id"]):
            raise Conflict("Hồ sơ này đã được đánh giá; mỗi hồ sơ chỉ đánh giá một lần.")
        row = Rating(
            dossier_id=target["id"],
            agency_id=target["receiving_agency"],
            score=score,
            comment=comment,
            via=target["via"],
            created_at=now,
        )
        await row.save()
        agency = await Agency.select(Agency.code).where(Agency.id == target["receiving_agency"]).first()
        await audit.append(
            "feedback.rated",
            actor_id=getattr(user, "id", None) if target["via"] == "account" else None,
            chain=f"agency:{agency['code']}" if agency else "global",
            object_type="dossier",
            object_id=code,
            data={"score": score, "via": target["via"]},
        )
    return {"id": row.id, "score": score, "comment": comment}


def _check_complaint(values: dict[str, str]) -> list[tuple[str, str]]:
    errors: list[tuple[str, str]] = []
    if values["kind"] not in KINDS:
        errors.append(("kind", "Chọn phản ánh hay kiến nghị."))
    if not values["subject"]:
        errors.append(("subject", "Nhập tiêu đề."))
    elif len(values["subject"]) > SUBJECT_MAX:
        errors.append(("subject", f"Tiêu đề dài tối đa {SUBJECT_MAX} ký tự."))
    if len(values["content"]) < 10:
        errors.append(("content", "Nhập nội dung phản ánh, kiến nghị (ít nhất 10 ký tự)."))
    elif len(values["content"]) > CONTENT_MAX:
        errors.append(
            ("content", f"Nội dung dài tối đa {CONTENT_MAX} ký tự (bạn đã nhập {len(values['content'])}).")
        )
    if not values["sender_name"]:
        errors.append(("sender_name", "Nhập họ và tên của bạn."))
    elif len(values["sender_name"]) > NAME_MAX:
        errors.append(("sender_name", f"Họ và tên dài tối đa {NAME_MAX} ký tự."))
    if len(values["dossier_code"]) > CODE_MAX:
        errors.append(("dossier_code", f"Mã hồ sơ dài tối đa {CODE_MAX} ký tự; xem mã trên giấy tiếp nhận."))
    if len(values["agency_id"]) > 12 or (values["agency_id"] and not values["agency_id"].isdigit()):
        errors.append(("agency_id", "Chọn cơ quan nhận phản ánh, kiến nghị trong danh sách."))
    phone = values["sender_phone"].replace(" ", "").replace(".", "")
    if len(phone) > PHONE_MAX:
        errors.append(("sender_phone", f"Số điện thoại dài tối đa {PHONE_MAX} ký tự, ví dụ 0912345678."))
    elif phone and not _PHONE.match(phone):
        errors.append(("sender_phone", "Số điện thoại gồm 10 chữ số, ví dụ 0912345678."))
    email = values["sender_email"]
    if email and (len(email) > 254 or not _EMAIL.match(email)):
        errors.append(("sender_email", "Địa chỉ thư điện tử chưa đúng, ví dụ ten@example.vn."))
    if not phone and not email:
        errors.append(("sender_phone", "Nhập số điện thoại hoặc thư điện tử để nhận trả lời."))
    return errors


async def submit_complaint(values: dict[str, Any], *, user: Any = None) -> dict[str, Any]:
    """Receive a complaint or suggestion; about a dossier (its agency answers) or an agency.

    Args:
        values: ``kind``, ``subject``, ``content``, ``sender_name``, ``sender_phone``, ``sender_email``,
            ``dossier_code`` (optional), ``agency_id`` (when no dossier), ``consent_publish``.
        user: The signed-in sender, if any.

    Returns:
        ``{"id", "number", "due_on"}``.

    Raises:
        InvalidInput: With field errors.
    """
    from core.clock.calendar import get_calendar

    v = {
        k: str(values.get(k, "") or "").strip()
        for k in (
            "kind",
            "subject",
            "content",
            "sender_name",
            "sender_phone",
            "sender_email",
            "dossier_code",
            "agency_id",
        )
    }
    errors = _check_complaint(v)
    dossier_id = None
    agency_id: int | None = None
    if v["dossier_code"] and len(v["dossier_code"]) <= CODE_MAX:
        d = (
            await Dossier.select(Dossier.id, Dossier.receiving_agency)
            .where(Dossier.code == v["dossier_code"].upper())
            .first()
        )
        if d is None:
            errors.append(("dossier_code", "Không có hồ sơ nào mang mã này; xem mã trên giấy tiếp nhận."))
        else:
            dossier_id, agency_id = d["id"], d["receiving_agency"]
    elif not v["dossier_code"]:
        if (
            v["agency_id"].isdigit()
            and len(v["agency_id"]) <= 12
            and await Agency.exists().where(Agency.id == int(v["agency_id"]))
        ):
            agency_id = int(v["agency_id"])
        elif not any(f == "agency_id" for f, _m in errors):
            errors.append(("agency_id", "Chọn cơ quan nhận phản ánh, kiến nghị (hoặc nhập mã hồ sơ)."))
    if errors or agency_id is None:
        raise InvalidInput("Phản ánh, kiến nghị chưa hợp lệ.", errors)
    received = vn_today()
    due_on = (await get_calendar()).add_working_days(received, COMPLAINT_DAYS)
    now = datetime.now(UTC)
    async with write_tx():
        row = Complaint(
            number="",
            kind=v["kind"],
            agency_id=agency_id,
            dossier_id=dossier_id,
            subject=v["subject"],
            content=v["content"],
            sender_name=v["sender_name"],
            sender_phone=v["sender_phone"].replace(" ", "").replace(".", ""),
            sender_email=v["sender_email"],
            user_id=getattr(user, "id", None),
            consent_publish=str(values.get("consent_publish", "")) in ("1", "on", "true", "yes"),
            status="open",
            due_on=due_on,
            created_at=now,
        )
        await row.save()
        number = f"PAKN-{received.year}-{row.id:06d}"
        await Complaint.update({Complaint.number: number}).where(Complaint.id == row.id)
    return {"id": row.id, "number": number, "due_on": due_on}


def _staff_agencies(user: Any) -> set[int] | None:
    """Agencies whose complaints ``user`` answers; None: all (a province administrator)."""
    grants = getattr(user, "grants", ()) or ()
    if any(role == "province_admin" for _agency, role in grants):
        return None
    return {agency for agency, role in grants if role != "citizen"}


async def complaints_for_staff(user: Any, status: str = "open", limit: int = 100) -> list[dict[str, Any]]:
    """Complaints at the agencies of ``user``, the oldest due first (one query)."""
    q = Complaint.select(
        Complaint.id,
        Complaint.number,
        Complaint.kind,
        Complaint.subject,
        Complaint.status,
        Complaint.due_on,
        Complaint.created_at,
        Complaint.agency_id,
        Complaint.answered_at,
    ).where(Complaint.status == status)
    agencies = _staff_agencies(user)
    if agencies is not None:
        if not agencies:
            return []
        q = q.where(Complaint.agency_id.is_in(list(agencies)))
    return await q.order_by(Complaint.due_on).order_by(Complaint.id).limit(limit)


async def complaint(complaint_id: int, user: Any) -> dict[str, Any]:
    """One complaint for a staff member of its agency (404 otherwise)."""
    row = await Complaint.select().where(Complaint.id == complaint_id).first()
    agencies = _staff_agencies(user)
    if row is None or (agencies is not None and row["agency_id"] not in agencies):
        raise NotFound("Không tìm thấy phản ánh, kiến nghị.")
    if row["dossier_id"]:
        d = await Dossier.select(Dossier.code).where(Dossier.id == row["dossier_id"]).first()
        row["dossier_code"] = d["code"] if d else ""
    return row


async def answer_complaint(
    complaint_id: int, user: Any, answer: str, publish: bool = False, public_question: str = ""
) -> dict[str, Any]:
    """Answer (once); publish the question and answer when the sender agreed and staff ask for it.

    Raises:
        NotFound: Not a complaint of the user's agencies.
        InvalidInput: Empty or too long answer; publishing without the sender's consent or without a
            question written for publication.
        Conflict: Already answered.
    """
    row = await complaint(complaint_id, user)
    answer, public_question = (answer or "").strip(), (public_question or "").strip()
    errors = []
    if len(answer) < 10:
        errors.append(("answer", "Nhập nội dung trả lời (ít nhất 10 ký tự)."))
    elif len(answer) > ANSWER_MAX:
        errors.append(("answer", f"Trả lời dài tối đa {ANSWER_MAX} ký tự."))
    if publish and not row["consent_publish"]:
        errors.append(("publish", "Người gửi không đồng ý công khai; không thể công khai trả lời này."))
    if publish and not public_question:
        errors.append(("public_question", "Nhập nội dung câu hỏi để công khai (đã bỏ thông tin cá nhân)."))
    elif len(public_question) > CONTENT_MAX:
        errors.append(("public_question", f"Nội dung công khai dài tối đa {CONTENT_MAX} ký tự."))
    if errors:
        raise InvalidInput("Trả lời chưa hợp lệ.", errors)
    now = datetime.now(UTC)
    async with write_tx():
        done = (
            await Complaint.update(
                {
                    Complaint.status: "answered",
                    Complaint.answer: answer,
                    Complaint.answered_by: getattr(user, "id", None),
                    Complaint.answered_at: now,
                    Complaint.published: bool(publish),
                    Complaint.public_question: public_question if publish else "",
                }
            )
            .where((Complaint.id == complaint_id) & (Complaint.status == "open"))
            .returning(Complaint.id)
        )
        if not done:
            raise Conflict("Phản ánh, kiến nghị này đã được trả lời.")
        agency = await Agency.select(Agency.code).where(Agency.id == row["agency_id"]).first()
        await audit.append(
            "feedback.complaint_answered",
            actor_id=getattr(user, "id", None),
            chain=f"agency:{agency['code']}" if agency else "global",
            object_type="complaint",
            object_id=row["number"],
            data={"published": bool(publish), "on_time": vn_today() <= row["due_on"]},
        )
    return {**row, "status": "answered", "answer": answer}


async def published_answers(limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Published answers, newest first, with no personal data (no name, contact, dossier or content)."""
    rows = await (
        Complaint.select(
            Complaint.number,
            Complaint.kind,
            Complaint.subject,
            Complaint.public_question,
            Complaint.answer,
            Complaint.answered_at,
            Complaint.created_at,
            Complaint.agency_id.as_alias("agency_id"),
        )
        .where(Complaint.published == True)  # noqa: E712 (a Piccolo expression)
        .order_by(Complaint.answered_at, ascending=False)
        .limit(limit)
        .offset(offset)
    )
    names = {
        a["id"]: a["name"]
        for a in await Agency.select(Agency.id, Agency.name).where(
            Agency.id.is_in(list({r["agency_id"] for r in rows}) or [0])
        )
    }
    return [{**r, "agency_name": names.get(r["agency_id"], "")} for r in rows]


def _period(start: date, end: date) -> tuple[datetime, datetime]:
    """[start 00:00, end+1 00:00) in Vietnam's time, as UTC instants."""
    return (
        datetime.combine(start, time(), VN_TZ).astimezone(UTC),
        datetime.combine(end + timedelta(days=1), time(), VN_TZ).astimezone(UTC),
    )


async def rating_counts(
    start: date, end: date, agency_ids: list[int] | None = None
) -> dict[int, dict[str, int]]:
    """``{agency_id: {score: n, "total": n}}`` of the ratings given from ``start`` to ``end`` (one query)."""
    lo, hi = _period(start, end)
    q = (
        Rating.select(Rating.agency_id, Rating.score, Count(Rating.id).as_alias("n"))
        .where((Rating.created_at >= lo) & (Rating.created_at < hi))
        .group_by(Rating.agency_id, Rating.score)
    )
    if agency_ids is not None:
        q = q.where(Rating.agency_id.is_in(agency_ids or [0]))
    out: dict[int, dict[str, int]] = {}
    for r in await q:
        counts = out.setdefault(r["agency_id"], {**dict.fromkeys(SCORES, 0), "total": 0})
        counts[r["score"]] = r["n"]
        counts["total"] += r["n"]
    return out


async def complaint_counts(
    start: date, end: date, agency_ids: list[int] | None = None, today: date | None = None
) -> dict[int, dict[str, int]]:
    """``{agency_id: {"received", "answered", "answered_on_time", "overdue"}}`` of the complaints
    received from ``start`` to ``end``; ``overdue``: still open past their due day (one query)."""
    lo, hi = _period(start, end)
    today = today or vn_today()
    q = Complaint.select(
        Complaint.agency_id, Complaint.status, Complaint.due_on, Complaint.answered_at
    ).where((Complaint.created_at >= lo) & (Complaint.created_at < hi))
    if agency_ids is not None:
        q = q.where(Complaint.agency_id.is_in(agency_ids or [0]))
    out: dict[int, dict[str, int]] = {}
    for r in await q:
        c = out.setdefault(
            r["agency_id"], {"received": 0, "answered": 0, "answered_on_time": 0, "overdue": 0}
        )
        c["received"] += 1
        if r["status"] == "answered":
            c["answered"] += 1
            if r["answered_at"].astimezone(VN_TZ).date() <= r["due_on"]:
                c["answered_on_time"] += 1
        elif r["due_on"] < today:
            c["overdue"] += 1
    return out
