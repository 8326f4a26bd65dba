"""Composite unique indexes Piccolo's columns cannot express (hand-written; both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-11-01T00:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "composite unique indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS dossier_event_seq ON dossier_event (dossier, seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS code_counter_agency_day ON code_counter (agency_code, day)",
    "CREATE UNIQUE INDEX IF NOT EXISTS audit_entry_chain_seq ON audit_entry (chain, seq)",
    "CREATE UNIQUE INDEX IF NOT EXISTS role_grant_unique ON role_grant (\"user\", agency, role)",
    "CREATE UNIQUE INDEX IF NOT EXISTS procedure_activation_unique ON procedure_activation (agency, procedure_code)",
    "CREATE UNIQUE INDEX IF NOT EXISTS procedure_version_unique ON procedure_version (procedure_code, version)",
    "CREATE INDEX IF NOT EXISTS dossier_step_inbox ON dossier_step (agency, status, role)",
    "CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, priority, id)",
    "CREATE UNIQUE INDEX IF NOT EXISTS document_counter_book ON document_counter (book, agency_code, year)",
    "CREATE INDEX IF NOT EXISTS dossier_register ON dossier (receiving_agency, received_at)",
)


class _Raw(Table, tablename="dossier_event"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        for sql in STATEMENTS:
            await _Raw.raw(sql)

    manager.add_raw(run)
    return manager
