"""The ``deadline_alert`` table: one row per near-due / overdue alert sent (``core.notify.alerts``)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T17:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "deadline alerts sent"

_TABLE = {"table_class_name": "DeadlineAlert", "tablename": "deadline_alert", "schema": None}


def _params(**kw):
    base = {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    return {**base, **kw}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(class_name="DeadlineAlert", tablename="deadline_alert", schema=None, columns=None)
    manager.add_column(**_TABLE, column_name="key", db_column_name="key", column_class_name="Varchar",
                       column_class=Varchar, params=_params(length=120, default="", unique=True))
    manager.add_column(**_TABLE, column_name="dossier", db_column_name="dossier", column_class_name="Integer",
                       column_class=Integer, params=_params(default=0, index=True))
    manager.add_column(**_TABLE, column_name="colour", db_column_name="colour", column_class_name="Varchar",
                       column_class=Varchar, params=_params(length=8, default=""))
    manager.add_column(**_TABLE, column_name="due_at", db_column_name="due_at", column_class_name="Timestamptz",
                       column_class=Timestamptz, params=_params(default=TimestamptzNow()))
    manager.add_column(**_TABLE, column_name="recipients", db_column_name="recipients",
                       column_class_name="Integer", column_class=Integer, params=_params(default=0))
    manager.add_column(**_TABLE, column_name="created_at", db_column_name="created_at",
                       column_class_name="Timestamptz", column_class=Timestamptz,
                       params=_params(default=TimestamptzNow()))
    return manager
