"""Public verification of issued documents (``/xac-minh/{public_id}``), and revoking or superseding them.

The public record holds no personal data: the document's title and number, the issuing agency, the issue
date, its SHA-256, and whether it is valid, revoked or superseded by a corrected document. Anyone may
check whether a PDF is byte-identical to the issued one. Revoking and superseding are for the issuing
agency's approvers and administrators (and the province administrator), with a reason, audited.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any

from core.audit import chain as audit
from core.contract.errors import Conflict, InvalidInput, NotFound
from core.contract.views import UserView
from core.db.tx import write_tx
from core.documents.context import _json
from core.documents.hooks import kind_label
from core.documents.qr import PUBLIC_ID_PATTERN, verify_url
from core.documents.tables import GeneratedDocument
from core.dossiers.tables import Dossier
from core.identity.tables import Agency

__all__ = (
    "MANAGER_ROLES",
    "MAX_UPLOAD_BYTES",
    "REASON_MAX",
    "public_record",
    "matches",
    "can_manage",
    "revoke",
    "supersede",
    "signature_checks",
    "stored_signatures",
)

MANAGER_ROLES = ("approver", "agency_admin")
"""Roles at the issuing agency that may revoke or supersede its documents (and any province admin)."""
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
"""Largest PDF one may upload to compare with the issued one."""
REASON_MAX = 1000
_ID = re.compile(PUBLIC_ID_PATTERN)
_COLS = (
    GeneratedDocument.id,
    GeneratedDocument.public_id,
    GeneratedDocument.kind,
    GeneratedDocument.number,
    GeneratedDocument.status,
    GeneratedDocument.sha256,
    GeneratedDocument.size,
    GeneratedDocument.created_at,
    GeneratedDocument.validity,
    GeneratedDocument.validity_reason,
    GeneratedDocument.validity_changed_at,
    GeneratedDocument.superseded_by,
    GeneratedDocument.context,
    GeneratedDocument.dossier.receiving_agency.id,  # type: ignore[union-attr]  # lazy FK: piccolo types it loosely
    GeneratedDocument.dossier.receiving_agency.name,  # type: ignore[union-attr]
)


def _not_found() -> NotFound:
    return NotFound(
        "Không tìm thấy văn bản với mã xác minh này. Hãy kiểm tra lại địa chỉ hoặc quét lại mã QR."
    )


async def _row(public_id: str) -> dict[str, Any]:
    if not _ID.fullmatch(public_id or ""):
        raise _not_found()
    row = await GeneratedDocument.select(*_COLS).where(GeneratedDocument.public_id == public_id).first()
    if row is None:
        raise _not_found()
    return row


def _context(row: dict[str, Any]) -> dict[str, Any]:
    value = _json(row["context"])
    return value if isinstance(value, dict) else {}


async def public_record(public_id: str) -> dict[str, Any]:
    """What the public page shows of a document (no personal data).

    Returns:
        ``public_id``, ``title``, ``number``, ``agency`` (name), ``issued_at``, ``sha256`` and ``size``
        (empty until rendered), ``state`` (``valid``, ``revoked``, ``superseded`` or ``pending`` while the
        PDF is being made), ``changed_at``, ``replacement`` (the public id of the superseding document),
        ``agency_id`` and the internal ``id`` (for the staff form; not shown).

    Raises:
        NotFound: No document has that id (also for a malformed id).
    """
    row = await _row(public_id)
    ctx = _context(row)
    found = ctx.get("agency")
    agency: dict[str, Any] = found if isinstance(found, dict) else {}
    title = (
        ctx.get("title")
        if isinstance(ctx.get("title"), str) and ctx.get("title")
        else kind_label(row["kind"])
    )
    replacement = None
    if row["superseded_by"]:
        rep = (
            await GeneratedDocument.select(GeneratedDocument.public_id)
            .where(GeneratedDocument.id == row["superseded_by"])
            .first()
        )
        replacement = rep["public_id"] if rep else None
    state = row["validity"]
    if state == "valid" and row["status"] != "ready":
        state = "pending"
    return {
        "id": row["id"],
        "public_id": row["public_id"],
        "title": title,
        "number": row["number"],
        "agency": agency.get("name") or row["dossier.receiving_agency.name"] or "",
        "agency_id": row["dossier.receiving_agency.id"],
        "issued_at": row["created_at"],
        "sha256": row["sha256"] if row["status"] == "ready" else "",
        "size": row["size"] if row["status"] == "ready" else 0,
        "state": state,
        "changed_at": row["validity_changed_at"],
        "replacement": replacement,
        "url": verify_url(row["public_id"]),
    }


def matches(record: dict[str, Any], content: bytes) -> bool:
    """Whether ``content`` is byte for byte the issued PDF (its SHA-256 equals the stored one)."""
    if not record.get("sha256"):
        return False
    return hmac.compare_digest(hashlib.sha256(content).hexdigest(), record["sha256"])


def can_manage(user: UserView | None, record: dict[str, Any]) -> bool:
    """Approvers and administrators of the issuing agency, and province administrators."""
    if user is None:
        return False
    if user.has_role("province_admin"):
        return True
    agency_id = record.get("agency_id")
    return agency_id is not None and any(user.has_role(r, agency_id) for r in MANAGER_ROLES)


def _reason(text: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        msg = "Vui lòng ghi lý do thu hồi hoặc thay thế văn bản."
        raise InvalidInput(msg, [("reason", msg)])
    if len(reason) > REASON_MAX:
        msg = f"Lý do dài tối đa {REASON_MAX} ký tự (đã nhập {len(reason)})."
        raise InvalidInput(msg, [("reason", msg)])
    return reason


async def _change(
    user: UserView, public_id: str, *, validity: str, reason: str, replacement: dict | None = None
) -> dict[str, Any]:
    record = await public_record(public_id)
    if not can_manage(user, record):
        raise _not_found()  # the same answer as an unknown id
    reason = _reason(reason)
    now = datetime.now(UTC)
    async with write_tx():
        changed = (
            await GeneratedDocument.update(
                {
                    GeneratedDocument.validity: validity,
                    GeneratedDocument.validity_reason: reason,
                    GeneratedDocument.validity_changed_at: now,
                    GeneratedDocument.validity_changed_by: user.id,
                    GeneratedDocument.superseded_by: replacement["id"] if replacement else None,
                }
            )
            .where((GeneratedDocument.id == record["id"]) & (GeneratedDocument.validity == "valid"))
            .returning(GeneratedDocument.id)
        )
        if not changed:
            raise Conflict("Văn bản này đã bị thu hồi hoặc đã được thay thế trước đó.")
        agency = await Agency.select(Agency.code).where(Agency.id == record["agency_id"]).first()
        await audit.append(
            f"document_{validity}",
            chain=f"agency:{agency['code']}" if agency else "documents",
            actor_id=user.id,
            object_type="document",
            object_id=record["id"],
            data={
                "public_id": public_id,
                "number": record["number"],
                "reason": reason,
                **({"replacement": replacement["public_id"]} if replacement else {}),
            },
        )
    return await public_record(public_id)


async def revoke(user: UserView, public_id: str, reason: str) -> dict[str, Any]:
    """Revoke an issued document (it stays verifiable, shown as revoked).

    Raises:
        NotFound: Unknown id, or the user may not manage it.
        InvalidInput: No reason, or too long (at ``reason``).
        Conflict: Already revoked or superseded.
    """
    return await _change(user, public_id, validity="revoked", reason=reason)


async def supersede(user: UserView, public_id: str, replacement_id: str, reason: str) -> dict[str, Any]:
    """Mark a document superseded by a corrected one (given by its verification id or address).

    Raises:
        NotFound: Unknown id, or the user may not manage it.
        InvalidInput: No reason; the replacement unknown, the same document, not valid, or of another
            agency (at ``replacement``).
        Conflict: Already revoked or superseded.
    """
    candidate = (replacement_id or "").strip().rstrip("/").rsplit("/", 1)[-1]
    try:
        replacement = await public_record(candidate)
    except NotFound:
        msg = "Không tìm thấy văn bản thay thế: nhập mã xác minh (hoặc địa chỉ xác minh) của văn bản mới."
        raise InvalidInput(msg, [("replacement", msg)]) from None
    if replacement["public_id"] == public_id:
        msg = "Văn bản thay thế phải là một văn bản khác."
        raise InvalidInput(msg, [("replacement", msg)])
    if replacement["state"] not in ("valid", "pending"):
        msg = "Văn bản thay thế đã bị thu hồi hoặc đã được thay thế."
        raise InvalidInput(msg, [("replacement", msg)])
    record = await public_record(public_id)
    if replacement["agency_id"] != record["agency_id"] or not can_manage(user, replacement):
        msg = "Văn bản thay thế phải do cùng cơ quan ban hành."
        raise InvalidInput(msg, [("replacement", msg)])
    return await _change(user, public_id, validity="superseded", reason=reason, replacement=replacement)


async def signature_checks(content: bytes) -> list[dict[str, Any]] | None:
    """What the validator says of the signatures in ``content`` (see ``core.documents.signing``), as
    the page shows them; None when the file cannot be read as a PDF."""
    from core.documents.signing import validate_pdf

    try:
        checks = await validate_pdf(content)
    except ValueError:
        return None
    return [
        {
            "field": c.field,
            "signer": c.signer,
            "serial": c.serial,
            "issuer": c.issuer,
            "signed_at": c.signed_at,
            "intact": c.intact,
            "trusted": c.trusted,
            "covers_file": c.covers_file,
            "chain": c.chain,
            "valid": c.valid,
        }
        for c in checks
    ]


async def stored_signatures(record: dict[str, Any]) -> list[dict[str, Any]] | None:
    """The signatures of the issued file as validated now ([] for an unsigned one, None while pending)."""
    from core.documents.service import read_file

    row = (
        await GeneratedDocument.select(GeneratedDocument.status, GeneratedDocument.path)
        .where(GeneratedDocument.id == record["id"])
        .first()
    )
    if row is None or row["status"] != "ready":
        return None
    try:
        content = read_file(row)
    except NotFound:
        return None
    return await signature_checks(content)


_ = Dossier  # the joins above go through Dossier
