"""Pages of documents: download a dossier's document; the register of dossiers (form 07)."""

from __future__ import annotations

import anyio.to_thread
from litestar import Request, get, post
from litestar.response import Redirect, Response, Template

from core.contract.errors import Conflict, NotAllowed, NotFound
from core.documents import service
from core.documents.access import dossier_for_user
from core.identity.guards import reads_dossier
from core.text.i18n import gettext as _
from core.web.render import flash, page

__all__ = ("ROUTES", "download")


@get(
    "/ho-so/{code:str}/tai-lieu/{filename:str}",
    include_in_schema=False,
    name="document_download",
    guards=[reads_dossier],
)
async def download(request: Request, code: str, filename: str) -> Response:
    """The stored PDF (``<id>.pdf``) of one of the dossier's documents, byte-identical every time."""
    stem, _, ext = filename.rpartition(".")
    if ext != "pdf" or not stem.isdigit():
        raise NotFound("Không tìm thấy tài liệu.")
    dossier = await dossier_for_user(request.user, code)
    doc = await service.get_document(int(stem))
    if doc["dossier"] != dossier["id"]:
        raise NotFound("Không tìm thấy tài liệu.")
    if doc["status"] != "ready":
        raise Conflict(
            "Tài liệu đang được tạo, vui lòng tải lại sau ít giây."
            if doc["status"] == "pending"
            else "Tạo tài liệu bị lỗi; hệ thống sẽ thử lại."
        )
    body = await anyio.to_thread.run_sync(service.read_file, doc)
    name = f"{code}-{doc['kind'].replace(':', '-')}-{doc['id']}.pdf"
    return Response(
        body,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "private, max-age=3600",
            "ETag": f'"{doc["sha256"]}"',
        },
    )


from core.web.pages.documents_register import register_export_pdf, register_export_xlsx, register_page  # noqa: E402


@get("/ho-so/{code:str}/tai-lieu", include_in_schema=False, name="dossier_documents", guards=[reads_dossier])
async def documents_page(request: Request, code: str) -> Template:
    """The dossier's documents (forms, results, receipts) with their download links."""
    from core.documents.hooks import kind_label

    user = request.user
    dossier = await dossier_for_user(user, code)
    docs = [{**d, "label": kind_label(d["kind"])} for d in await service.documents_for(dossier["id"])]
    # htmx polls this page while a document is being rendered: it gets only the list back
    return await page(
        request,
        "documents/list.html",
        {"code": code, "documents": docs, "is_staff": dossier["applicant"] != user.id},
        block="docs",
    )


@post(
    "/ho-so/{code:str}/tai-lieu/phieu-kiem-soat",
    include_in_schema=False,
    name="request_control_sheet",
    guards=[reads_dossier],
)
async def control_sheet(request: Request, code: str) -> Redirect:
    """Staff ask for the processing-control sheet (form 06) as of now; it is rendered in the background."""
    user = request.user
    dossier = await dossier_for_user(user, code)
    if dossier["applicant"] == user.id and not user.is_staff:
        raise NotAllowed("Phiếu kiểm soát quá trình giải quyết do cán bộ lập.")
    await service.request_control_sheet(dossier["id"])
    flash(request, _("The control sheet is being prepared; it appears in the list in a few seconds."))
    return Redirect(f"/ho-so/{code}/tai-lieu", status_code=303)


ROUTES = [download, documents_page, control_sheet, register_page, register_export_xlsx, register_export_pdf]
