"""Indexes of the statistics tables and the overdue-now index on open dossiers (hand-written; both
engines): the counters' key is unique (the upsert's conflict target), a fact is counted once."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T16:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "statistics indexes"

STATEMENTS = (
    "CREATE UNIQUE INDEX IF NOT EXISTS stat_counter_key ON stat_counter (agency, day, procedure_code, channel, metric)",
    "CREATE INDEX IF NOT EXISTS stat_counter_day ON stat_counter (day, metric)",
    "CREATE UNIQUE INDEX IF NOT EXISTS stat_fact_ref ON stat_fact (metric, ref)",
    "CREATE INDEX IF NOT EXISTS stat_fact_list ON stat_fact (metric, agency, day)",
    "CREATE INDEX IF NOT EXISTS stat_fact_day ON stat_fact (metric, day)",
    "CREATE INDEX IF NOT EXISTS dossier_open_due ON dossier (state, due_at)",
)


class _Raw(Table, tablename="stat_counter"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        for sql in STATEMENTS:
            await _Raw.raw(sql)

    manager.add_raw(run)
    return manager
