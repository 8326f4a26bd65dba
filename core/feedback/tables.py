"""Ratings of finished dossiers and complaints/suggestions with their answers."""

from __future__ import annotations

from piccolo.columns import Boolean, Date, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("Rating", "Complaint")


class Rating(Table):
    """One rating per dossier (R40), aggregated per agency and period."""

    id: Serial
    dossier_id = Integer(unique=True)
    """The dossier rated: unique, so a dossier is rated once whatever two requests race."""
    agency_id = Integer(index=True)
    """The receiving agency (the one the rating counts for)."""
    score = Varchar(length=20)
    """``very_satisfied``, ``satisfied`` or ``dissatisfied``."""
    comment = Text(default="")
    via = Varchar(length=16, default="account")
    """``account`` (the applicant signed in) or ``receipt`` (the receipt's secret link)."""
    created_at = Timestamptz(index=True)


class Complaint(Table):
    """A complaint or suggestion (phản ánh, kiến nghị), its answer and whether the answer is published."""

    id: Serial
    number = Varchar(length=20, unique=True)
    """Shown to the sender, e.g. ``PAKN-2026-000012``."""
    kind = Varchar(length=16)
    """``complaint`` (phản ánh) or ``suggestion`` (kiến nghị)."""
    agency_id = Integer(index=True)
    dossier_id = Integer(null=True, default=None)
    subject = Varchar(length=200)
    content = Text()
    sender_name = Varchar(length=120)
    sender_phone = Varchar(length=20, default="")
    sender_email = Varchar(length=254, default="")
    user_id = Integer(null=True, default=None)
    """The sender's account when signed in."""
    consent_publish = Boolean(default=False)
    """The sender agrees the question and answer be published without personal data."""
    status = Varchar(length=16, default="open", index=True)
    """``open`` or ``answered``."""
    due_on = Date(default=None, null=True)
    """The answer is due by this day (10 working days after receipt)."""
    created_at = Timestamptz(index=True)
    answer = Text(default="")
    public_question = Text(default="")
    """The question as published: written by staff from the content, personal data removed."""
    answered_by = Integer(null=True, default=None)
    answered_at = Timestamptz(null=True, default=None)
    published = Boolean(default=False, index=True)
