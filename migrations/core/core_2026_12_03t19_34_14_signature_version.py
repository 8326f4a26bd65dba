"""One signed version number per document (hand-written; both engines)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T19:34:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "document signature version"


class _Raw(Table, tablename="document_signature"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        await _Raw.raw(
            "CREATE UNIQUE INDEX IF NOT EXISTS document_signature_version ON document_signature (document, version)"
        )

    manager.add_raw(run)
    return manager
