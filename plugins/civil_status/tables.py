"""The civil-status registry: books (sổ hộ tịch), entries, certified extracts, linked results.

Tables reference agencies by id (plain integers): plugins never import core tables.
"""

from __future__ import annotations

from piccolo.columns import JSON, Date, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

__all__ = ("CivilBook", "CivilEntry", "CivilExtract", "LinkedResult")


class CivilBook(Table, tablename="civil_book"):
    """One book per (agency, kind, year); its counters allocate entry and extract numbers.

    ``kind``: ``birth``, ``marriage``, ``death`` (civil-status books) or ``residence``,
    ``health_insurance`` (the numbering of the linked agencies' results of NĐ 63/2024 group 1).
    """

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    agency_id = Integer(index=True)
    agency_code = Varchar(length=32, default="")
    kind = Varchar(length=24)
    year = Integer()
    number = Varchar(length=16)
    """Book number as printed: ``"01/2026"``."""
    last_entry = Integer(default=0)
    """Last entry number allocated (incremented inside the registering transaction)."""
    last_extract = Integer(default=0)
    """Last certified-extract serial allocated in this book."""
    opened_at = Timestamptz()


class CivilEntry(Table, tablename="civil_entry"):
    """One registration written into a book: the public identifier is (book number, entry number)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    book = ForeignKey(references=CivilBook, index=True)
    entry_number = Integer()
    kind = Varchar(length=24, index=True)
    agency_id = Integer(index=True)
    registered_on = Date(default=None, null=True)
    event_date = Date(default=None, null=True)
    """Date of birth, of the marriage registration, or of death."""
    person_name = Varchar(length=255)
    """The child, the husband, or the deceased."""
    person_cccd = Varchar(length=12, null=True, default=None, index=True)
    partner_name = Varchar(length=255, default="")
    """For marriages: the wife."""
    partner_cccd = Varchar(length=12, null=True, default=None, index=True)
    status = Varchar(length=16, default="active", index=True)
    """``active``; for marriages also ``dissolved`` (divorce recorded) or ``ended_death``."""
    ended_on = Date(default=None, null=True)
    ended_by = Varchar(length=64, default="")
    """Public identifier of the entry or decision that ended it."""
    dossier_code = Varchar(length=64, default="", index=True)
    data = JSON(default={})
    """The registered details, as printed on extracts."""
    created_at = Timestamptz()


class CivilExtract(Table, tablename="civil_extract"):
    """A certified extract (trích lục) or certificate issued from an entry."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    entry = ForeignKey(references=CivilEntry, index=True)
    number = Varchar(length=48, unique=True)
    kind = Varchar(length=16, default="original")
    """``original`` (issued at registration) or ``copy`` (bản sao trích lục)."""
    copies = Integer(default=1)
    issued_on = Date(default=None, null=True)
    dossier_code = Varchar(length=64, default="")


class LinkedResult(Table, tablename="civil_linked_result"):
    """A result issued by a linked agency in the NĐ 63/2024 group-1 route (residence, health insurance)."""

    id: Serial  # Piccolo's implicit primary key, declared for the type checker

    kind = Varchar(length=24, index=True)
    """``residence`` or ``health_insurance``."""
    number = Varchar(length=48, unique=True)
    agency_id = Integer(index=True)
    birth_entry = ForeignKey(references=CivilEntry, null=True)
    dossier_code = Varchar(length=64, index=True)
    person_name = Varchar(length=255)
    issued_on = Date(default=None, null=True)
    data = JSON(default={})
