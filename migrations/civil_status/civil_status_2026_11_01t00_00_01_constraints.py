"""Composite unique indexes of the civil-status registry (hand-written; both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-01T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "civil status composite unique indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS civil_book_unique ON civil_book (agency_id, kind, year)",
    "CREATE UNIQUE INDEX IF NOT EXISTS civil_entry_number ON civil_entry (book, entry_number)",
)


class _Raw(Table, tablename="civil_book"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="civil_status", description=DESCRIPTION)

    async def run():
        for sql in STATEMENTS:
            await _Raw.raw(sql)

    manager.add_raw(run)
    return manager
