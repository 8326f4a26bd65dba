"""Composite unique index of the land registry (hand-written; both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-01T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "land composite unique indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS land_parcel_unique ON land_parcel (commune_code, map_sheet, parcel_number)",
)


class _Raw(Table, tablename="land_parcel"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="land", description=DESCRIPTION)

    async def run():
        for sql in STATEMENTS:
            await _Raw.raw(sql)

    manager.add_raw(run)
    return manager
