"""Uploaded files of a dossier: one per slot of the procedure's documents checklist
(``DocumentRequirement.code`` with ``upload=True``), stored under the data folder by content hash.

A file is added, never edited: a second upload to the same slot is kept beside the first, and the
newest one is the slot's current file. Only PDF, JPEG and PNG are taken (checked by their first
bytes, not by the name the browser sends), at most ``MAX_BYTES`` each.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any

from core.catalogue.registry import get_catalogue
from core.db.tx import write_tx
from core.dossiers import service
from core.dossiers.tables import Attachment
from core.errors import InvalidInput, NotAllowed, NotFound
from core.settings import get_settings

__all__ = ("MAX_BYTES", "add", "list_for", "read")

MAX_BYTES = 8 * 1024 * 1024
KINDS = ((b"%PDF-", "application/pdf", "pdf"), (b"\xff\xd8\xff", "image/jpeg", "jpg"),
         (b"\x89PNG\r\n\x1a\n", "image/png", "png"))
OPEN_FOR_FILES = {"draft": "applicant", "submitted": "receiver", "supplement_requested": "applicant"}
"""States in which files may be added, and who besides the receiving desk may add them."""


def _kind(content: bytes) -> tuple[str, str] | None:
    return next(((mime, ext) for magic, mime, ext in KINDS if content.startswith(magic)), None)


async def add(code: str, *, actor: Any, document_code: str, filename: str, content: bytes) -> dict[str, Any]:
    """Store ``content`` in slot ``document_code`` of dossier ``code``; the new attachment row.

    Raises ``InvalidInput`` (field ``document_code`` or ``file``) or ``NotAllowed``."""
    view = await service.get(code)
    spec = get_catalogue().procedure(view.procedure_code)
    slots = {d.code: d for d in (spec.documents if spec else ()) if d.upload}
    errors: list[tuple[str, str]] = []
    if document_code not in slots:
        names = "; ".join(f"{c} ({d.name.vi})" for c, d in slots.items()) or "thủ tục này không có mục nào"
        errors.append(("document_code", f"Không có mục giấy tờ '{document_code}' để tải lên. Các mục: {names}."))
    kind = _kind(content)
    if not content:
        errors.append(("file", "Tệp tải lên trống."))
    elif len(content) > MAX_BYTES:
        errors.append(("file", f"Tệp quá lớn ({len(content) / 1048576:.1f} MB); tối đa {MAX_BYTES // 1048576} MB."))
    elif kind is None:
        errors.append(("file", "Chỉ nhận tệp PDF, JPEG hoặc PNG (bản chụp hoặc bản quét giấy tờ)."))
    if errors:
        raise InvalidInput("Không tải được tệp lên.", errors)
    who = OPEN_FOR_FILES.get(view.state)
    if who is None:
        raise NotAllowed("Hồ sơ ở trạng thái này không nhận thêm tệp; khi cơ quan yêu cầu bổ sung, bạn sẽ tải lên được.")
    desk = actor.has_role("receiver", view.receiving_agency.id)
    if not desk and not (who == "applicant" and view.applicant_id == actor.id):
        raise NotAllowed("Chỉ người nộp hồ sơ hoặc bộ phận tiếp nhận được tải tệp lên hồ sơ này.")
    mime, ext = kind
    digest = hashlib.sha256(content).hexdigest()
    rel = f"uploads/{view.id}/{digest}.{ext}"
    target = get_settings().files_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():  # same bytes, same file: an upload repeated after a lost answer costs nothing
        tmp = target.with_suffix(".part")
        tmp.write_bytes(content)
        tmp.replace(target)
    clean_name = "".join(ch for ch in filename if ch.isprintable() and ch not in "/\\")[-200:] or f"tep.{ext}"
    async with write_tx():
        row = (await Attachment.insert(Attachment(
            dossier=view.id, document_code=document_code, filename=clean_name, content_type=mime, path=rel,
            size=len(content), sha256=digest, uploaded_by=actor.id, at=datetime.now(UTC),
        )).returning(*Attachment.all_columns()))[0]
    return _public(row)


async def list_for(dossier_id: int) -> list[dict[str, Any]]:
    """Every file of the dossier, oldest first (one query)."""
    rows = await Attachment.select(*Attachment.all_columns()).where(Attachment.dossier == dossier_id).order_by(
        Attachment.id)
    return [_public(r) for r in rows]


async def read(dossier_id: int, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    """The attachment row and its bytes; ``NotFound`` when it is not this dossier's."""
    row = await Attachment.select(*Attachment.all_columns()).where(
        (Attachment.id == attachment_id) & (Attachment.dossier == dossier_id)).first()
    path = get_settings().files_dir / row["path"] if row else None
    if row is None or not path.is_file():
        raise NotFound(f"Hồ sơ không có tệp số {attachment_id}.")
    return row, path.read_bytes()


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {"id": row["id"], "document_code": row["document_code"], "filename": row["filename"],
            "content_type": row["content_type"], "size": row["size"], "sha256": row["sha256"], "at": row["at"]}
