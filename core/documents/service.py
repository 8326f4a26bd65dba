"""Requesting, rendering and serving generated documents (legal forms, results, fee receipts).

A request writes a ``GeneratedDocument`` row (idempotent on its key) with the printed data frozen in
``context``, plus an outbox row ``render_document`` — both inside the caller's transaction. The job
renders the PDF once, off the event loop, and stores it; downloads always serve the stored file.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import unicodedata
from collections.abc import Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from core.contract.errors import NotFound
from core.db.tx import write_tx
from core.documents import context as ctxmod
from core.documents.legal_forms import form_for, get_form, template_for
from core.documents.numbering import next_number
from core.documents.qr import new_public_id, qr_svg_data_uri, verify_url
from core.documents.signing import sign_marker, sign_rendered
from core.documents.tables import GeneratedDocument
from core.jobs import outbox
from core.settings import get_settings
from core.text.templating import VN_TZ

__all__ = (
    "request_legal_form",
    "request_result_document",
    "request_fee_receipt",
    "request_control_sheet",
    "request_register",
    "request_print",
    "render_document",
    "render_unsigned",
    "get_document",
    "documents_for",
    "read_file",
    "pdf_renderer",
    "FEE_RECEIPT_VERSION",
)

FEE_RECEIPT_VERSION = "1"


def _load(value: Any) -> Any:
    return ctxmod._json(value)


async def _existing(key: str) -> int | None:
    row = await GeneratedDocument.select(GeneratedDocument.id).where(GeneratedDocument.key == key).first()
    return row["id"] if row else None


def _nfc(value: Any) -> Any:
    """The context with every string in composed form (NFC): Vietnamese typed with combining marks
    prints with the font's composed glyphs and extracts as the same text."""
    if isinstance(value, str):
        return unicodedata.normalize("NFC", value)
    if isinstance(value, Mapping):
        return {k: _nfc(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_nfc(v) for v in value]
    return value


async def _create(
    *,
    key: str,
    dossier_id: int | None,
    kind: str,
    number: str,
    version: str,
    context: dict[str, Any],
    created_at: datetime,
    public_id: str | None = None,
) -> int:
    rows = await GeneratedDocument.insert(
        GeneratedDocument(
            public_id=public_id,
            dossier=dossier_id,
            kind=kind,
            key=key,
            number=number,
            template_version=version,
            status="pending",
            context=_nfc(context),
            created_at=created_at,
        )
    ).returning(GeneratedDocument.id)
    doc_id = rows[0]["id"]
    await outbox.add("render_document", document_id=doc_id)
    return doc_id


async def request_legal_form(
    form: str, dossier_id: int, event_id: int | None, data: Mapping[str, Any] | None = None
) -> int:
    """Queue legal form ``form`` (``form01`` … ``form06``) for a dossier event; returns the document id.

    Call inside the transaction that wrote the event (joins it, or opens one). Idempotent: the key
    ``f"{form}:{dossier_id}:{event_id}"`` is rendered once; a second call returns the same id.

    Args:
        form: Form id, see ``core.documents.legal_forms.FORMS``.
        dossier_id: The dossier.
        event_id: The ``DossierEvent`` the form documents (its time, actor and data are printed).
        data: Extra printed data overriding the event's ``data``: ``items`` (form 02, list of what is
            missing), ``reason``, ``new_due``/``old_due`` (form 04, ISO times), ``officer``.
    """
    spec = get_form(form)
    if not spec.per_dossier:
        raise ValueError(f"{spec.number} không lập cho từng hồ sơ (xem core.documents.register).")
    key = f"{form}:{dossier_id}:{event_id}"
    async with write_tx():
        if (found := await _existing(key)) is not None:
            return found
        bundle = await ctxmod.dossier_bundle(dossier_id)
        event = next((e for e in bundle["events"] if e["id"] == event_id), None)
        issued_at = (event["at"] if event else None) or datetime.now(UTC)
        received = bundle["dossier"]["received_at"]
        spec = form_for(form, received.astimezone(VN_TZ).date() if received else None)
        unit = bundle["agency"]
        if form == "form04" and event and event.get("agency_name"):
            unit = {"name": event["agency_name"], "short_name": event.get("agency_short_name") or ""}
        abbr = ctxmod.unit_abbreviation(unit)
        seq = await next_number(form, bundle["agency"]["code"], issued_at.astimezone(VN_TZ).year)
        number = (
            f"{seq:02d}/{ctxmod.desk_abbreviation(unit)}"
            if form == "form01"
            else f"{seq:02d}/{spec.suffix}{abbr}"
        )
        context = ctxmod.form_context(spec, bundle, event_id, number, issued_at, dict(data or {}))
        context["_template"] = spec.template
        context["_title"] = f"{spec.title} — {context['code']}"
        if marker := sign_marker(form, event):
            context["_sign"] = marker
        return await _create(
            key=key,
            dossier_id=dossier_id,
            kind=form,
            number=number,
            version=spec.version,
            context=context,
            created_at=issued_at,
        )


async def request_result_document(
    dossier_id: int, result_id: str, context: Mapping[str, Any], event_id: int | None, template: str
) -> int:
    """Queue a result document (certificate, licence, extract) rendered from a plugin's template.

    Call inside the approval transaction, after ``ResultDocumentSpec.issue`` returned its data.
    Idempotent on ``f"result:{result_id}:{dossier_id}:{event_id}"``.

    Args:
        dossier_id: The dossier.
        result_id: ``ResultDocumentSpec.id``.
        context: What the plugin's ``issue`` returned (JSON types); ``number`` is used as the
            document number when present. Merged over core's common fields (``code``, ``agency``,
            ``place``, ``issued_at``, ``applicant``, ``procedure``, ``status_url``, ``verify_url``; the
            template also gets ``qr``, and ``documents/base_print.html`` prints ``verify_qr``, the QR of
            the document's public verification page, in the bottom margin of every page).
        event_id: The approval event.
        template: The print template (``"<domain>/<name>.html"``), which may extend
            ``documents/base_print.html``.
    """
    key = f"result:{result_id}:{dossier_id}:{event_id}"
    async with write_tx():
        if (found := await _existing(key)) is not None:
            return found
        bundle = await ctxmod.dossier_bundle(dossier_id)
        event = next((e for e in bundle["events"] if e["id"] == event_id), None)
        issued_at = (event["at"] if event else None) or datetime.now(UTC)
        common = ctxmod._common(get_form("form01"), bundle, "", issued_at)
        for k in ("form", "number", "fees"):
            common.pop(k, None)
        plugin_ctx = dict(context)
        public_id = new_public_id()
        merged = {
            **common,
            **plugin_ctx,
            "verify_url": verify_url(public_id),
            "_template": template,
            "_title": f"{plugin_ctx.get('title') or result_id} — {common['code']}",
        }
        if marker := sign_marker(f"result:{result_id}", event):
            merged["_sign"] = marker
        return await _create(
            key=key,
            dossier_id=dossier_id,
            kind=f"result:{result_id}",
            number=str(plugin_ctx.get("number") or ""),
            version="1",
            context=_plain(merged),
            created_at=issued_at,
            public_id=public_id,
        )


def _plain(value: Any) -> Any:
    """JSON-safe copy (datetimes and dates as ISO strings)."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


async def request_fee_receipt(payment_id: int) -> int:
    """Queue the electronic fee receipt (biên lai) of a recorded payment; idempotent per payment."""
    from core.documents.receipt import receipt_context

    key = f"fee_receipt:{payment_id}"
    async with write_tx():
        if (found := await _existing(key)) is not None:
            return found
        dossier_id, number, context, created = await receipt_context(payment_id)
        context["_template"] = template_for("fee_receipt", FEE_RECEIPT_VERSION)
        context["_title"] = f"Biên lai thu phí, lệ phí {number}"
        return await _create(
            key=key,
            dossier_id=dossier_id,
            kind="fee_receipt",
            number=number,
            version=FEE_RECEIPT_VERSION,
            context=context,
            created_at=created,
        )


async def request_control_sheet(dossier_id: int) -> int:
    """Queue the processing-control sheet (form 06) as of the dossier's latest event.

    Idempotent per event: asking again before the dossier moves returns the same document; after a
    new hand-over a new sheet (with the new rows) is made and the earlier ones are kept.
    """
    from core.dossiers.tables import DossierEvent

    async with write_tx():
        last = (
            await DossierEvent.select(DossierEvent.id)
            .where(DossierEvent.dossier == dossier_id)
            .order_by(DossierEvent.seq, ascending=False)
            .first()
        )
        if last is None:
            raise NotFound("Hồ sơ chưa có quá trình giải quyết để lập phiếu kiểm soát.")
        return await request_legal_form("form06", dossier_id, last["id"])


async def request_register(
    agency: Mapping[str, Any],
    start: date,
    end: date,
    rows: list[dict[str, Any]],
    *,
    group: str = "",
    domain: str = "",
) -> int:
    """Queue the register (form 07) of ``agency`` for the period ``start``–``end`` with ``rows``.

    The key carries a digest of the rows: asking again while nothing in the period changed returns the
    same document (the same bytes); a dossier received or returned meanwhile makes a new one.

    Args:
        agency: ``id``, ``code``, ``name`` and ``parent_name`` of the receiving agency.
        start: First day of the period (Vietnam time).
        end: Last day of the period.
        rows: ``core.documents.register.register_rows`` for that agency and period.
        group: Name of the field the register is kept for ("" for every field).
        domain: Code of that field.
    """
    from core.documents.context import province_place
    from core.jobs import runner

    form = get_form("form07")
    digest = hashlib.sha256(json.dumps(rows, sort_keys=True, ensure_ascii=False).encode()).hexdigest()[:20]
    key = f"form07:{agency['code']}:{domain or '*'}:{start:%Y%m%d}-{end:%Y%m%d}:v{form.version}:{digest}"
    async with write_tx():
        if (found := await _existing(key)) is not None:
            return found
        created = datetime.now(UTC).replace(microsecond=0)
        seq = await next_number(form.id, agency["code"], created.astimezone(VN_TZ).year)
        number = f"{seq:02d}/{form.suffix}{ctxmod.unit_abbreviation(dict(agency))}"
        context = {
            "form": {"id": form.id, "number": form.number, "title": form.title, "version": form.version},
            "number": number,
            "agency": {"name": agency["name"], "parent_name": agency.get("parent_name") or ""},
            "place": province_place([{"name": agency.get("parent_name"), "level": "province"}]),
            "issued_at": created.isoformat(),
            "rows": rows,
            "period": {"start": start.isoformat(), "end": end.isoformat()},
            "group": group,
            "_template": form.template,
            "_title": f"{form.title} {agency['code']} {start:%d/%m/%Y}–{end:%d/%m/%Y}",
        }
        doc_id = await _create(
            key=key,
            dossier_id=None,
            kind="form07",
            number=number,
            version=form.version,
            context=context,
            created_at=created,
        )
    runner.wake()
    return doc_id


async def request_print(key: str, kind: str, context: dict[str, Any]) -> int:
    """Queue the print of a document that belongs to no dossier (a statistics report …), laid out by the
    render job from ``context["_template"]``; the same ``key`` returns the same document.

    Args:
        key: Idempotency key (at most 200 characters), e.g. the report's period and a digest of its data.
        kind: The document's kind (``stats_report`` …).
        context: What the template prints (``_template``, ``_title`` and the template's own data).
    """
    from core.jobs import runner

    async with write_tx():
        if (found := await _existing(key)) is not None:
            return found
        doc_id = await _create(
            key=key,
            dossier_id=None,
            kind=kind,
            number="",
            version="1",
            context=context,
            created_at=datetime.now(UTC).replace(microsecond=0),
        )
    runner.wake()
    return doc_id


# --- rendering (the job) --------------------------------------------------------------------------


async def pdf_renderer():
    """``core.documents.render.render_pdf``, its module imported in a worker thread the first time:
    importing WeasyPrint takes 1–3 s, which would otherwise stall the event loop (see bench/pdf.py)."""
    import importlib

    import anyio.to_thread

    module = await anyio.to_thread.run_sync(importlib.import_module, "core.documents.render")
    return module.render_pdf


async def render_unsigned(row: Mapping[str, Any]) -> bytes:
    """The PDF of a document row (its ``context`` loaded) as laid out from its frozen data, before any
    signature: the same row always gives the same bytes."""
    context = row["context"]
    template = context.get("_template") or template_for(row["kind"], row["template_version"])
    render_ctx = dict(context)
    if context.get("status_url"):
        render_ctx["qr"] = qr_svg_data_uri(context["status_url"])
    if context.get("verify_url"):  # documents made before verification have none: same bytes as then
        render_ctx["verify_qr"] = qr_svg_data_uri(context["verify_url"])
    render_pdf = await pdf_renderer()
    return await render_pdf(
        template,
        render_ctx,
        title=context.get("_title") or row["kind"],
        created=row["created_at"],
        key=row["key"],
    )


async def render_document(document_id: int) -> str:
    """Render and store one document; skips a ready one. Returns its status.

    A document marked for signing (``_sign`` in its context) is signed after rendering, and the signed
    bytes are stored (see ``core.documents.signing``). A failure marks the row ``failed`` with the error
    and re-raises, so the outbox retries it.
    """
    row = await GeneratedDocument.select().where(GeneratedDocument.id == document_id).first()
    if row is None:
        raise NotFound(f"Không có tài liệu số {document_id}.")
    if row["status"] == "ready" and (get_settings().files_dir / row["path"]).is_file():
        return "ready"
    row["context"] = _load(row["context"])
    try:
        created = row["created_at"]
        pdf = await sign_rendered(row, await render_unsigned(row))
        rel = Path("documents") / f"{created:%Y}" / f"{document_id}-{row['kind'].replace(':', '-')}.pdf"
        target = get_settings().files_dir / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
        tmp.write_bytes(pdf)
        os.replace(tmp, target)
    except Exception as exc:
        await GeneratedDocument.update(
            {
                GeneratedDocument.status: "failed",
                GeneratedDocument.error: f"{type(exc).__name__}: {exc}"[:2000],
            }
        ).where(GeneratedDocument.id == document_id)
        raise
    from core.documents import estore

    async with write_tx():
        updated = (
            await GeneratedDocument.update(
                {
                    GeneratedDocument.status: "ready",
                    GeneratedDocument.path: str(rel),
                    GeneratedDocument.size: len(pdf),
                    GeneratedDocument.sha256: hashlib.sha256(pdf).hexdigest(),
                    GeneratedDocument.error: "",
                    GeneratedDocument.ready_at: datetime.now(UTC),
                }
            )
            .where((GeneratedDocument.id == document_id) & (GeneratedDocument.status != "ready"))
            .returning(GeneratedDocument.id)
        )
        if updated:
            await estore.queue_for(row)  # a signed result goes on to the citizen's data store
    return "ready"


# --- reading ----------------------------------------------------------------------------------------


async def get_document(document_id: int) -> dict[str, Any]:
    row = await GeneratedDocument.select().where(GeneratedDocument.id == document_id).first()
    if row is None:
        raise NotFound("Không tìm thấy tài liệu.")
    row["context"] = _load(row["context"])
    return row


async def documents_for(dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's documents, oldest first (without their frozen context)."""
    cols = [c for c in GeneratedDocument.all_columns() if c._meta.name != "context"]
    return (
        await GeneratedDocument.select(*cols)
        .where(GeneratedDocument.dossier == dossier_id)
        .order_by(GeneratedDocument.id)
    )


def read_file(row: Mapping[str, Any]) -> bytes:
    """The stored PDF of a ready document (blocking read of a small file)."""
    path = get_settings().files_dir / row["path"]
    if row["status"] != "ready" or not path.is_file():
        raise NotFound("Tài liệu chưa sẵn sàng.")
    return path.read_bytes()
