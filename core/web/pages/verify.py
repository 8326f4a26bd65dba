"""``/xac-minh/{id}``: public verification of an issued document, comparing an uploaded PDF with it, and
(for the issuing agency's approvers and administrators) revoking or superseding it."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Template

from core.contract.errors import Conflict, InvalidInput
from core.documents import verification
from core.identity.guards import public, rate_limited, requires_login
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = ("verify_page", "verify_upload", "verify_change", "ROUTES")

_PDF_MAGIC = b"%PDF-"


async def _render(
    request: Request,
    public_id: str,
    *,
    outcome: str | None = None,
    upload_signatures: list[dict[str, Any]] | None = None,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    block: str | None = "main",
    status_code: int = 200,
) -> Template:
    record = await verification.public_record(public_id)
    ctx: dict[str, Any] = {
        "doc": record,
        "outcome": outcome,
        "signatures": await verification.stored_signatures(record),
        "upload_signatures": upload_signatures,
        "errors": errors or {},
        "values": values or {},
        "manage": verification.can_manage(request.user, record),
        "max_mb": verification.MAX_UPLOAD_BYTES // (1024 * 1024),
        "reason_max": verification.REASON_MAX,
    }
    return await page(request, "verify/document.html", ctx, block=block, status_code=status_code)


@get(
    "/xac-minh/{public_id:str}",
    include_in_schema=False,
    name="verify_page",
    guards=[rate_limited("verify")],
    opt=public("public verification of an issued document by its unguessable id: no personal data"),
)
async def verify_page(request: Request, public_id: str) -> Template:
    return await _render(request, public_id)


@post(
    "/xac-minh/{public_id:str}",
    include_in_schema=False,
    name="verify_upload",
    guards=[rate_limited("verify")],
    request_max_body_size=verification.MAX_UPLOAD_BYTES + 64 * 1024,
    opt=public("compares an uploaded PDF with the issued one (nothing is stored)"),
)
async def verify_upload(request: Request, public_id: str) -> Template:
    await verification.public_record(public_id)  # an unknown id is a 404 before anything is read
    form = await request.form()
    upload = form.get("file")
    error = ""
    content = b""
    if not isinstance(upload, UploadFile) or not upload.filename:
        error = _("Choose the PDF file you want to check.")
    else:
        content = await upload.read(verification.MAX_UPLOAD_BYTES + 1)
        if not content:
            error = _("The file is empty. Choose the PDF file you received.")
        elif len(content) > verification.MAX_UPLOAD_BYTES:
            error = _(
                "The file is larger than %(mb)s MB; an issued document is much smaller.",
                mb=verification.MAX_UPLOAD_BYTES // (1024 * 1024),
            )
        elif not content.startswith(_PDF_MAGIC):
            error = _("This file is not a PDF. Upload the PDF file of the document.")
    if error:
        return await _render(request, public_id, errors={"file": error}, block="check", status_code=422)
    record = await verification.public_record(public_id)
    outcome = "match" if verification.matches(record, content) else "mismatch"
    checks = await verification.signature_checks(content)
    return await _render(request, public_id, outcome=outcome, upload_signatures=checks or [], block="check")


@post(
    "/xac-minh/{public_id:str}/trang-thai",
    include_in_schema=False,
    name="verify_change",
    guards=[requires_login],
)
async def verify_change(request: Request, public_id: str) -> Template | Redirect:
    form = await request.form()
    action = str(form.get("action") or "")
    values = {k: str(form.get(k) or "")[:2000] for k in ("action", "reason", "replacement")}
    try:
        if action == "supersede":
            await verification.supersede(request.user, public_id, values["replacement"], values["reason"])
            flash(request, _("The document is now marked as superseded by the corrected one."))
        elif action == "revoke":
            await verification.revoke(request.user, public_id, values["reason"])
            flash(request, _("The document is now marked as revoked."))
        else:
            msg = _("Choose whether to revoke the document or to replace it with a corrected one.")
            raise InvalidInput(msg, [("action", msg)])
    except Conflict as exc:
        return await _render(request, public_id, errors={"": exc.message}, values=values, status_code=409)
    except InvalidInput as exc:
        errors = {name or "": message for name, message in exc.errors} or {"": exc.message}
        return await _render(request, public_id, errors=errors, values=values, status_code=422)
    return Redirect(f"/xac-minh/{public_id}", status_code=303)


ROUTES = [verify_page, verify_upload, verify_change]
