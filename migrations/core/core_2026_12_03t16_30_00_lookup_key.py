"""The status look-up secret of each dossier (R36; hand-written; both engines): ``dossier.lookup_key``.

Dossiers already there get a fresh key each (the next migration: piccolo runs a migration's raw
steps before its column changes), so their public status page needs the key too; their
receipts printed before this change carry only the code, and their applicants see the key on their
own dossier page (or ask the counter).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T16:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "dossier status look-up key"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Dossier",
        tablename="dossier",
        column_name="lookup_key",
        db_column_name="lookup_key",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
            "default": "",
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
