"""Delivering signed electronic results to the citizen's electronic data store (R29, R31).

When a signed result document is stored, ``queue_for`` records an ``EStoreDelivery`` (message id
``<document id>:v<signed version>``) and an outbox row ``deliver_to_estore`` in the same transaction. The
job sends the signed PDF through the deployment's adapter (hook ``e_data_store``); the outbox retries a
failure with back-off, a refusal fails at once (visible, re-sendable in the jobs page), and the store's
acknowledgement is kept as the proof of delivery and written to the audit log.

``HttpEDataStore`` is the reference adapter: JSON over HTTP(S), one ``POST {base}/v1/documents`` per
item with an ``Idempotency-Key`` header equal to the message id (see ``docs/integration.md``).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from core.contract.estore import EDataStore, EStoreItem, EStoreReceipt, EStoreRejected
from core.db.tx import write_tx
from core.documents.tables import DocumentSignature, EStoreDelivery, GeneratedDocument
from core.plugins import await_me_maybe, get_plugin_manager
from core.settings import get_settings

__all__ = (
    "HttpEDataStore",
    "EStoreUnavailable",
    "adapter",
    "queue_for",
    "deliver",
    "deliveries_for",
    "signed_documents",
    "signed_results",
    "OWNER_ID",
)

log = logging.getLogger("motcua.documents")
OWNER_ID = re.compile(r"\d{10}|\d{12}|\d{10}-\d{3}")
"""A personal identification number (12 digits) or a tax code (10 digits, or 13 with a branch)."""
ANSWER_MAX = 4000


class EStoreUnavailable(Exception):
    """The store did not answer, or answered with a server error: retried with back-off."""


@dataclass(slots=True)
class HttpEDataStore:
    """The reference adapter: JSON over HTTP to ``MOTCUA_ESTORE_URL``."""

    base_url: str
    token: str = ""
    timeout: float = 20.0
    name: str = "http"

    @classmethod
    def from_env(cls) -> HttpEDataStore | None:
        """Configured from ``MOTCUA_ESTORE_URL``, ``MOTCUA_ESTORE_TOKEN`` and ``MOTCUA_ESTORE_TIMEOUT``;
        None when no address is set."""
        url = os.environ.get("MOTCUA_ESTORE_URL", "").strip().rstrip("/")
        if not url:
            return None
        return cls(
            base_url=url,
            token=os.environ.get("MOTCUA_ESTORE_TOKEN", ""),
            timeout=float(os.environ.get("MOTCUA_ESTORE_TIMEOUT", "20")),
        )

    async def deliver(self, item: EStoreItem) -> EStoreReceipt:
        body = {
            "message_id": item.message_id,
            "document_id": item.document_id,
            "dossier_code": item.dossier_code,
            "owner": {"id": item.owner_id, "name": item.owner_name},
            "document": {
                "title": item.title,
                "number": item.number,
                "issued_at": item.issued_at.isoformat(),
                "agency": {"code": item.agency_code, "name": item.agency_name},
                "verify_url": item.verify_url,
            },
            "file": {
                "name": item.filename,
                "media_type": "application/pdf",
                "sha256": item.sha256,
                "content": base64.b64encode(item.content).decode("ascii"),
            },
        }
        headers = {"Idempotency-Key": item.message_id}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            async with httpx.AsyncClient(timeout=self.timeout) as client:
                resp = await client.post(f"{self.base_url}/v1/documents", json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise EStoreUnavailable(f"Kho dữ liệu điện tử không trả lời: {type(exc).__name__}") from exc
        text = resp.text[:ANSWER_MAX]
        if resp.status_code in (408, 425, 429) or resp.status_code >= 500:
            raise EStoreUnavailable(f"Kho dữ liệu điện tử báo lỗi {resp.status_code}: {text[:300]}")
        if resp.status_code >= 400:
            raise EStoreRejected(f"Kho dữ liệu điện tử từ chối ({resp.status_code}): {text[:300]}")
        try:
            data = resp.json()
            receipt = EStoreReceipt(
                receipt_id=str(data["receipt_id"])[:100],
                received_at=datetime.fromisoformat(str(data["received_at"])),
                sha256=str(data.get("sha256") or ""),
                raw=text,
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise EStoreUnavailable(
                f"Biên nhận của kho dữ liệu điện tử không đọc được: {text[:300]}"
            ) from exc
        if receipt.received_at.tzinfo is None:
            raise EStoreUnavailable("Biên nhận của kho dữ liệu điện tử thiếu múi giờ.")
        return receipt


async def adapter() -> EDataStore | None:
    """The deployment's adapter (hook ``e_data_store``), or None."""
    return await await_me_maybe(get_plugin_manager().hook.e_data_store())


async def queue_for(row: dict[str, Any]) -> int | None:
    """Queue the delivery of a just-stored signed result ``row``; call in the transaction that marks it
    ready. Idempotent on the message id; None when nothing is to be sent (not a signed result, no adapter,
    no dossier or no identification number of the owner)."""
    if not str(row["kind"]).startswith("result:") or not row.get("dossier"):
        return None
    version = (
        await DocumentSignature.select(DocumentSignature.version)
        .where(DocumentSignature.document == row["id"])
        .order_by(DocumentSignature.version, ascending=False)
        .first()
    )
    if version is None:
        return None
    store = await adapter()
    if store is None:
        return None
    message_id = f"{row['id']}:v{version['version']}"
    found = (
        await EStoreDelivery.select(EStoreDelivery.id).where(EStoreDelivery.message_id == message_id).first()
    )
    if found:
        return found["id"]
    from core.jobs import outbox

    rows = await EStoreDelivery.insert(
        EStoreDelivery(
            document=row["id"],
            dossier=row["dossier"],
            message_id=message_id,
            adapter=store.name,
            status="pending",
            created_at=datetime.now(UTC),
        )
    ).returning(EStoreDelivery.id)
    await outbox.add("deliver_to_estore", delivery_id=rows[0]["id"])
    return rows[0]["id"]


async def _item(delivery: dict[str, Any]) -> EStoreItem:
    from core.documents.context import _json
    from core.dossiers.tables import Dossier
    from core.identity.tables import Agency

    doc = await GeneratedDocument.select().where(GeneratedDocument.id == delivery["document"]).first()
    version = int(delivery["message_id"].rsplit(":v", 1)[1])
    sig = (
        await DocumentSignature.select()
        .where((DocumentSignature.document == delivery["document"]) & (DocumentSignature.version == version))
        .first()
    )
    dossier = await Dossier.select().where(Dossier.id == delivery["dossier"]).first()
    if doc is None or sig is None or dossier is None:
        raise EStoreRejected("Văn bản hoặc hồ sơ của lần gửi này không còn.")
    owner = "".join(str(dossier["applicant_id_number"] or "").split())
    if not OWNER_ID.fullmatch(owner):
        raise EStoreRejected(
            "Hồ sơ không có số định danh cá nhân hoặc mã số thuế hợp lệ của chủ kho dữ liệu."
        )
    content = (get_settings().files_dir / sig["path"]).read_bytes()
    if hashlib.sha256(content).hexdigest() != sig["sha256"]:
        raise EStoreRejected("Tệp đã ký không còn nguyên vẹn trong kho lưu trữ; không gửi.")
    context = _json(doc["context"]) or {}
    agency = (
        await Agency.select(Agency.code, Agency.name).where(Agency.id == dossier["receiving_agency"]).first()
    )
    title = context.get("title") if isinstance(context.get("title"), str) else doc["kind"]
    return EStoreItem(
        message_id=delivery["message_id"],
        document_id=doc["id"],
        dossier_code=dossier["code"] or "",
        owner_id=owner,
        owner_name=dossier["applicant_name"],
        title=title or doc["kind"],
        number=doc["number"],
        issued_at=doc["created_at"],
        agency_code=(agency or {}).get("code", ""),
        agency_name=(agency or {}).get("name", ""),
        filename=f"{dossier['code'] or doc['id']}-{doc['kind'].split(':', 1)[-1]}.pdf",
        content=content,
        sha256=sig["sha256"],
        verify_url=str(context.get("verify_url") or ""),
    )


async def deliver(delivery_id: int) -> str:
    """Send one queued delivery (the job). Returns its status; a delivered one is skipped.

    Raises:
        EStoreRejected: the store refused it for good (the outbox row fails at once).
        Exception: any other failure (the outbox retries with back-off).
    """
    from core.audit import chain as audit

    delivery = await EStoreDelivery.select().where(EStoreDelivery.id == delivery_id).first()
    if delivery is None or delivery["status"] == "delivered":
        return "delivered" if delivery else "missing"
    await EStoreDelivery.update({EStoreDelivery.attempts: EStoreDelivery.attempts + 1}).where(
        EStoreDelivery.id == delivery_id
    )
    try:
        store = await adapter()
        if store is None:
            raise EStoreUnavailable("Chưa cấu hình kho dữ liệu điện tử (MOTCUA_ESTORE_URL).")
        item = await _item(delivery)
        receipt = await store.deliver(item)
        if receipt.sha256 and receipt.sha256 != item.sha256:
            raise EStoreUnavailable(
                "Kho dữ liệu điện tử xác nhận một tệp khác với tệp đã gửi (SHA-256 khác)."
            )
    except EStoreRejected as exc:
        await EStoreDelivery.update(
            {EStoreDelivery.status: "rejected", EStoreDelivery.error: str(exc)[:2000]}
        ).where(EStoreDelivery.id == delivery_id)
        raise
    except Exception as exc:
        await EStoreDelivery.update({EStoreDelivery.error: f"{type(exc).__name__}: {exc}"[:2000]}).where(
            EStoreDelivery.id == delivery_id
        )
        raise
    async with write_tx():
        done = (
            await EStoreDelivery.update(
                {
                    EStoreDelivery.status: "delivered",
                    EStoreDelivery.receipt_id: receipt.receipt_id,
                    EStoreDelivery.received_at: receipt.received_at,
                    EStoreDelivery.store_sha256: receipt.sha256 or item.sha256,
                    EStoreDelivery.answer: receipt.raw[:ANSWER_MAX],
                    EStoreDelivery.error: "",
                    EStoreDelivery.delivered_at: datetime.now(UTC),
                }
            )
            .where((EStoreDelivery.id == delivery_id) & (EStoreDelivery.status != "delivered"))
            .returning(EStoreDelivery.id)
        )
        if done:
            await audit.append(
                "estore_delivered",
                chain=f"agency:{item.agency_code}" if item.agency_code else "documents",
                object_type="document",
                object_id=item.document_id,
                data={
                    "message_id": item.message_id,
                    "receipt_id": receipt.receipt_id,
                    "received_at": receipt.received_at.isoformat(),
                    "sha256": item.sha256,
                    "adapter": getattr(store, "name", ""),
                },
            )
    return "delivered"


async def deliveries_for(dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's deliveries to the data store, oldest first."""
    return (
        await EStoreDelivery.select().where(EStoreDelivery.dossier == dossier_id).order_by(EStoreDelivery.id)
    )


async def signed_documents(dossier_id: int) -> dict[int, dict[str, Any]]:
    """For each signed document of the dossier: its latest signature (``signer_name``, ``signed_at``,
    ``version``) and its latest delivery to the data store (``delivery``: status, receipt, time, or None).
    Three queries whatever the number of documents."""
    docs = await GeneratedDocument.select(GeneratedDocument.id).where(GeneratedDocument.dossier == dossier_id)
    ids = [d["id"] for d in docs]
    if not ids:
        return {}
    out: dict[int, dict[str, Any]] = {}
    sigs = (
        await DocumentSignature.select(
            DocumentSignature.document,
            DocumentSignature.version,
            DocumentSignature.signer_name,
            DocumentSignature.signed_at,
        )
        .where(DocumentSignature.document.is_in(ids))
        .order_by(DocumentSignature.version)
    )
    for s in sigs:
        out[s["document"]] = {
            "version": s["version"],
            "signer_name": s["signer_name"],
            "signed_at": s["signed_at"],
            "delivery": None,
        }
    deliveries = (
        await EStoreDelivery.select(
            EStoreDelivery.document,
            EStoreDelivery.status,
            EStoreDelivery.receipt_id,
            EStoreDelivery.received_at,
            EStoreDelivery.attempts,
        )
        .where(EStoreDelivery.dossier == dossier_id)
        .order_by(EStoreDelivery.id)
    )
    for d in deliveries:
        if d["document"] in out:
            out[d["document"]]["delivery"] = d
    return out


async def signed_results(dossier_id: int) -> list[dict[str, Any]]:
    """The dossier's issued, signed electronic results for the citizen's page: ``id``, ``label``,
    ``number``, ``public_id`` and ``signed`` (see ``signed_documents``)."""
    from core.documents.hooks import kind_label

    signed = await signed_documents(dossier_id)
    if not signed:
        return []
    rows = (
        await GeneratedDocument.select(
            GeneratedDocument.id,
            GeneratedDocument.kind,
            GeneratedDocument.number,
            GeneratedDocument.public_id,
        )
        .where(
            (GeneratedDocument.dossier == dossier_id)
            & GeneratedDocument.id.is_in(list(signed))
            & (GeneratedDocument.status == "ready")
            & (GeneratedDocument.validity == "valid")
        )
        .order_by(GeneratedDocument.id)
    )
    return [
        {**r, "label": kind_label(r["kind"]), "signed": signed[r["id"]]}
        for r in rows
        if str(r["kind"]).startswith("result:")
    ]
