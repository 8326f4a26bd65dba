"""Piccolo app of the civil-status registry (tables + migrations/civil_status)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="civil_status",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "civil_status"),
    table_classes=table_finder(modules=["plugins.civil_status.tables"], exclude_imported=True),
    migration_dependencies=["core.db.piccolo_app"],
)
