"""Suite 1 — code allocation and receipts at one agency vs many agencies, concurrently.

Codes come from one counter row per (agency, day) and every transition appends to its agency's audit
chain, so receipts at different agencies should not wait for each other. Each scenario runs the same
number of operations with the same concurrency; the figure is ``many / one`` (throughput), measured in
the same process: ≥ 1 means spreading the load over agencies does not queue it behind one row. On
SQLite every writer in the process queues on one lock by design (a single-writer database), so there
the ratio stays near 1; on PostgreSQL it shows the gain of independent counters.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from typing import Any

from bench import world

__all__ = ("run",)


class LockWaits:
    """PostgreSQL only: samples how many of this database's sessions wait on a lock, every 5 ms, on a
    connection of its own. Unlike throughput this does not depend on how busy the machine is: work
    queued behind one row shows as waiting sessions; independent work shows none."""

    def __init__(self):
        self.samples: list[int] = []
        self._task = None
        self._conn = None

    async def __aenter__(self):
        from core.settings import get_settings

        if not get_settings().is_postgres:
            return self
        import asyncpg

        self._conn = await asyncpg.connect(get_settings().database_url)

        async def sample():
            while True:
                self.samples.append(
                    await self._conn.fetchval(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND wait_event_type = 'Lock'"
                    )
                )
                await asyncio.sleep(0.005)

        self._task = asyncio.get_running_loop().create_task(sample())
        return self

    async def __aexit__(self, *exc):
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            await self._conn.close()

    @property
    def mean(self) -> float | None:
        return sum(self.samples) / len(self.samples) if self.samples else None


WAITS: list[float | None] = []
CPU: list[float] = []
"""Share of the wall time this process spent on the CPU, per measured batch: near 100 % means the
benchmark client itself (one Python process) was the bottleneck, not the database."""


async def _gather(jobs: list, concurrency: int) -> float:
    """Run the zero-argument coroutine functions ``jobs``, ``concurrency`` at a time; seconds taken."""
    sem = asyncio.Semaphore(concurrency)

    async def one(job):
        async with sem:
            return await job()

    start, cpu = time.perf_counter(), time.process_time()
    async with LockWaits() as waits:
        await asyncio.gather(*(one(j) for j in jobs))
    wall = time.perf_counter() - start
    WAITS.append(waits.mean)
    CPU.append((time.process_time() - cpu) / wall)
    return wall


async def _allocations(agencies: list[dict], n: int, concurrency: int) -> float:
    from datetime import datetime

    from core.db.tx import write_tx
    from core.dossiers import codes
    from core.text.templating import VN_TZ

    day = datetime.now(VN_TZ).date()

    def job(agency):
        async def go():
            async with write_tx():
                return await codes.allocate(agency["code"], day)

        return go

    return await _gather([job(agencies[i % len(agencies)]) for i in range(n)], concurrency)


async def _receipts(
    pairs: list[tuple[dict, Any]], n: int, concurrency: int, start_no: int
) -> tuple[float, list]:
    from core.dossiers import service

    drafts = []
    for i in range(n):
        agency, receiver = pairs[i % len(pairs)]
        drafts.append((await world.draft(agency, receiver, start_no + i), receiver))
    got: list = []

    def job(d, receiver):
        async def go():
            got.append(await service.receive(d.id, actor=receiver, version=d.version))

        return go

    seconds = await _gather([job(d, r) for d, r in drafts], concurrency)
    return seconds, got


def _check_codes(batches: list[list]) -> None:
    """Every code distinct and, within one batch of receipts, gap-free per agency and day (between
    batches the allocation benchmark takes numbers from the same counters)."""
    codes = [v.code for batch in batches for v in batch]
    assert len(set(codes)) == len(codes), "duplicate dossier codes"
    for batch in batches:
        _check_batch([v.code for v in batch])


def _check_batch(codes: list[str]) -> None:
    by_prefix: dict[str, list[int]] = {}
    for c in codes:
        prefix, seq = c.rsplit("-", 1)
        by_prefix.setdefault(prefix, []).append(int(seq))
    for prefix, seqs in by_prefix.items():
        seqs.sort()
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs))), f"gap in the codes of {prefix}"


async def run(n: int = 160, concurrency: int = 16, agencies: int = 16, rounds: int = 2) -> list[dict]:
    """Rows of the table: allocations/s and receipts/s at one agency and at ``agencies`` agencies."""
    w = await world.build(extra=agencies)
    ward_pair = w["receiving"][0]
    spread_pairs = w["receiving"][1:]
    alloc = {"one": [], "many": []}
    recv = {"one": [], "many": []}
    cpu: dict[str, list[float]] = {"code allocation": [], "receipt (receive transition)": []}
    waits: dict[tuple[str, str], list] = {}
    seen: list = []
    serial = 0
    for _ in range(rounds):
        for label, targets in (("one", [ward_pair[0]]), ("many", [a for a, _r in spread_pairs])):
            alloc[label].append(n / await _allocations(targets, n, concurrency))
            cpu["code allocation"].append(CPU[-1])
            waits.setdefault(("code allocation", label), []).append(WAITS[-1])
        for label, pairs in (("one", [ward_pair]), ("many", spread_pairs)):
            seconds, views = await _receipts(pairs, n, concurrency, serial)
            serial += n
            recv[label].append(n / seconds)
            cpu["receipt (receive transition)"].append(CPU[-1])
            waits.setdefault(("receipt (receive transition)", label), []).append(WAITS[-1])
            seen.append(views)
    _check_codes(seen)
    per_agency = Counter(v.receiving_agency.code for batch in seen for v in batch)
    assert per_agency[ward_pair[0]["code"]] == n * rounds
    rows = []

    def waiting(what: str, label: str) -> str:
        got = [w for w in waits.get((what, label), []) if w is not None]
        return "" if not got else f"; {max(got):.1f} sessions waiting on locks"

    for what, data in (("code allocation", alloc), ("receipt (receive transition)", recv)):
        one, many = max(data["one"]), max(data["many"])
        rows.append(
            {
                "suite": "codes",
                "what": what,
                "baseline": f"{one:,.0f}/s at 1 agency{waiting(what, 'one')}",
                "measured": f"{many:,.0f}/s at {agencies} agencies{waiting(what, 'many')}",
                "ratio": many / one,
                "note": f"{n} ops, {concurrency} concurrent, best of {rounds}; "
                f"bench process on CPU {max(cpu[what]):.0%} of the time",
            }
        )
    return rows
