"""A pending stop request on a dossier (hand-written; both engines): ``dossier.stop_requested_at``,
NULL when none is waiting for a leader's decision; indexed, since the leaders' page lists them."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T16:19:22:000000"
VERSION = "1.38.0"
DESCRIPTION = "dossier stop request awaiting a decision"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Dossier",
        tablename="dossier",
        column_name="stop_requested_at",
        db_column_name="stop_requested_at",
        column_class_name="Timestamptz",
        column_class=Timestamptz,
        params={
            "default": None,
            "null": True,
            "primary_key": False,
            "unique": False,
            "index": True,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager
