"""QR codes printed on documents: they open the dossier's public status page, and (issued results) the
document's public verification page."""

from __future__ import annotations

import secrets

import segno

from core.dossiers.codes import status_url
from core.settings import get_settings

__all__ = ("status_url", "qr_svg_data_uri", "verify_url", "new_public_id", "PUBLIC_ID_PATTERN")

PUBLIC_ID_PATTERN = r"[A-Za-z0-9_-]{20,32}"
"""What a verification id looks like (``new_public_id``: 24 URL-safe characters, 144 random bits)."""


def new_public_id() -> str:
    """An unguessable id for a document's verification address: nobody can list documents by counting."""
    return secrets.token_urlsafe(18)


def verify_url(public_id: str) -> str:
    """The public verification page of an issued document (``{MOTCUA_BASE_URL}/xac-minh/{public_id}``)."""
    return f"{get_settings().base_url}/xac-minh/{public_id}"


def qr_svg_data_uri(content: str) -> str:
    """An SVG data URI of ``content`` as a QR code, without a fixed size (the CSS sizes it).

    Error-correction level M: a receipt that is folded or slightly stained still scans.
    """
    return segno.make(content, error="m", micro=False).svg_data_uri(border=2, omitsize=True)
