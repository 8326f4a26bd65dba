"""Queue tickets are numbered once per agency, day and service group (hand-written; both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T17:38:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue ticket numbering"


class _Raw(Table, tablename="queue_ticket"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS queue_ticket_number ON queue_ticket (agency, day, grp, number)"
        )

    manager.add_raw(run)
    return manager
