"""The ``login_throttle`` table: sign-in failure counters shared by every process (no Redis)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T08:30:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "login throttle counters"

_TABLE = {"table_class_name": "LoginThrottle", "tablename": "login_throttle", "schema": None}


def _params(**kw):
    base = {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    return {**base, **kw}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(class_name="LoginThrottle", tablename="login_throttle", schema=None, columns=None)
    manager.add_column(**_TABLE, column_name="key", db_column_name="key", column_class_name="Varchar",
                       column_class=Varchar, params=_params(length=160, default="", unique=True))
    manager.add_column(**_TABLE, column_name="hits", db_column_name="hits", column_class_name="Integer",
                       column_class=Integer, params=_params(default=0))
    manager.add_column(**_TABLE, column_name="until", db_column_name="until", column_class_name="Timestamptz",
                       column_class=Timestamptz, params=_params(default=TimestamptzNow(), index=True))
    return manager
