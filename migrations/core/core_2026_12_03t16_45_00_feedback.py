"""The ``rating`` and ``complaint`` tables: ratings of finished dossiers, complaints and suggestions."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-03T16:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "ratings and complaints"


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
    manager.add_table(class_name="Rating", tablename="rating", schema=None, columns=None)
    _add(manager, "Rating", "rating", "dossier_id", Integer, default=0, unique=True)
    _add(manager, "Rating", "rating", "agency_id", Integer, default=0, index=True)
    _add(manager, "Rating", "rating", "score", Varchar, length=20, default="")
    _add(manager, "Rating", "rating", "comment", Text, default="")
    _add(manager, "Rating", "rating", "via", Varchar, length=16, default="account")
    _add(manager, "Rating", "rating", "created_at", Timestamptz, default=TimestamptzNow(), index=True)

    manager.add_table(class_name="Complaint", tablename="complaint", schema=None, columns=None)
    c = ("Complaint", "complaint")
    _add(manager, *c, "number", Varchar, length=20, default="", unique=True)
    _add(manager, *c, "kind", Varchar, length=16, default="")
    _add(manager, *c, "agency_id", Integer, default=0, index=True)
    _add(manager, *c, "dossier_id", Integer, default=None, null=True)
    _add(manager, *c, "subject", Varchar, length=200, default="")
    _add(manager, *c, "content", Text, default="")
    _add(manager, *c, "sender_name", Varchar, length=120, default="")
    _add(manager, *c, "sender_phone", Varchar, length=20, default="")
    _add(manager, *c, "sender_email", Varchar, length=254, default="")
    _add(manager, *c, "user_id", Integer, default=None, null=True)
    _add(manager, *c, "consent_publish", Boolean, default=False)
    _add(manager, *c, "status", Varchar, length=16, default="open", index=True)
    _add(manager, *c, "due_on", Date, default=None, null=True)
    _add(manager, *c, "created_at", Timestamptz, default=TimestamptzNow(), index=True)
    _add(manager, *c, "answer", Text, default="")
    _add(manager, *c, "public_question", Text, default="")
    _add(manager, *c, "answered_by", Integer, default=None, null=True)
    _add(manager, *c, "answered_at", Timestamptz, default=None, null=True)
    _add(manager, *c, "published", Boolean, default=False, index=True)
    return manager
