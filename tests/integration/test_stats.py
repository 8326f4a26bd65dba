"""Leaders' statistics (issue 9): counters written in each transition's transaction agree with a
rebuild from the events; the dashboard's figures are the known ones of a built world; drill-downs
list the dossiers behind each number with a constant query count; the Decision 766 indicators, the
reports (PDF, Excel) and who may see what."""

from __future__ import annotations

import pytest

from core.stats.tables import StatCounter, StatFact
from tests.fixtures.stats_world import build_stats_world


@pytest.fixture
async def world(db, temp_plugin, monkeypatch):
    return await build_stats_world(temp_plugin, monkeypatch)


async def _counters() -> dict[tuple, int]:
    rows = await StatCounter.select()
    return {
        (r["agency"], r["procedure_code"], str(r["day"]), r["channel"], r["metric"]): r["value"] for r in rows
    }


async def test_incremental_counters_agree_with_a_rebuild_from_events(world):
    from core.stats.rebuild import rebuild

    incremental = await _counters()
    facts_before = sorted((r["metric"], r["ref"]) for r in await StatFact.select(StatFact.metric, StatFact.ref))
    assert incremental, "the hook counted nothing"
    out = await rebuild()
    assert await _counters() == incremental
    assert sorted((r["metric"], r["ref"]) for r in await StatFact.select(StatFact.metric, StatFact.ref)) == facts_before
    assert out["facts"] == len(facts_before) and out["counters"] == len(incremental)
    # a lost counter is repaired
    await StatCounter.delete(force=True)
    await rebuild()
    assert await _counters() == incremental
