"""Background task of documents: render one PDF (thin, idempotent; run by arq or in-process)."""

from __future__ import annotations

from typing import Any

__all__ = ("render_document", "deliver_to_estore")


async def render_document(ctx: dict[str, Any], document_id: int) -> str:
    """Render and store document ``document_id``; a ready document is skipped."""
    from core.documents import service

    return await service.render_document(document_id)


async def deliver_to_estore(ctx: dict[str, Any], delivery_id: int) -> str:
    """Send one signed result to the citizen's electronic data store; a delivered one is skipped."""
    from core.documents import estore

    return await estore.deliver(delivery_id)
