"""Activation of procedures and domains per agency, and the province's fee table (both run-time data).

A procedure is *available* at an agency iff its ``ProcedureActivation`` row there is enabled (no row:
not taken in) and its domain is not switched off there (a ``domain:<code>`` row with ``enabled`` false).
Every change is audited on the agency's chain (activation) or the global chain (fees).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.audit import chain as audit
from core.catalogue.registry import get_catalogue
from core.catalogue.tables import FeeAmount, ProcedureActivation
from core.contract.errors import InvalidInput, NotFound, Unavailable
from core.contract.specs import ProcedureSpec
from core.db.tx import is_postgres, raw, write_tx
from core.identity.tables import Agency

__all__ = (
    "DOMAIN_PREFIX",
    "FeeRow",
    "today_vn",
    "procedure_or_404",
    "is_enabled",
    "set_enabled",
    "set_domain_enabled",
    "available_codes",
    "available_procedures",
    "agencies_offering",
    "require_available",
    "activation_rows",
    "fee_rows",
    "fee_amounts",
    "set_fee",
    "list_fees",
)

DOMAIN_PREFIX = "domain:"
VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def today_vn() -> date:
    """Today's date in Vietnam (UTC+7), whatever the server's zone."""
    return datetime.now(VN_TZ).date()


def procedure_or_404(code: str) -> ProcedureSpec:
    """The procedure declared under ``code``, or ``NotFound`` with a Vietnamese message."""
    spec = get_catalogue().procedure(code)
    if spec is None:
        raise NotFound(f"Không có thủ tục hành chính mã '{code}' trong danh mục.")
    return spec


# --- Activation -------------------------------------------------------------------------------------


async def is_enabled(procedure_code: str, agency_id: int) -> bool:
    """Whether the agency takes in ``procedure_code`` now (procedure enabled, domain not disabled)."""
    spec = get_catalogue().procedure(procedure_code)
    if spec is None:
        return False
    rows = await ProcedureActivation.select(
        ProcedureActivation.procedure_code, ProcedureActivation.enabled
    ).where(
        (ProcedureActivation.agency == agency_id)
        & ProcedureActivation.procedure_code.is_in([procedure_code, DOMAIN_PREFIX + spec.domain])
    )
    state = {r["procedure_code"]: bool(r["enabled"]) for r in rows}
    return state.get(procedure_code, False) and state.get(DOMAIN_PREFIX + spec.domain, True)


async def _agency(agency_id: int) -> dict:
    row = (
        await Agency.select(Agency.id, Agency.code, Agency.name, Agency.active)
        .where(Agency.id == agency_id)
        .first()
    )
    if row is None:
        raise NotFound(f"Không có cơ quan mã số {agency_id}.")
    return row


async def _upsert(agency_id: int, key: str, domain: str, enabled: bool, actor_id: int | None) -> bool | None:
    """Write the switch row; returns the previous state (None when there was no row)."""
    now = datetime.now(UTC)
    if is_postgres():  # two admins switching the same cell at once: one waits (SQLite: the writer lock)
        await raw("SELECT pg_advisory_xact_lock(hashtext({}))", f"activation:{agency_id}:{key}")
    existing = (
        await ProcedureActivation.select(ProcedureActivation.id, ProcedureActivation.enabled)
        .where((ProcedureActivation.agency == agency_id) & (ProcedureActivation.procedure_code == key))
        .first()
    )
    if existing is None:
        await ProcedureActivation.insert(
            ProcedureActivation(
                agency=agency_id,
                procedure_code=key,
                domain=domain,
                enabled=enabled,
                changed_by=actor_id,
                changed_at=now,
            )
        )
        return None
    await ProcedureActivation.update(
        {
            ProcedureActivation.enabled: enabled,
            ProcedureActivation.domain: domain,
            ProcedureActivation.changed_by: actor_id,
            ProcedureActivation.changed_at: now,
        }
    ).where(ProcedureActivation.id == existing["id"])
    return bool(existing["enabled"])


async def set_enabled(
    procedure_code: str, agency_id: int, enabled: bool, *, actor_id: int | None = None
) -> None:
    """Enable or disable one procedure at one agency (audited on ``agency:<code>``).

    Dossiers already taken in are not affected; only new dossiers check availability.
    """
    spec = procedure_or_404(procedure_code)
    agency = await _agency(agency_id)
    async with write_tx():
        before = await _upsert(agency_id, procedure_code, spec.domain, enabled, actor_id)
        if before != enabled:
            await audit.append(
                "catalogue.procedure_enabled" if enabled else "catalogue.procedure_disabled",
                chain=f"agency:{agency['code']}",
                actor_id=actor_id,
                object_type="procedure",
                object_id=procedure_code,
                data={"agency_id": agency_id, "enabled": enabled},
            )


async def set_domain_enabled(
    domain: str, agency_id: int, enabled: bool, *, actor_id: int | None = None
) -> None:
    """Switch a whole plugin (domain) on or off at one agency (audited); its procedures' own rows are kept."""
    if domain not in get_catalogue().domains:
        raise NotFound(f"Không có lĩnh vực '{domain}' trong danh mục.")
    agency = await _agency(agency_id)
    async with write_tx():
        before = await _upsert(agency_id, DOMAIN_PREFIX + domain, domain, enabled, actor_id)
        if before is None and enabled:
            return  # no row already meant "on"; the row now records it explicitly
        if before != enabled:
            await audit.append(
                "catalogue.domain_enabled" if enabled else "catalogue.domain_disabled",
                chain=f"agency:{agency['code']}",
                actor_id=actor_id,
                object_type="domain",
                object_id=domain,
                data={"agency_id": agency_id, "enabled": enabled},
            )


_AVAILABLE_SQL = """
SELECT DISTINCT p.procedure_code AS code FROM procedure_activation p
JOIN agency a ON a.id = p.agency
WHERE p.enabled = {} AND p.procedure_code NOT LIKE {} AND a.active = {}%s
AND NOT EXISTS (SELECT 1 FROM procedure_activation d WHERE d.agency = p.agency
                AND d.procedure_code = {} || p.domain AND d.enabled = {})
"""


_OFFERED_ANYWHERE_SQL = """
SELECT v.column1 AS code FROM (VALUES %s) AS v
WHERE EXISTS (SELECT 1 FROM procedure_activation p JOIN agency a ON a.id = p.agency
              WHERE p.procedure_code = v.column1 AND p.enabled = {} AND a.active = {}
              AND NOT EXISTS (SELECT 1 FROM procedure_activation d WHERE d.agency = p.agency
                              AND d.procedure_code = {} || p.domain AND d.enabled = {}))
"""
"""Per declared code, stop at its first agency that takes it in: an index look-up each, where a
DISTINCT over every activation row would grow with agencies x procedures (bench/pages.py)."""


async def available_codes(agency_id: int | None = None, agency_code: str | None = None) -> set[str]:
    """Codes of the procedures available at one agency (by id or code), or at any agency (one query)."""
    declared = get_catalogue().procedures
    if agency_id is None and agency_code is None:
        if not declared:
            return set()
        codes = list(declared)
        rows = await raw(
            _OFFERED_ANYWHERE_SQL % ", ".join("({})" for _ in codes), *codes, True, True, DOMAIN_PREFIX, False
        )
        return {r["code"] for r in rows}
    args: list = [True, DOMAIN_PREFIX + "%", True]
    if agency_id is not None:
        extra, args = " AND a.id = {}", [*args, agency_id]
    else:
        extra, args = " AND a.code = {}", [*args, agency_code]
    rows = await raw(_AVAILABLE_SQL % extra, *args, DOMAIN_PREFIX, False)
    return {r["code"] for r in rows if r["code"] in declared}


async def available_procedures(agency_id: int) -> list[ProcedureSpec]:
    """The procedures the agency takes in now, in catalogue order."""
    codes = await available_codes(agency_id)
    return [p for code, p in get_catalogue().procedures.items() if code in codes]


async def agencies_offering(procedure_code: str) -> list[dict]:
    """Agencies that take in ``procedure_code`` now: ``[{id, code, name, address, phone, level}]`` by name."""
    spec = procedure_or_404(procedure_code)
    rows = await raw(
        """SELECT a.id, a.code, a.name, a.address, a.phone, a.level FROM procedure_activation p
        JOIN agency a ON a.id = p.agency
        WHERE p.procedure_code = {} AND p.enabled = {} AND a.active = {}
        AND NOT EXISTS (SELECT 1 FROM procedure_activation d WHERE d.agency = p.agency
                        AND d.procedure_code = {} AND d.enabled = {})
        ORDER BY a.name""",
        procedure_code,
        True,
        True,
        DOMAIN_PREFIX + spec.domain,
        False,
    )
    return [dict(r) for r in rows]


async def require_available(procedure_code: str, agency_id: int) -> ProcedureSpec:
    """The procedure, if ``agency_id`` takes it in now; otherwise ``Unavailable`` saying where to go.

    Called by the dossier engine when a new dossier is created or submitted (never for dossiers
    already in progress, which finish where they are).
    """
    spec = procedure_or_404(procedure_code)
    agency = await _agency(agency_id)
    if agency["active"] and await is_enabled(procedure_code, agency_id):
        return spec
    others = await agencies_offering(procedure_code)
    where = (
        "Có thể nộp tại: " + "; ".join(a["name"] for a in others[:5]) + "."
        if others
        else "Thủ tục này hiện không được tiếp nhận tại cơ quan nào của tỉnh."
    )
    if not agency["active"]:
        raise Unavailable(f"{agency['name']} đã ngừng hoạt động, không tiếp nhận hồ sơ mới. {where}")
    raise Unavailable(
        f'{agency["name"]} hiện không tiếp nhận thủ tục "{spec.name.vi}" ({spec.code}). {where}'
    )


async def activation_rows(agency_ids: Iterable[int] | None = None) -> dict[tuple[int, str], bool]:
    """Every switch row (``(agency_id, procedure_code or domain:<code>) -> enabled``), for the admin matrix."""
    query = ProcedureActivation.select(
        ProcedureActivation.agency, ProcedureActivation.procedure_code, ProcedureActivation.enabled
    )
    if agency_ids is not None:
        ids = list(agency_ids)
        if not ids:
            return {}
        query = query.where(ProcedureActivation.agency.is_in(ids))
    return {(r["agency"], r["procedure_code"]): bool(r["enabled"]) for r in await query}


# --- Fee table --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FeeRow:
    """One fee amount in force."""

    id: int
    fee_code: str
    procedure_code: str
    amount: int
    legal_basis: str
    effective_from: date | None
    effective_to: date | None


def _as_date(value) -> date | None:
    if value is None or isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, datetime):
        return value.date()
    return date.fromisoformat(str(value)[:10])


def _fee_row(r: dict) -> FeeRow:
    return FeeRow(
        id=r["id"],
        fee_code=r["fee_code"],
        procedure_code=r["procedure_code"],
        amount=int(r["amount"]),
        legal_basis=r["legal_basis"],
        effective_from=_as_date(r["effective_from"]),
        effective_to=_as_date(r["effective_to"]),
    )


async def fee_rows(procedure_code: str, on: date | None = None) -> dict[str, FeeRow]:
    """The fee amounts in force on ``on`` for ``procedure_code``, by fee code (one query).

    A row for the procedure overrides a generic row (empty ``procedure_code``); among rows of the same
    kind, the latest ``effective_from`` wins (then the latest row).
    """
    on = on or today_vn()
    rows = await FeeAmount.select().where(
        FeeAmount.procedure_code.is_in([procedure_code, ""])
        & (FeeAmount.effective_from.is_null() | (FeeAmount.effective_from <= on))
        & (FeeAmount.effective_to.is_null() | (FeeAmount.effective_to >= on))
    )
    parsed = sorted(
        (_fee_row(r) for r in rows),
        key=lambda f: (f.procedure_code != "", f.effective_from or date.min, f.id),
    )
    return {f.fee_code: f for f in parsed}


async def fee_amounts(procedure_code: str, on: date | None = None) -> dict[str, int]:
    """``{fee_code: amount in VND}`` in force on ``on`` (today in Vietnam by default)."""
    return {code: f.amount for code, f in (await fee_rows(procedure_code, on)).items()}


async def set_fee(
    fee_code: str,
    amount: int,
    *,
    effective_from: date,
    procedure_code: str = "",
    legal_basis: str = "",
    effective_to: date | None = None,
    actor_id: int | None = None,
) -> int:
    """Record a fee amount from ``effective_from`` (a new row; rows are never edited). Audited.

    Raises:
        InvalidInput: with a Vietnamese message per faulty field.
    """
    errors: list[tuple[str, str]] = []
    fee_code = (fee_code or "").strip()
    procedure_code = (procedure_code or "").strip()
    if not fee_code:
        errors.append(("fee_code", "Nhập mã khoản phí, lệ phí (ví dụ: le_phi_dang_ky)."))
    elif len(fee_code) > 64:
        errors.append(("fee_code", "Mã khoản phí, lệ phí dài tối đa 64 ký tự."))
    if procedure_code and get_catalogue().procedure(procedure_code) is None:
        errors.append(("procedure_code", f"Không có thủ tục mã '{procedure_code}' trong danh mục."))
    if not isinstance(amount, int) or isinstance(amount, bool) or amount < 0:
        errors.append(("amount", "Số tiền phải là số nguyên không âm, tính bằng đồng."))
    elif amount > 10**12:
        errors.append(("amount", "Số tiền quá lớn (tối đa 1.000.000.000.000 đồng)."))
    if not isinstance(effective_from, date):
        errors.append(("effective_from", "Nhập ngày bắt đầu áp dụng theo dạng ngày/tháng/năm."))
    elif effective_to is not None and effective_to < effective_from:
        errors.append(("effective_to", "Ngày hết hiệu lực không được trước ngày bắt đầu áp dụng."))
    if len(legal_basis or "") > 255:
        errors.append(("legal_basis", "Căn cứ pháp lý dài tối đa 255 ký tự."))
    if errors:
        raise InvalidInput("Thông tin lệ phí chưa hợp lệ.", errors)
    async with write_tx():
        row = FeeAmount(
            fee_code=fee_code,
            procedure_code=procedure_code,
            amount=amount,
            legal_basis=(legal_basis or "").strip(),
            effective_from=effective_from,
            effective_to=effective_to,
            set_by=actor_id,
            set_at=datetime.now(UTC),
        )
        await row.save()
        await audit.append(
            "catalogue.fee_set",
            actor_id=actor_id,
            object_type="fee",
            object_id=fee_code,
            data={
                "procedure_code": procedure_code,
                "amount": amount,
                "effective_from": effective_from.isoformat(),
                "effective_to": effective_to.isoformat() if effective_to else None,
                "legal_basis": legal_basis,
                "row_id": row.id,
            },
        )
    return row.id


async def list_fees(limit: int = 500) -> list[FeeRow]:
    """Every fee row, newest effective date first (the admin page)."""
    rows = (
        await FeeAmount.select()
        .order_by(FeeAmount.effective_from, ascending=False)
        .order_by(FeeAmount.id, ascending=False)
        .limit(limit)
    )
    return [_fee_row(r) for r in rows]
