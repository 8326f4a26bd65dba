"""The ``document_signature`` and ``estore_delivery`` tables (hand-written; both engines); the unique
(document, version) index is the next migration."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-12-03T19:33:14:000000"
VERSION = "1.38.0"
DESCRIPTION = "document signatures and e-data store deliveries"


class GeneratedDocument(Table, tablename="generated_document"):
    pass


class Dossier(Table, tablename="dossier"):
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

    def table(class_name, tablename):
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        ident = {"table_class_name": class_name, "tablename": tablename, "schema": None}

        def add(name, cls, **params):
            manager.add_column(
                **ident,
                column_name=name,
                db_column_name=name,
                column_class_name=cls.__name__,
                column_class=cls,
                params=_params(**params),
            )

        return add

    add = table("DocumentSignature", "document_signature")
    add("document", ForeignKey, default=None, index=True, **_fk(GeneratedDocument))
    add("version", Integer, default=1)
    add("signer", ForeignKey, default=None, null=True, **_fk(User))
    add("signer_name", Varchar, length=255, default="")
    add("role", Varchar, length=16, default="")
    add("service", Varchar, length=64, default="")
    add("subject", Varchar, length=500, default="")
    add("serial", Varchar, length=64, default="")
    add("signed_at", Timestamptz, default=TimestamptzNow())
    add("unsigned_sha256", Varchar, length=64, default="")
    add("sha256", Varchar, length=64, default="")
    add("size", Integer, default=0)
    add("path", Varchar, length=500, default="")

    add = table("EStoreDelivery", "estore_delivery")
    add("document", ForeignKey, default=None, index=True, **_fk(GeneratedDocument))
    add("dossier", ForeignKey, default=None, index=True, **_fk(Dossier))
    add("message_id", Varchar, length=100, default="", unique=True)
    add("adapter", Varchar, length=64, default="")
    add("status", Varchar, length=16, default="pending")
    add("attempts", Integer, default=0)
    add("error", Text, default="")
    add("receipt_id", Varchar, length=100, default="")
    add("received_at", Timestamptz, default=None, null=True)
    add("store_sha256", Varchar, length=64, default="")
    add("answer", Text, default="")
    add("created_at", Timestamptz, default=TimestamptzNow())
    add("delivered_at", Timestamptz, default=None, null=True)

    return manager
