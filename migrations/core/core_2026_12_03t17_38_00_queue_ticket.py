"""The ``queue_ticket`` table (hand-written; both engines); its unique numbering is the next migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T17:38:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "queue tickets"

_T = {"table_class_name": "QueueTicket", "tablename": "queue_ticket", "schema": None}


class Agency(Table, tablename="agency"):
    pass


class User(Table, tablename="motcua_user"):
    pass


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


def _fk(table):
    return {
        "references": table,
        "on_delete": OnDelete.cascade,
        "on_update": OnUpdate.cascade,
        "target_column": None,
    }


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    manager.add_table(class_name="QueueTicket", tablename="queue_ticket", schema=None, columns=None)

    def add(name, cls, **params):
        manager.add_column(
            **_T,
            column_name=name,
            db_column_name=name,
            column_class_name=cls.__name__,
            column_class=cls,
            params=_params(**params),
        )

    add("agency", ForeignKey, default=None, null=True, index=True, **_fk(Agency))
    add("day", Date, default=DateNow())
    add("grp", Varchar, length=32, default="")
    add("letter", Varchar, length=2, default="")
    add("number", Integer, default=0)
    add("token", Varchar, length=32, default="", unique=True)
    add("status", Varchar, length=12, default="waiting", index=True)
    add("counter", Integer, default=None, null=True)
    add("calls", Integer, default=0)
    add("called_at", Timestamptz, default=None, null=True)
    add("called_by", ForeignKey, default=None, null=True, **_fk(User))
    add("created_at", Timestamptz, default=TimestamptzNow())

    return manager
