"""QR codes printed on documents: they open the dossier's public status page."""

from __future__ import annotations

from urllib.parse import quote

import segno

from core.settings import get_settings

__all__ = ("status_url", "qr_svg_data_uri")


def status_url(code: str) -> str:
    """The public status page of dossier ``code`` (``{MOTCUA_BASE_URL}/tra-cuu/{code}``)."""
    return f"{get_settings().base_url}/tra-cuu/{quote(code, safe='.-')}"


def qr_svg_data_uri(content: str) -> str:
    """An SVG data URI of ``content`` as a QR code, without a fixed size (the CSS sizes it).

    Error-correction level M: a receipt that is folded or slightly stained still scans.
    """
    return segno.make(content, error="m", micro=False).svg_data_uri(border=2, omitsize=True)
