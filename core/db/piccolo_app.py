"""Piccolo app ``core``: every table under ``core/*/tables.py``, migrations in ``migrations/core``."""

from __future__ import annotations

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

CORE_TABLE_MODULES = [
    "core.identity.tables",
    "core.catalogue.tables",
    "core.clock.tables",
    "core.dossiers.tables",
    "core.fees.tables",
    "core.documents.tables",
    "core.jobs.tables",
    "core.audit.tables",
    "core.notify.tables",
    "core.feedback.tables",
    "core.counter.tables",
    "core.stats.tables",
    "core.queue.tables",
    "core.nation.tables",
]

APP_CONFIG = AppConfig(
    app_name="core",
    migrations_folder_path=str(Path(__file__).resolve().parent.parent.parent / "migrations" / "core"),
    table_classes=table_finder(modules=CORE_TABLE_MODULES, exclude_imported=True),
    migration_dependencies=[],
    commands=[],
)
