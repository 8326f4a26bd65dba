"""The counter's cash book: ``cash_book_entry`` (one line per payment a clerk recorded) and
``cash_book_closing`` (one end-of-day reconciliation per counter-day, unique)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import JSON, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T16:20:06:000000"
VERSION = "1.38.0"
DESCRIPTION = "counter cash book and its closings"


class Agency(Table, tablename="agency", schema=None):
    id = Serial(null=False, primary_key=True)


class User(Table, tablename="motcua_user", schema=None):
    id = Serial(null=False, primary_key=True)


class Payment(Table, tablename="payment", schema=None):
    id = Serial(null=False, primary_key=True)


def _params(**kw):
    base = {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    return {**base, **kw}


def _fk(table, **kw):
    return _params(references=table, on_delete=OnDelete.cascade, on_update=OnUpdate.cascade,
                   target_column=None, **kw)


def _add(manager, table, tablename, name, cls, **params):
    manager.add_column(table_class_name=table, tablename=tablename, column_name=name, db_column_name=name,
                       column_class_name=cls.__name__, column_class=cls, params=params, schema=None)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    t, n = "CashBookEntry", "cash_book_entry"
    manager.add_table(class_name=t, tablename=n, schema=None, columns=None)
    _add(manager, t, n, "payment", ForeignKey, **_fk(Payment, unique=True))
    _add(manager, t, n, "agency", ForeignKey, **_fk(Agency, index=True))
    _add(manager, t, n, "counter", Integer, **_params(default=0))
    _add(manager, t, n, "day", Date, **_params(default=None, null=True, index=True))
    _add(manager, t, n, "method", Varchar, **_params(length=32, default=""))
    _add(manager, t, n, "amount", Integer, **_params(default=0))
    _add(manager, t, n, "dossier_code", Varchar, **_params(length=64, default=""))
    _add(manager, t, n, "recorded_by", ForeignKey, **_fk(User, null=True))
    _add(manager, t, n, "recorded_at", Timestamptz, **_params(default=TimestamptzNow()))

    t, n = "CashBookClosing", "cash_book_closing"
    manager.add_table(class_name=t, tablename=n, schema=None, columns=None)
    _add(manager, t, n, "key", Varchar, **_params(length=64, default="", unique=True))
    _add(manager, t, n, "agency", ForeignKey, **_fk(Agency, index=True))
    _add(manager, t, n, "counter", Integer, **_params(default=0))
    _add(manager, t, n, "day", Date, **_params(default=None, null=True))
    _add(manager, t, n, "expected_cash", Integer, **_params(default=0))
    _add(manager, t, n, "counted_cash", Integer, **_params(default=0))
    _add(manager, t, n, "difference", Integer, **_params(default=0))
    _add(manager, t, n, "totals", JSON, **_params(default="{}"))
    _add(manager, t, n, "note", Text, **_params(default=""))
    _add(manager, t, n, "closed_by", ForeignKey, **_fk(User, null=True))
    _add(manager, t, n, "closed_at", Timestamptz, **_params(default=TimestamptzNow()))
    return manager
