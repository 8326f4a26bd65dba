"""One ZIP archive of everything motcua holds about the signed-in person (``GET /tai-khoan/du-lieu-cua-toi``).

The archive holds, in Vietnamese-named folders a citizen can browse:

- ``tai-khoan.json``: the account (name, CCCD, birth date, contacts, how it was verified, roles);
- ``ho-so/<code>/ho-so.json`` per dossier they are the applicant of (their account, or a counter dossier
  under their e-ID-proven CCCD, as on "my dossiers"): the answers, the applicant block, the route, the
  events (what happened, when, at which agency — not which staff member: that is the officer's own
  personal data), fees and payments; ``tep-dinh-kem/`` the files uploaded; ``giay-to/`` every
  generated document (receipts, guides, results) that was rendered;
- ``thong-bao.json``: the messages sent to them (in-app, e-mail, SMS) and their delivery status;
- ``danh-gia-phan-anh.json``: their ratings, complaints and suggestions with the answers;
- ``nhat-ky-truy-cap.json``: every read of their dossiers by staff (when, which agency, which role,
  what was opened), from the audit log (``core.dossiers.reads``).

It is built into a temporary file (uploads can be large) that the caller streams and deletes.
Draft dossiers are included: they are data the person gave.
"""

from __future__ import annotations

import json
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import asdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

from core.contract.vntime import VN_TZ

__all__ = ("build_archive", "archive_name")

_README = """Dữ liệu cá nhân của bạn trên hệ thống một cửa (motcua)

Tệp này gồm mọi dữ liệu hệ thống đang lưu về bạn, theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân:
- tai-khoan.json: thông tin tài khoản;
- ho-so/<mã hồ sơ>/: từng hồ sơ của bạn (ho-so.json: thông tin kê khai, quá trình xử lý, phí, lệ phí;
  tep-dinh-kem/: các tệp bạn đã nộp; giay-to/: giấy tiếp nhận, hướng dẫn, kết quả đã cấp);
- thong-bao.json: các thông báo đã gửi cho bạn;
- danh-gia-phan-anh.json: đánh giá, phản ánh, kiến nghị của bạn và trả lời;
- nhat-ky-truy-cap.json: những lần cán bộ mở hồ sơ của bạn (thời điểm, cơ quan, vai trò, nội dung đã mở).
Các tệp .json mở được bằng trình soạn thảo văn bản. Hãy cất giữ tệp này cẩn thận: nó chứa dữ liệu cá nhân.
"""


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return value


def _json(value: Any) -> str:
    return json.dumps(_plain(value), ensure_ascii=False, indent=2, sort_keys=True)


def _safe(name: str, limit: int = 80) -> str:
    """A file name safe in any archive tool: no folders, no control characters."""
    cleaned = "".join(c if c.isalnum() or c in "-_." else "-" for c in name).strip(".-")
    return (cleaned or "tep")[:limit]


def archive_name(user: Any) -> str:
    return f"du-lieu-ca-nhan-{_safe(user.username, 40)}-{datetime.now(VN_TZ).date().isoformat()}.zip"


async def _account(user: Any) -> dict[str, Any]:
    from core.identity.tables import Agency, RoleGrant, User

    row = (
        await User.select(
            User.username,
            User.full_name,
            User.cccd,
            User.birth_date,
            User.sex,
            User.phone,
            User.email,
            User.created_at,
            User.eid_verified_at,
        )
        .where(User.id == user.id)
        .first()
    ) or {}
    grants = await RoleGrant.select(RoleGrant.role, RoleGrant.agency).where(RoleGrant.user == user.id)
    names = {
        a["id"]: a["name"]
        for a in await Agency.select(Agency.id, Agency.name).where(
            Agency.id.is_in([g["agency"] for g in grants] or [-1])
        )
    }
    row["roles"] = [{"role": g["role"], "agency": names.get(g["agency"], "")} for g in grants]
    return row


def _dossier_record(
    view: Any, events: Iterable[Any], fees: Any, payments: Any, files: Any, docs: Any
) -> dict:
    d = asdict(view)
    d.pop("lookup_key", None)  # a secret for the public look-up, not data about the person
    d["events"] = [
        {
            "at": e.at,
            "action": e.action,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "agency": e.agency_name,
            "step": e.step_id,
            "note": e.note,
        }
        for e in events
    ]
    d["fees"] = fees
    d["payments"] = payments
    d["attachments"] = files
    d["documents"] = [
        {k: doc.get(k) for k in ("id", "kind", "title", "number", "status", "created_at", "sha256")}
        for doc in docs
    ]
    return d


async def _reads_of(codes: dict[str, str]) -> list[dict[str, Any]]:
    """Staff reads of these dossiers (code → code), oldest first, without the reader's identity."""
    from core.audit.tables import AuditEntry
    from core.dossiers import reads
    from core.identity.tables import Agency

    if not codes:
        return []
    rows = (
        await AuditEntry.select(AuditEntry.at, AuditEntry.object_id, AuditEntry.data)
        .where((AuditEntry.action == reads.READ_ACTION) & AuditEntry.object_id.is_in(list(codes)))
        .order_by(AuditEntry.at)
        .output(load_json=True)
    )
    agency_codes = sorted({str((r["data"] or {}).get("agency") or "") for r in rows} - {""})
    names = (
        {
            a["code"]: a["name"]
            for a in await Agency.select(Agency.code, Agency.name).where(Agency.code.is_in(agency_codes))
        }
        if agency_codes
        else {}
    )
    out = []
    for r in rows:
        data = r["data"] or {}
        out.append(
            {
                "at": r["at"],
                "dossier": r["object_id"],
                "agency": names.get(str(data.get("agency") or ""), "")
                or ("Quản trị viên tỉnh" if data.get("reason") == "province_admin" else ""),
                "roles": data.get("roles") or [],
                "opened": data.get("path") or data.get("route") or "",
            }
        )
    return out


async def build_archive(user: Any) -> Path:
    """Write the person's archive to a new temporary file and return its path (the caller deletes it)."""
    from core.documents import service as documents
    from core.dossiers import attachments, drafts, service
    from core.dossiers.tables import Dossier
    from core.feedback.tables import Complaint, Rating
    from core.fees import service as fees
    from core.notify.tables import Notification
    from core.settings import get_settings

    files_dir = get_settings().files_dir
    handle = tempfile.NamedTemporaryFile(prefix="motcua-export-", suffix=".zip", delete=False)  # noqa: SIM115
    path = Path(handle.name)
    handle.close()
    dossier_rows = (
        await Dossier.select(Dossier.id, Dossier.code).where(drafts._mine_where(user)).order_by(Dossier.id)
    )
    codes: dict[str, str] = {}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("DOC-TOI.txt", _README)
        z.writestr("tai-khoan.json", _json(await _account(user)))
        for row in dossier_rows:
            ref = row["code"] or f"nhap-{row['id']}"
            if row["code"]:
                codes[row["code"]] = row["code"]
            folder = f"ho-so/{_safe(ref)}"
            view = await service.get(row["id"])
            files = await attachments.list_for(row["id"])
            docs = await documents.documents_for(row["id"])
            record = _dossier_record(
                view,
                await service.events(row["id"]),
                await fees.fee_lines(row["id"]),
                await fees.payments(row["id"]),
                files,
                docs,
            )
            z.writestr(f"{folder}/ho-so.json", _json(record))
            stored = {
                a["id"]: a["path"]
                for a in await attachments.Attachment.select(
                    attachments.Attachment.id, attachments.Attachment.path
                ).where(attachments.Attachment.dossier == row["id"])
            }
            for f in files:
                source = files_dir / stored.get(f["id"], "")
                if source.is_file():
                    z.write(source, f"{folder}/tep-dinh-kem/{f['id']}-{_safe(f['filename'])}")
            for doc in docs:
                source = files_dir / (doc.get("path") or "")
                if doc.get("status") == "ready" and source.is_file():
                    title = _safe(str(doc.get("title") or doc.get("kind") or "giay-to"))
                    z.write(source, f"{folder}/giay-to/{doc['id']}-{title}.pdf")
        notes = (
            await Notification.select(
                Notification.created_at,
                Notification.channel,
                Notification.to_address,
                Notification.subject,
                Notification.body,
                Notification.status,
                Notification.sent_at,
                Notification.read_at,
            )
            .where(Notification.recipient == user.id)
            .order_by(Notification.id)
        )
        z.writestr("thong-bao.json", _json(notes))
        ids = [r["id"] for r in dossier_rows]
        ratings = await Rating.select(
            Rating.dossier_id, Rating.score, Rating.comment, Rating.created_at
        ).where(Rating.dossier_id.is_in(ids or [-1]))
        complaints = await Complaint.select(
            Complaint.number,
            Complaint.kind,
            Complaint.subject,
            Complaint.content,
            Complaint.sender_name,
            Complaint.sender_phone,
            Complaint.sender_email,
            Complaint.status,
            Complaint.created_at,
            Complaint.answer,
            Complaint.answered_at,
        ).where(Complaint.user_id == user.id)
        z.writestr("danh-gia-phan-anh.json", _json({"ratings": ratings, "complaints": complaints}))
        z.writestr("nhat-ky-truy-cap.json", _json(await _reads_of(codes)))
    path.chmod(0o600)
    return path
