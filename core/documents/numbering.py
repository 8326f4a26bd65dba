"""Document numbers: one counter row per (book, agency, year), allocated inside the caller's tx.

``INSERT … ON CONFLICT DO NOTHING`` then ``UPDATE … SET last = last + 1 RETURNING last``: on
PostgreSQL the UPDATE holds the row lock until commit, so numbers are distinct and gap-free; on
SQLite the write transaction is already exclusive.
"""

from __future__ import annotations

from core.db.tx import raw, write_tx

__all__ = ("next_number",)


async def next_number(book: str, agency_code: str, year: int) -> int:
    """The next number of ``book`` at ``agency_code`` in ``year`` (1, 2, 3 …)."""
    async with write_tx():
        await raw(
            "INSERT INTO document_counter (book, agency_code, year, last) VALUES ({}, {}, {}, 0) "
            "ON CONFLICT (book, agency_code, year) DO NOTHING",
            book,
            agency_code,
            year,
        )
        rows = await raw(
            "UPDATE document_counter SET last = last + 1 WHERE book = {} AND agency_code = {} AND year = {} "
            "RETURNING last",
            book,
            agency_code,
            year,
        )
    return int(rows[0]["last"])
