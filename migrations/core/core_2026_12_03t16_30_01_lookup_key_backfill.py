"""A fresh status look-up key for every dossier that has none (R36; hand-written; both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T16:30:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "dossier status look-up key for existing dossiers"


class _Raw(Table, tablename="dossier"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def backfill():
        from core.dossiers.codes import new_lookup_key

        for row in await _Raw.raw("SELECT id FROM dossier WHERE lookup_key = ''"):
            await _Raw.raw("UPDATE dossier SET lookup_key = {} WHERE id = {}", new_lookup_key(), row["id"])

    manager.add_raw(backfill)
    return manager
