"""Digital signatures of generated documents (PAdES, R8, R11, R31, R33): signing in the document job and
validating on the verification page.

A document is marked for signing when it is requested: its frozen context gets ``_sign`` (the signer's
user id and role: the approver of the approval event for a result, the officer of the event for a legal
form). The render job renders the PDF (deterministic), then ``sign_rendered`` signs it with the
deployment's ``DocumentSigner`` (hook ``document_signer``) and keeps the signed bytes as a version
(``DocumentSignature``). Rendering the same content again (a lost file) reuses the kept signed version, so
the served file stays byte-identical; signing again (``sign_again``) makes a new version.

``validate_pdf`` checks every signature of a PDF with pyHanko's validator against the signer service's
trust roots (plus ``MOTCUA_SIGNING_TRUST_ROOTS``, PEM files separated by ``:``).
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.contract.errors import NotFound
from core.contract.signing import DocumentSigner, SignerRef, SigningUnavailable
from core.db.tx import is_postgres, raw, write_tx
from core.documents.tables import DocumentSignature, GeneratedDocument
from core.plugins import await_me_maybe, get_plugin_manager
from core.settings import get_settings

__all__ = (
    "SIGNED_KINDS",
    "SignatureCheck",
    "signer_service",
    "signs",
    "sign_marker",
    "sign_rendered",
    "sign_again",
    "signatures_of",
    "validate_pdf",
    "trust_roots",
)

log = logging.getLogger("motcua.documents")

SIGNED_KINDS = tuple(
    k.strip()
    for k in os.environ.get("MOTCUA_SIGN_KINDS", "result,form01,form02,form03,form04,form05").split(",")
    if k.strip()
)
"""Kinds of documents signed when issued (``MOTCUA_SIGN_KINDS``): ``result`` stands for every result
document; legal forms by id. Registers (form 06, 07) and fee receipts are not signed by a person."""

REASONS = {
    "approver": "Phê duyệt kết quả giải quyết thủ tục hành chính",
    "receiver": "Tiếp nhận hồ sơ",
    "officer": "Ban hành văn bản",
}


def signs(kind: str) -> bool:
    """Whether documents of ``kind`` are signed when issued."""
    return (kind.startswith("result:") and "result" in SIGNED_KINDS) or kind in SIGNED_KINDS


def sign_marker(kind: str, event: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The ``_sign`` entry of a document's context: who signs it (the event's actor), or None (no actor,
    or a kind that is not signed)."""
    if not event or not event.get("actor") or not signs(kind):
        return None
    if kind.startswith("result:"):
        role = "approver"
    elif kind == "form01":
        role = "receiver"
    else:
        role = "officer"
    return {"user_id": int(event["actor"]), "role": role, "agency": event.get("agency")}


async def signer_service() -> DocumentSigner | None:
    """The deployment's signing service (hook ``document_signer``), or None when signing is off."""
    return await await_me_maybe(get_plugin_manager().hook.document_signer())


async def _signer_ref(marker: Mapping[str, Any]) -> SignerRef:
    from core.identity.tables import Agency, User

    user = await User.select(User.id, User.full_name).where(User.id == marker["user_id"]).first()
    if user is None:
        raise SigningUnavailable(
            f"Không có người ký số {marker['user_id']}.",
        )
    agency = None
    if marker.get("agency"):
        agency = await Agency.select(Agency.code, Agency.name).where(Agency.id == marker["agency"]).first()
    return SignerRef(
        user_id=user["id"],
        full_name=user["full_name"],
        agency_code=(agency or {}).get("code", ""),
        agency_name=(agency or {}).get("name", ""),
        role=str(marker.get("role") or "officer"),
    )


def _version_path(row: Mapping[str, Any], version: int) -> Path:
    created = row["created_at"]
    return Path("documents") / f"{created:%Y}" / "signed" / f"{row['id']}-v{version}.pdf"


def _store(rel: Path, data: bytes) -> None:
    target = get_settings().files_dir / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)


async def _kept(document_id: int, digest: str) -> bytes | None:
    """The signed bytes of the latest version over the rendering ``digest``, if kept intact."""
    kept = (
        await DocumentSignature.select(DocumentSignature.path, DocumentSignature.sha256)
        .where((DocumentSignature.document == document_id) & (DocumentSignature.unsigned_sha256 == digest))
        .order_by(DocumentSignature.version, ascending=False)
        .first()
    )
    if kept:
        path = get_settings().files_dir / kept["path"]
        if path.is_file():
            data = path.read_bytes()
            if hashlib.sha256(data).hexdigest() == kept["sha256"]:
                return data
    return None


async def _sign_new(
    row: Mapping[str, Any], pdf: bytes, marker: Mapping[str, Any], *, again: bool = False
) -> bytes:
    service = await signer_service()
    if service is None:
        return pdf
    signer = await _signer_ref(marker)
    context = row["context"] if isinstance(row["context"], Mapping) else {}
    place = context.get("place") if isinstance(context.get("place"), str) else ""
    signed = await service.sign_pdf(
        pdf, signer, reason=REASONS.get(signer.role, REASONS["officer"]), location=place or signer.agency_name
    )
    if not signed.startswith(pdf):
        raise SigningUnavailable(
            "Dịch vụ ký số trả về tệp không giữ nguyên bản gốc (không phải chữ ký gia tăng)."
        )
    checks = await validate_pdf(signed, roots=list(service.trust_roots()))
    last = checks[-1] if checks else None
    if last is None or not last.intact:
        raise SigningUnavailable("Chữ ký vừa tạo không kiểm tra lại được.")
    digest = hashlib.sha256(pdf).hexdigest()
    async with write_tx():
        if is_postgres():  # two runners signing the same document: the second waits, then keeps the first's
            await raw("SELECT id FROM generated_document WHERE id = {} FOR UPDATE", row["id"])
        if not again and (found := await _kept(row["id"], digest)) is not None:
            return found
        prior = (
            await DocumentSignature.select(DocumentSignature.version)
            .where(DocumentSignature.document == row["id"])
            .order_by(DocumentSignature.version, ascending=False)
            .first()
        )
        version = (prior["version"] if prior else 0) + 1
        rel = _version_path(row, version)
        _store(rel, signed)
        await DocumentSignature.insert(
            DocumentSignature(
                document=row["id"],
                version=version,
                signer=signer.user_id,
                signer_name=signer.full_name,
                role=signer.role,
                service=service.name,
                subject=last.signer[:500],
                serial=last.serial[:64],
                signed_at=last.signed_at or datetime.now(UTC),
                unsigned_sha256=digest,
                sha256=hashlib.sha256(signed).hexdigest(),
                size=len(signed),
                path=str(rel),
            )
        )
    return signed


async def sign_rendered(row: Mapping[str, Any], pdf: bytes) -> bytes:
    """The bytes to store for a just-rendered document: ``pdf`` itself when it is not to be signed, the
    kept signed version of the same rendering when there is one, else a new signature (a new version).

    Raises:
        SigningUnavailable: the signer cannot sign now (the job retries).
    """
    context = row["context"] if isinstance(row["context"], Mapping) else {}
    marker = context.get("_sign")
    if not isinstance(marker, Mapping) or not signs(row["kind"]):
        return pdf
    if (found := await _kept(row["id"], hashlib.sha256(pdf).hexdigest())) is not None:
        return found
    return await _sign_new(row, pdf, marker)


async def sign_again(document_id: int, signer_user_id: int | None = None) -> int:
    """Sign a ready document again (a renewed certificate, another competent signer): the document is
    rendered again (the same bytes as first) and signed anew as a new version, which becomes the served
    file. Returns the new version number.

    Raises:
        NotFound: no such document, not ready, or not a signed kind.
        SigningUnavailable: the signer cannot sign now.
    """
    from core.documents import service as docs

    row = await docs.get_document(document_id)
    if row["status"] != "ready" or not signs(row["kind"]):
        raise NotFound("Không có văn bản đã ban hành để ký lại.")
    marker = dict(row["context"].get("_sign") or {})
    if signer_user_id is not None:
        marker["user_id"] = signer_user_id
    if not marker.get("user_id"):
        raise NotFound("Văn bản không có người ký.")
    unsigned = await docs.render_unsigned(row)
    signed = await _sign_new(row, unsigned, marker, again=True)
    await _serve(row, signed)
    rows = await DocumentSignature.select(DocumentSignature.version).where(
        DocumentSignature.document == document_id
    )
    return max(r["version"] for r in rows)


async def _serve(row: Mapping[str, Any], data: bytes) -> None:
    rel = Path(row["path"])
    _store(rel, data)
    await GeneratedDocument.update(
        {
            GeneratedDocument.sha256: hashlib.sha256(data).hexdigest(),
            GeneratedDocument.size: len(data),
        }
    ).where(GeneratedDocument.id == row["id"])


async def signatures_of(document_id: int) -> list[dict[str, Any]]:
    """The document's signed versions, oldest first."""
    return (
        await DocumentSignature.select()
        .where(DocumentSignature.document == document_id)
        .order_by(DocumentSignature.version)
    )


# --- validation -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignatureCheck:
    """What the validator found about one signature of a PDF."""

    field: str
    signer: str
    """The signing certificate's subject (``Common Name: …, Organization: …``)."""
    serial: str
    issuer: str
    """The certificate's issuer (the certification authority)."""
    signed_at: datetime | None
    """The signing time the signer declared (no trusted timestamp in PAdES B-B)."""
    intact: bool
    """The signed bytes were not changed (digest and cryptographic signature check)."""
    trusted: bool
    """The certificate chains up to a trusted root."""
    covers_file: bool
    """The signature covers the whole file (nothing was appended after it)."""
    chain: str
    """One line on the chain's status for the page."""

    @property
    def valid(self) -> bool:
        return self.intact and self.trusted and self.covers_file


def trust_roots_from_env() -> list[bytes]:
    """DER of the certificates in ``MOTCUA_SIGNING_TRUST_ROOTS`` (PEM files separated by ``:``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding

    roots: list[bytes] = []
    for item in filter(None, os.environ.get("MOTCUA_SIGNING_TRUST_ROOTS", "").split(":")):
        for cert in x509.load_pem_x509_certificates(Path(item).read_bytes()):
            roots.append(cert.public_bytes(Encoding.DER))
    return roots


async def trust_roots() -> list[bytes]:
    """The roots the verification page trusts: the signing service's and the configured ones."""
    service = await signer_service()
    roots = list(service.trust_roots()) if service else []
    return roots + trust_roots_from_env()


async def validate_pdf(content: bytes, *, roots: list[bytes] | None = None) -> list[SignatureCheck]:
    """Validate every signature in ``content`` (oldest first); [] for a PDF without one.

    Raises:
        ValueError: ``content`` is not a readable PDF.
    """
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    if roots is None:
        roots = await trust_roots()
    try:
        reader = PdfFileReader(io.BytesIO(content), strict=False)
        sigs = list(reader.embedded_signatures)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise ValueError(f"Không đọc được tệp PDF: {exc}") from exc
    checks: list[SignatureCheck] = []
    for sig in sigs:
        vc = ValidationContext(
            trust_roots=[asn1_x509.Certificate.load(r) for r in roots],
            allow_fetching=False,
            revocation_mode="soft-fail",
        )
        cert = sig.signer_cert
        subject = cert.subject.human_friendly if cert is not None else ""
        serial = format(cert.serial_number, "x") if cert is not None else ""
        issuer = cert.issuer.human_friendly if cert is not None else ""
        try:
            status = await async_validate_pdf_signature(sig, vc)
        except (SignatureValidationError, PdfError, ValueError, KeyError, TypeError) as exc:
            log.info("signature %s does not validate: %s", sig.field_name, exc)
            checks.append(
                SignatureCheck(sig.field_name, subject, serial, issuer, None, False, False, False, "invalid")
            )
            continue
        covers = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        if status.trusted:
            chain = "trusted"
        elif status.revoked:
            chain = "revoked"
        else:
            chain = "untrusted"
        checks.append(
            SignatureCheck(
                field=sig.field_name,
                signer=subject,
                serial=serial,
                issuer=issuer,
                signed_at=status.signer_reported_dt,
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted),
                covers_file=covers,
                chain=chain,
            )
        )
    return checks
