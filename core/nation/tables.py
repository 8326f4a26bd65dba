"""What was exchanged with the national public-service portal: every status message sent
(``NationalMessage``), every dossier pulled in (``NationalImport``) and each day's reconciliation
(``NationalReconciliation``)."""

from __future__ import annotations

from piccolo.columns import JSON, Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("NationalMessage", "NationalImport", "NationalReconciliation")


class NationalMessage(Table):
    """One dossier change to report to the portal: written with the change (same transaction), sent
    by the ``national_push`` task. The message id makes the exchange idempotent on both sides."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    message_id = Varchar(length=120, unique=True)
    """``<dossier code>:e<event seq>`` for a state change, ``<dossier code>:p<payment id>`` for a payment,
    ``<dossier code>:r<rating id>`` for a rating."""
    dossier = Integer(index=True)
    dossier_code = Varchar(length=64, index=True)
    event_at = Timestamptz(index=True)
    """When the change happened here: the start of the sync clock (R31: within 10 minutes)."""
    status = Varchar(length=16, default="pending", index=True)
    """``pending`` (queued or retrying; the outbox row has the error) or ``sent``."""
    outbox_id = Integer(null=True, default=None)
    sent_at = Timestamptz(null=True, default=None)
    lag_seconds = Integer(null=True, default=None)
    """``sent_at - event_at``, in seconds."""
    reference = Varchar(length=128, default="")
    """The portal's acknowledgement reference."""
    version = Integer(default=0)
    """The dossier's version (``PhienBan``) the message carried."""


class NationalImport(Table):
    """A dossier submitted on the portal and pulled in (or refused, with why)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    code = Varchar(length=64, unique=True)
    """The portal's dossier code, kept as the dossier's code (R6)."""
    dossier = Integer(null=True, default=None)
    status = Varchar(length=16, default="imported", index=True)
    """``imported`` or ``rejected`` (``error`` says why; retried at every pull)."""
    error = Text(default="")
    payload = JSON(default={})
    """The portal's record as pulled (kept for a rejected one, to show and retry)."""
    pulled_at = Timestamptz()
    acknowledged_at = Timestamptz(null=True, default=None)


class NationalReconciliation(Table):
    """The comparison of one day's changes between this system and the portal."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    day = Date(unique=True)
    generated_at = Timestamptz()
    checked = Integer(default=0)
    """Dossiers compared (changed that day on either side)."""
    differences = JSON(default=[])
    """``[{"code", "kind", "local", "portal"}]``; ``kind``: ``missing_on_portal``, ``missing_here``,
    ``status``, ``version``, ``payments``, ``ratings``, ``late`` (sent after more than 10 minutes)."""
