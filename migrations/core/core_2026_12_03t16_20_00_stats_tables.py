"""The statistics tables: ``stat_fact`` (one row per counted happening) and ``stat_counter`` (daily sums
per agency, procedure, channel and metric), kept in each transition's transaction (hand-written)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import BigInt, Date, Integer, Serial, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T16:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics facts and counters"


def _params(**kw):
    base = {"null": False, "primary_key": False, "unique": False, "index": False,
            "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False}
    return {**base, **kw}


_COLUMNS = {
    "StatFact": (
        ("metric", Varchar, {"length": 32, "default": ""}),
        ("ref", Varchar, {"length": 40, "default": ""}),
        ("dossier", Integer, {"default": 0}),
        ("agency", Integer, {"default": 0}),
        ("procedure_code", Varchar, {"length": 64, "default": ""}),
        ("domain", Varchar, {"length": 32, "default": ""}),
        ("channel", Varchar, {"length": 16, "default": ""}),
        ("day", Date, {"default": None, "null": True}),
    ),
    "StatCounter": (
        ("agency", Integer, {"default": 0}),
        ("procedure_code", Varchar, {"length": 64, "default": ""}),
        ("domain", Varchar, {"length": 32, "default": ""}),
        ("day", Date, {"default": None, "null": True}),
        ("channel", Varchar, {"length": 16, "default": ""}),
        ("metric", Varchar, {"length": 32, "default": ""}),
        ("value", BigInt, {"default": 0}),
    ),
}
_TABLES = {"StatFact": "stat_fact", "StatCounter": "stat_counter"}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)
    for cls, table in _TABLES.items():
        manager.add_table(class_name=cls, tablename=table, schema=None, columns=None)
        manager.add_column(table_class_name=cls, tablename=table, schema=None, column_name="id",
                           db_column_name="id", column_class_name="Serial", column_class=Serial,
                           params=_params(primary_key=True, default=None))
        for name, col, params in _COLUMNS[cls]:
            manager.add_column(table_class_name=cls, tablename=table, schema=None, column_name=name,
                               db_column_name=name, column_class_name=col.__name__, column_class=col,
                               params=_params(**params))
    return manager
