"""The national portal's sync tables: messages sent, dossiers pulled in, daily reconciliations."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import JSON, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T19:35:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "national portal sync"


def _params(**kw):
    base = {
        "null": False,
        "primary_key": False,
        "unique": False,
        "index": False,
        "index_method": IndexMethod.btree,
        "choices": None,
        "db_column_name": None,
        "secret": False,
    }
    return {**base, **kw}


def _add(manager, cls_name, table, name, column_class, **kw):
    manager.add_column(
        table_class_name=cls_name,
        tablename=table,
        schema=None,
        column_name=name,
        db_column_name=name,
        column_class_name=column_class.__name__,
        column_class=column_class,
        params=_params(**kw),
    )


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    m = ("NationalMessage", "national_message")
    manager.add_table(class_name=m[0], tablename=m[1], schema=None, columns=None)
    _add(manager, *m, "message_id", Varchar, length=120, default="", unique=True)
    _add(manager, *m, "dossier", Integer, default=0, index=True)
    _add(manager, *m, "dossier_code", Varchar, length=64, default="", index=True)
    _add(manager, *m, "event_at", Timestamptz, default=TimestamptzNow(), index=True)
    _add(manager, *m, "status", Varchar, length=16, default="pending", index=True)
    _add(manager, *m, "outbox_id", Integer, default=None, null=True)
    _add(manager, *m, "sent_at", Timestamptz, default=None, null=True)
    _add(manager, *m, "lag_seconds", Integer, default=None, null=True)
    _add(manager, *m, "reference", Varchar, length=128, default="")
    _add(manager, *m, "version", Integer, default=0)

    i = ("NationalImport", "national_import")
    manager.add_table(class_name=i[0], tablename=i[1], schema=None, columns=None)
    _add(manager, *i, "code", Varchar, length=64, default="", unique=True)
    _add(manager, *i, "dossier", Integer, default=None, null=True)
    _add(manager, *i, "status", Varchar, length=16, default="imported", index=True)
    _add(manager, *i, "error", Text, default="")
    _add(manager, *i, "payload", JSON, default="{}")
    _add(manager, *i, "pulled_at", Timestamptz, default=TimestamptzNow())
    _add(manager, *i, "acknowledged_at", Timestamptz, default=None, null=True)

    r = ("NationalReconciliation", "national_reconciliation")
    manager.add_table(class_name=r[0], tablename=r[1], schema=None, columns=None)
    _add(manager, *r, "day", Date, default=DateNow(), unique=True)
    _add(manager, *r, "generated_at", Timestamptz, default=TimestamptzNow())
    _add(manager, *r, "checked", Integer, default=0)
    _add(manager, *r, "differences", JSON, default="[]")
    return manager
