"""The interface to the citizen's electronic data store (kho quản lý dữ liệu điện tử, R29, R31).

A deployment has at most one adapter, given by the ``e_data_store`` hook (``firstresult``). Core ships a
reference adapter speaking HTTP + JSON (``core.documents.estore.HttpEDataStore``); a province writes the
production one against the same protocol (see ``docs/integration.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, runtime_checkable

__all__ = ("EStoreItem", "EStoreReceipt", "EDataStore", "EStoreRejected")


@dataclass(frozen=True, slots=True)
class EStoreItem:
    """One signed electronic result to put into a citizen's data store."""

    message_id: str
    """Idempotency key of the delivery (``<document id>:<version>``): the store answers the same receipt
    to the same message id, so a retry never files the document twice."""
    document_id: int
    dossier_code: str
    owner_id: str
    """The citizen's personal identification number (CCCD, 12 digits) or the organisation's tax code."""
    owner_name: str
    title: str
    number: str
    issued_at: datetime
    agency_code: str
    agency_name: str
    filename: str
    content: bytes
    """The signed PDF."""
    sha256: str
    verify_url: str


@dataclass(frozen=True, slots=True)
class EStoreReceipt:
    """The store's acknowledgement: the proof of delivery (R29)."""

    receipt_id: str
    received_at: datetime
    sha256: str
    """The digest of the file as the store computed it (must equal the one sent)."""
    raw: str = ""
    """The store's answer as received (kept as evidence, at most a few kilobytes)."""


class EStoreRejected(Exception):
    """The store refused the item for good (unknown owner, invalid file): not retried."""

    retryable = False


@runtime_checkable
class EDataStore(Protocol):
    """An adapter to the electronic data store."""

    name: str

    async def deliver(self, item: EStoreItem) -> EStoreReceipt:
        """Deliver ``item`` and return the store's receipt. Raise ``EStoreRejected`` for a refusal that a
        retry cannot change, any other exception for a failure worth retrying (network, 5xx)."""
        ...
