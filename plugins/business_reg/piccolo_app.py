"""Piccolo app of the business register (tables + migrations/business_reg)."""

from pathlib import Path

from piccolo.conf.apps import AppConfig, table_finder

APP_CONFIG = AppConfig(
    app_name="business_reg",
    migrations_folder_path=str(Path(__file__).resolve().parents[2] / "migrations" / "business_reg"),
    table_classes=table_finder(modules=["plugins.business_reg.tables"], exclude_imported=True),
    migration_dependencies=["core.db.piccolo_app"],
)
