"""The dossier data set sent to the national portal (TT 04/2025/TT-VPCP; field names as the portal's
dossier-sync interface spells them, see docs/integration.md) and the portal's status codes."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from core.contract.vntime import VN_TZ

__all__ = (
    "PORTAL_STATUS",
    "CHANNEL_CODES",
    "portal_status",
    "message_for",
    "iso",
    "payments_of",
    "ratings_of",
)

PORTAL_STATUS: dict[str, str] = {
    "submitted": "1",
    "received": "2",
    "refused": "3",
    "in_processing": "4",
    "suspended": "4",
    "supplement_requested": "5",
    "result_approved": "9",
    "result_refused": "9",
    "result_ready": "9",
    "returned": "10",
    "stopped": "8",
    "closed": "8",
}
"""Our states → the portal's ``TrangThaiHoSo``: 1 new (submitted online), 2 received, 3 refused at
intake, 4 in processing, 5 supplement requested, 8 processing stopped, 9 processed (result out),
10 result returned. A suspension stays 4 with ``TamDung`` set; the refusal after appraisal is 9 with
``KetQua`` = ``tu_choi``."""

CHANNEL_CODES = {"truc_tiep": "1", "truc_tuyen": "2", "buu_chinh": "3"}
"""``KenhThucHien``: 1 at the counter, 2 online, 3 by public post."""


def portal_status(state: str) -> str:
    """The portal's status code of one of our states (``""`` for a draft, which is never sent)."""
    return PORTAL_STATUS.get(state, "")


def iso(moment: datetime | None) -> str | None:
    """A moment as the portal reads it: ISO 8601 in Vietnam time (``2026-12-03T14:05:00+07:00``)."""
    return moment.astimezone(VN_TZ).isoformat(timespec="seconds") if moment else None


def _payment(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "SoTien": row["amount"],
        "HinhThuc": row["method"],
        "NgayThanhToan": iso(row["paid_at"]),
        "SoBienLai": row["receipt_number"] or "",
        "MaGiaoDich": row["reference"] or "",
    }


async def payments_of(dossier_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """Settled payments (``ThanhToan`` items) per dossier, in one query."""
    from core.fees.tables import Payment

    ids = list(dossier_ids)
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    rows = (
        await Payment.select()
        .where(Payment.dossier.is_in(ids) & (Payment.kind == "payment") & (Payment.status == "paid"))
        .order_by(Payment.id)
    )
    for row in rows:
        out[row["dossier"]].append(_payment(row))
    return out


async def ratings_of(dossier_ids: Iterable[int]) -> dict[int, list[dict[str, Any]]]:
    """The applicant's rating (``DanhGia`` items: ``MucDo``, ``NgayDanhGia``) per dossier, one query."""
    from core.feedback.tables import Rating

    ids = list(dossier_ids)
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in await Rating.select().where(Rating.dossier_id.is_in(ids)).order_by(Rating.id):
        out[row["dossier_id"]].append({"MucDo": row["score"], "NgayDanhGia": iso(row["created_at"])})
    return out


async def message_for(dossier_id: int, message_id: str, *, changed_at: datetime) -> dict[str, Any]:
    """The data set of the dossier as it is now, as message ``message_id`` (``MaThongDiep``).

    ``PhienBan`` is the dossier's version: the portal keeps the highest it has seen, so a message
    retried late never overwrites a newer one.
    """
    from core.catalogue.registry import get_catalogue
    from core.dossiers import service

    view = await service.get(dossier_id)
    proc = get_catalogue().procedure(view.procedure_code)
    payments = (await payments_of([dossier_id]))[dossier_id]
    ratings = (await ratings_of([dossier_id]))[dossier_id]
    return {
        "MaThongDiep": message_id,
        "MaHoSo": view.code,
        "PhienBan": view.version,
        "MaTTHC": view.procedure_code,
        "TenTTHC": proc.name.vi if proc is not None else "",
        "MaCoQuan": view.receiving_agency.code,
        "TenCoQuan": view.receiving_agency.name,
        "KenhThucHien": CHANNEL_CODES.get(view.channel, "1"),
        "ChuHoSo": {"HoTen": view.applicant_name, "SoDinhDanh": view.applicant_id_number},
        "TrangThaiHoSo": portal_status(view.state),
        "TrangThaiNoiBo": view.state,
        "TamDung": view.state == "suspended",
        "KetQua": "tu_choi" if view.state == "result_refused" else "",
        "NgayNopHoSo": iso(view.submitted_at),
        "NgayTiepNhan": iso(view.received_at),
        "NgayHenTra": iso(view.appointment_at),
        "NgayKetThucXuLy": iso(view.finished_at),
        "NgayTraKetQua": iso(view.returned_at),
        "QuaHan": bool(view.late),
        "ThanhToan": payments,
        "DanhGia": ratings,
        "NgayCapNhat": iso(changed_at),
    }
