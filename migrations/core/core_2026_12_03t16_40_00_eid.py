"""National e-ID sign-in (hand-written; both engines): ``motcua_user.eid_subject`` (the provider's
``sub``, unique) and ``motcua_user.eid_verified_at`` (set: CCCD, name and birth date are read-only)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T16:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "e-ID subject and verification time on users"


class _Raw(Table, tablename="motcua_user"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        await _Raw.raw("ALTER TABLE motcua_user ADD COLUMN eid_subject VARCHAR(255) NULL DEFAULT NULL")
        await _Raw.raw("ALTER TABLE motcua_user ADD COLUMN eid_verified_at TIMESTAMPTZ NULL DEFAULT NULL")
        await _Raw.raw("CREATE UNIQUE INDEX motcua_user_eid_subject ON motcua_user (eid_subject)")

    manager.add_raw(run)
    return manager
