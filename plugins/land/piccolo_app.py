"""Piccolo app of the land registry (tables + migrations/land)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="land",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "land"),
    table_classes=table_finder(modules=["plugins.land.tables"], exclude_imported=True),
    migration_dependencies=["core.db.piccolo_app"],
)
