"""Uploaded files of a dossier: one per slot of the procedure's documents checklist
(``DocumentRequirement.code`` with ``upload=True``), stored under the data folder by content hash.

A file is added, never edited: a second upload to the same slot is kept beside the first, and the
newest one is the slot's current file. Only PDF, JPEG and PNG are taken, at most ``MAX_BYTES`` each,
and never on their first bytes alone (nor on the name the browser sends): an image is decoded by Pillow,
refused above ``MAX_PIXELS`` before any pixel is decoded (a small file can claim 20000×20000 pixels, a
decompression bomb); a PDF is parsed by pypdf, which must find its pages (kept as ``pages``), and an
encrypted PDF is refused since staff could not open it. Downloads are served as attachments in a
sandbox (see ``DOWNLOAD_HEADERS``).
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import logging
from datetime import UTC, datetime
from typing import Any

from PIL import Image, UnidentifiedImageError
from pypdf import PdfReader

from core.catalogue.registry import get_catalogue
from core.contract.errors import InvalidInput, NotAllowed, NotFound
from core.db.tx import write_tx
from core.dossiers import service
from core.dossiers.tables import Attachment
from core.settings import get_settings

__all__ = (
    "DOWNLOAD_HEADERS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "add",
    "download_headers",
    "list_for",
    "read",
    "remove",
)

log = logging.getLogger(__name__)

MAX_BYTES = 8 * 1024 * 1024
MAX_PIXELS = 50_000_000
"""Largest image taken, in pixels (width × height): 50 megapixels is more than any scan of an A3 page at
600 dpi (about 35 MP); decoding it costs about 200 MB of memory."""
DOWNLOAD_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "sandbox; default-src 'none'",
}
"""Served with every uploaded file: no type sniffing, and should a browser render it anyway, it runs
in a sandbox with nothing it may load (a PDF with script, or an HTML page posing as one, stays inert)."""
KINDS = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
)
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
    if isinstance(view.data, dict) and view.data.get("representative"):
        from core.dossiers.intake import AUTHORISATION_SLOT

        slots[AUTHORISATION_SLOT.code] = AUTHORISATION_SLOT  # the representative's authorisation
    errors: list[tuple[str, str]] = []
    if document_code not in slots:
        names = "; ".join(f"{c} ({d.name.vi})" for c, d in slots.items()) or "thủ tục này không có mục nào"
        errors.append(
            ("document_code", f"Không có mục giấy tờ '{document_code}' để tải lên. Các mục: {names}.")
        )
    kind = _kind(content)
    if not content:
        errors.append(("file", "Tệp tải lên trống."))
    elif len(content) > MAX_BYTES:
        errors.append(
            ("file", f"Tệp quá lớn ({len(content) / 1048576:.1f} MB); tối đa {MAX_BYTES // 1048576} MB.")
        )
    elif kind is None:
        errors.append(("file", "Chỉ nhận tệp PDF, JPEG hoặc PNG (bản chụp hoặc bản quét giấy tờ)."))
    pages = None
    if kind is not None and not errors:
        problem, pages = await asyncio.to_thread(_inspect, content, kind[0])
        if problem:
            errors.append(("file", problem))
    if errors or kind is None:  # no kind always came with an error
        raise InvalidInput("Không tải được tệp lên.", errors)
    who = OPEN_FOR_FILES.get(view.state)
    if who is None:
        raise NotAllowed(
            "Hồ sơ ở trạng thái này không nhận thêm tệp; khi cơ quan yêu cầu bổ sung, bạn sẽ tải lên được."
        )
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
        row = (
            await Attachment.insert(
                Attachment(
                    dossier=view.id,
                    document_code=document_code,
                    filename=clean_name,
                    content_type=mime,
                    path=rel,
                    size=len(content),
                    sha256=digest,
                    uploaded_by=actor.id,
                    at=datetime.now(UTC),
                    pages=pages,
                )
            ).returning(*Attachment.all_columns())
        )[0]
    return _public(row)


async def remove(ref: int | str, *, actor: Any, attachment_id: int) -> None:
    """Take a file back out of a dossier before it is submitted: the applicant's own draft, or a file
    the applicant uploaded while answering a supplement request (not yet sent back). The stored bytes
    stay (files are kept by content hash and may be shared by another row).

    Raises ``NotFound`` (not this dossier's file) or ``NotAllowed``."""
    from core.dossiers.tables import DossierEvent

    view = await service.get(ref)
    row = (
        await Attachment.select(Attachment.id, Attachment.uploaded_by, Attachment.at)
        .where((Attachment.id == attachment_id) & (Attachment.dossier == view.id))
        .first()
    )
    if row is None:
        raise NotFound(f"Hồ sơ không có tệp số {attachment_id}.")
    mine = actor is not None and view.applicant_id == actor.id and row["uploaded_by"] == actor.id
    allowed = mine and view.state == "draft"
    if mine and view.state == "supplement_requested":
        asked = (
            await DossierEvent.select(DossierEvent.at)
            .where((DossierEvent.dossier == view.id) & (DossierEvent.action == "request_supplement"))
            .order_by(DossierEvent.seq, ascending=False)
            .first()
        )
        allowed = asked is not None and row["at"] > asked["at"]
    if not allowed:
        raise NotAllowed("Chỉ gỡ được tệp của bạn trước khi nộp (hoặc trước khi gửi phần bổ sung).")
    async with write_tx():
        await Attachment.delete().where(Attachment.id == row["id"])


def _inspect(content: bytes, mime: str) -> tuple[str | None, int | None]:
    """Open the file with a real decoder: ``(message to the user or None, page count of a PDF)``."""
    if mime == "application/pdf":
        return _inspect_pdf(content)
    return _inspect_image(content, "PNG" if mime == "image/png" else "JPEG"), None


def _inspect_image(content: bytes, fmt: str) -> str | None:
    unreadable = f"Tệp ảnh {fmt} bị hỏng hoặc không đúng định dạng; hãy chụp hoặc quét lại giấy tờ."
    try:
        with Image.open(io.BytesIO(content), formats=[fmt]) as im:  # reads the header only
            width, height = im.size
            if width * height > MAX_PIXELS:
                return _too_many_pixels(f" ({width}×{height} điểm ảnh)")
            im.verify()
        with Image.open(io.BytesIO(content), formats=[fmt]) as im:  # verify() leaves it unusable
            im.load()
    except Image.DecompressionBombError:  # Pillow's own guard, far above MAX_PIXELS
        return _too_many_pixels("")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        log.info("image upload refused: %s", exc)
        return unreadable
    return None


def _too_many_pixels(size: str) -> str:
    return (
        f"Ảnh quá lớn{size}; tối đa {MAX_PIXELS // 1_000_000} megapixel. "
        "Hãy chụp hoặc quét lại ở độ phân giải thấp hơn."
    )


def _inspect_pdf(content: bytes) -> tuple[str | None, int | None]:
    unreadable = (
        "Tệp PDF bị hỏng hoặc không phải PDF thật (không đọc được trang nào); hãy xuất hoặc quét lại tệp."
    )
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted:
            return (
                "Tệp PDF có đặt mật khẩu hoặc mã hóa nên cán bộ không mở được; "
                "hãy gỡ mật khẩu rồi tải lên lại."
            ), None
        pages = len(reader.pages)
    except Exception as exc:  # noqa: BLE001 - any parser failure means "not a PDF we can read"
        log.info("pdf upload refused: %s", exc)
        return unreadable, None
    if pages < 1:
        return unreadable, None
    return None, pages


def download_headers(row: dict[str, Any], stem: str) -> dict[str, str]:
    """Headers for serving attachment ``row`` (saved as ``{stem}.{ext}``)."""
    ext = row["path"].rsplit(".", 1)[-1]
    return {"Content-Disposition": f'attachment; filename="{stem}.{ext}"', **DOWNLOAD_HEADERS}


async def list_for(dossier_id: int) -> list[dict[str, Any]]:
    """Every file of the dossier, oldest first (one query)."""
    rows = (
        await Attachment.select(*Attachment.all_columns())
        .where(Attachment.dossier == dossier_id)
        .order_by(Attachment.id)
    )
    return [_public(r) for r in rows]


async def read(dossier_id: int, attachment_id: int) -> tuple[dict[str, Any], bytes]:
    """The attachment row and its bytes; ``NotFound`` when it is not this dossier's."""
    row = (
        await Attachment.select(*Attachment.all_columns())
        .where((Attachment.id == attachment_id) & (Attachment.dossier == dossier_id))
        .first()
    )
    path = get_settings().files_dir / row["path"] if row else None
    if row is None or path is None or not path.is_file():
        raise NotFound(f"Hồ sơ không có tệp số {attachment_id}.")
    return row, path.read_bytes()


def _public(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "document_code": row["document_code"],
        "filename": row["filename"],
        "content_type": row["content_type"],
        "size": row["size"],
        "sha256": row["sha256"],
        "at": row["at"],
        "pages": row.get("pages"),
    }
