"""Indexes for the staff inbox (``core.dossiers.inbox``; hand-written; both engines): the desk's
dossiers by receiving agency and state, and the active steps by step id (the step filter)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T16:35:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "staff inbox indexes"

STATEMENTS = (
    "CREATE INDEX IF NOT EXISTS dossier_desk ON dossier (receiving_agency, state)",
    "CREATE INDEX IF NOT EXISTS dossier_step_by_step ON dossier_step (step_id, status)",
)


class _Raw(Table, tablename="dossier"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        for sql in STATEMENTS:
            await _Raw.raw(sql)

    async def back():
        for name in ("dossier_desk", "dossier_step_by_step"):
            await _Raw.raw(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(run)
    manager.add_raw_backwards(back)
    return manager
