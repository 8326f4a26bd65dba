"""Public verification of issued documents (hand-written; both engines): an unguessable ``public_id``
(unique) and the document's validity (valid, revoked, superseded), with who changed it, when and why."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T16:47:13:000000"
VERSION = "1.38.0"
DESCRIPTION = "document verification: public id and validity"


class _Raw(Table, tablename="generated_document"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        for column in (
            "public_id VARCHAR(32) NULL DEFAULT NULL",
            "validity VARCHAR(16) NOT NULL DEFAULT 'valid'",
            "validity_reason TEXT NOT NULL DEFAULT ''",
            "validity_changed_at TIMESTAMPTZ NULL DEFAULT NULL",
            "validity_changed_by INTEGER NULL DEFAULT NULL",
            "superseded_by INTEGER NULL DEFAULT NULL",
        ):
            await _Raw.raw(f"ALTER TABLE generated_document ADD COLUMN {column}")
        await _Raw.raw("CREATE UNIQUE INDEX generated_document_public_id ON generated_document (public_id)")

    manager.add_raw(run)
    return manager
