"""Background task of documents: render one PDF (thin, idempotent; run by arq or in-process)."""

from __future__ import annotations

from typing import Any

__all__ = ("render_document",)


async def render_document(ctx: dict[str, Any], document_id: int) -> str:
    """Render and store document ``document_id``; a ready document is skipped."""
    from core.documents import service

    return await service.render_document(document_id)
