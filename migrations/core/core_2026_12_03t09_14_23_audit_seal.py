"""Audit rows get a ``seal`` marker; rows already there are the unkeyed ``sha256`` kind (hand-written).

New rows are sealed with the audit key (``hmac-sha256``, see ``core.audit.chain``). The rows written
before this migration keep their original plain SHA-256 hashes, and this migration writes a
*cutover anchor* to ``<data dir>/audit-anchors.jsonl``: each chain's head as it is now, under the
key, which verification uses to accept those unkeyed rows (and only those). Nothing is written when
the log is empty (a new installation).
"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.table import Table

ID = "2026-12-03T09:14:23:000000"
VERSION = "1.38.0"
DESCRIPTION = "audit seal marker and cutover anchor"


class _Raw(Table, tablename="audit_entry"):
    """Only used to reach the engine."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="core", description=DESCRIPTION)

    async def run():
        await _Raw.raw("ALTER TABLE audit_entry ADD COLUMN seal VARCHAR(16) NOT NULL DEFAULT 'sha256'")
        heads = {r["chain"]: (r["seq"], r["hash"])
                 for r in await _Raw.raw("SELECT chain, seq, hash FROM audit_head WHERE seq > 0")}
        if heads:
            from core.audit.anchors import append_anchor

            append_anchor(heads, kind="cutover")

    manager.add_raw(run)
    return manager
