"""Suite 2 — list pages and the dossier page with ``small`` rows, then with ``large`` rows.

Pages read through indexes and show one page of rows, so the time of a request should not grow with
the table behind it. Each page is requested ``repeat`` times (after warm-up) from the app served by
uvicorn in a subprocess (one worker, its own connection pool); the figure is
``best(large) / best(small)`` — near 1 is the goal — with the number of SQL queries of one
request at each size beside it (counted through the app in this process).

What grows, per page:

* ``/so-theo-doi`` (register): dossiers received at the ward this month (page of 100).
* ``/ho-so/{code}``: dossiers (with their events) in the database; the dossier shown has ~40 events
  made by the engine (suspended and resumed again and again).
* ``/quan-tri/nhat-ky``: entries of the global audit chain (hash-chained as ``chain.append`` does).
* ``/quan-tri/tac-vu``: outbox rows (90 % done, 10 % failed; the "done" tab is shown).
* ``/thu-tuc``: activation rows (every declared procedure enabled at more and more agencies; with
  ``FILLER_PROCEDURES`` more procedures declared, 10 000 rows are ~90 agencies. The page's agency
  filter lists every agency, one ``<option>`` each, so it grows with agencies by design).

The first few rows of each table are made by the application's services (engine, audit chain,
outbox, catalogue); the bulk is copied from them with multi-row inserts, because the services write
one row per transaction and 10 000 dossiers through the engine would take many minutes here.
Background work of the set-up is run before measuring, so the server's in-process runner stays idle.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from bench import world

__all__ = ("run", "PAGES")

CHUNK = 500
"""Rows per multi-row insert (PostgreSQL accepts at most 32 767 parameters per statement)."""

PAGES = ("register", "dossier", "audit", "jobs", "catalogue")
FILLER_PROCEDURES = 100
"""Procedures declared on top of the plugins', so 10 000 activation rows are ~90 agencies (a
province has about 100–200) rather than hundreds."""


async def _insert(table, rows: list) -> list[int]:
    from core.db.tx import write_tx

    ids: list[int] = []
    async with write_tx():
        for i in range(0, len(rows), CHUNK):
            got = await table.insert(*rows[i : i + CHUNK]).returning(table.id)
            ids += [r["id"] for r in got]
    return ids


class Data:
    """Grows each page's table to a target size, copying rows the services made."""

    def __init__(self, w: dict[str, Any]):
        self.w = w
        self.serial = 0
        self.template: dict[str, Any] | None = None
        self.events: list[dict[str, Any]] = []
        self.agency_no = 0

    async def setup(self) -> None:
        """Rows made by the services: three received dossiers, a dossier with many events."""
        from core.dossiers import service
        from core.dossiers.tables import Dossier, DossierEvent

        ward, receiver = self.w["receiving"][0]
        for i in range(3):
            d = await world.draft(ward, receiver, i)
            d = await service.receive(d.id, actor=receiver, version=d.version)
        self.template = await Dossier.select().where(Dossier.id == d.id).first()
        self.events = (
            await DossierEvent.select().where(DossierEvent.dossier == d.id).order_by(DossierEvent.seq)
        )
        d = await world.draft(ward, receiver, 99)
        d = await service.receive(d.id, actor=receiver, version=d.version)
        spec = self.w["as"]["ward_specialist"]
        for _ in range(20):
            step = d.active_steps()[0].id
            d = await service.suspend(
                d.id, step, actor=spec, version=d.version, reason="Chờ kết quả thẩm định"
            )
            d = await service.resume(
                d.id, step, actor=spec, version=d.version, note="Đã có kết quả thẩm định"
            )
        self.shown = d

    async def dossiers(self, target: int) -> None:
        """Received dossiers at the ward this month, each with its create and receive events."""
        from core.dossiers import codes
        from core.dossiers.tables import Dossier, DossierEvent
        from core.text.templating import VN_TZ

        have = await Dossier.count()
        n = target - have
        if n <= 0:
            return
        t = dict(self.template)
        base = t["received_at"]
        month_start = (
            datetime.now(VN_TZ).replace(day=1, hour=0, minute=0, second=0, microsecond=0).astimezone(UTC)
        )
        rows = []
        for _ in range(n):
            self.serial += 1
            at = max(month_start + timedelta(minutes=1), base - timedelta(seconds=self.serial))
            code = codes.format_code(
                self.w["tree"]["ward"]["code"], at.astimezone(VN_TZ).date(), 10_000 + self.serial
            )
            row = {k: v for k, v in t.items() if k != "id"}
            row.update(
                code=code,
                applicant_name=f"Trần Văn Đức {self.serial}",
                received_at=at,
                created_at=at,
                updated_at=at,
                submitted_at=at,
                clock_start_at=at,
            )
            rows.append(Dossier(**{k: v for k, v in row.items()}))
        ids = await _insert(Dossier, rows)
        events = []
        for dossier_id in ids:
            for e in self.events:
                events.append(
                    DossierEvent(**{**{k: v for k, v in e.items() if k != "id"}, "dossier": dossier_id})
                )
        await _insert(DossierEvent, events)

    async def audit(self, target: int) -> None:
        """Entries of the global chain, each hashed over the previous one (``chain.verify`` passes)."""
        from core.audit.chain import GENESIS, canonical, entry_hash
        from core.audit.tables import AuditEntry, AuditHead
        from core.db.tx import write_tx

        have = await AuditEntry.count().where(AuditEntry.chain == "global")
        head = await AuditHead.select().where(AuditHead.chain == "global").first()
        seq, prev = (head["seq"], head["hash"]) if head else (0, GENESIS)
        rows = []
        actor = self.w["users"]["receiver"]["id"]
        for _ in range(target - have):
            seq += 1
            at = datetime.now(UTC)
            data = canonical(
                {"procedure": world.PROC, "agency": self.w["tree"]["ward"]["code"], "enabled": True}
            )
            h = entry_hash(prev, "global", seq, at, actor, "catalogue.enable", "procedure", world.PROC, data)
            rows.append(
                AuditEntry(
                    chain="global",
                    seq=seq,
                    at=at,
                    actor_id=actor,
                    action="catalogue.enable",
                    object_type="procedure",
                    object_id=world.PROC,
                    data=data,
                    prev_hash=prev,
                    hash=h,
                )
            )
            prev = h
        if not rows:
            return
        await _insert(AuditEntry, rows)
        async with write_tx():
            if head:
                await AuditHead.update({AuditHead.seq: seq, AuditHead.hash: prev}).where(
                    AuditHead.chain == "global"
                )
            else:
                await AuditHead.insert(AuditHead(chain="global", seq=seq, hash=prev))

    async def outbox(self, target: int) -> None:
        from core.jobs.tables import Outbox

        have = await Outbox.count()
        now = datetime.now(UTC)
        rows = []
        for i in range(have, target):
            failed = i % 10 == 9
            rows.append(
                Outbox(
                    task="notify_send",
                    payload={"notification_id": i + 1},
                    created_at=now,
                    status="failed" if failed else "done",
                    attempts=5 if failed else 1,
                    last_error="ConnectionError: Máy chủ thư không phản hồi" if failed else "",
                    done_at=None if failed else now,
                )
            )
        if rows:
            await _insert(Outbox, rows)

    async def activations(self, target: int) -> None:
        """Every declared procedure enabled at more agencies until ``target`` activation rows exist."""
        from core.catalogue.registry import get_catalogue
        from core.catalogue.tables import ProcedureActivation
        from core.identity.tables import Agency

        procs = list(get_catalogue().procedures.values())
        have = await ProcedureActivation.count()
        need_agencies = max(0, -(-(target - have) // len(procs)))
        if not need_agencies:
            return
        province = self.w["tree"]["province"]["id"]
        agencies = []
        for _ in range(need_agencies):
            self.agency_no += 1
            agencies.append(
                Agency(
                    code=f"000.{50 + self.agency_no // 100:02d}.{self.agency_no % 100:02d}.H39",
                    name=f"UBND xã Thử Tải {self.agency_no}",
                    level="commune",
                    parent=province,
                    province_code="75",
                )
            )
        ids = await _insert(Agency, agencies)
        now = datetime.now(UTC)
        rows = [
            ProcedureActivation(
                agency=a, procedure_code=p.code, domain=p.domain, enabled=True, changed_at=now
            )
            for a in ids
            for p in procs
        ]
        await _insert(ProcedureActivation, rows[: target - have])

    async def grow(self, size: int) -> None:
        from core.db.tx import raw

        await self.dossiers(size)
        await self.audit(size)
        await self.outbox(size)
        await self.activations(size)
        # Planner statistics, as autovacuum (PostgreSQL) or a maintenance ANALYZE (SQLite) would have
        # them in production: freshly bulk-loaded tables otherwise get plans made for empty tables.
        await raw("ANALYZE")


class Counting:
    """Counts the SQL statements sent while ``on`` (patches the engine class, like the tests do)."""

    def __init__(self):
        from core.db.tx import engine

        self.cls = type(engine())
        self.original = self.cls.run_querystring
        self.n = 0
        counter = self

        async def run(self_, querystring, *args, **kwargs):
            counter.n += 1
            return await counter.original(self_, querystring, *args, **kwargs)

        self.cls.run_querystring = run

    def close(self) -> None:
        self.cls.run_querystring = self.original


def _hold_runner_still() -> None:
    from core.jobs import relay

    async def idle(*args, **kwargs) -> int:
        return 0

    relay.drain = idle  # the in-process app only counts queries: no background work between requests


async def _count(client, url: str, counting: Counting) -> int:
    """SQL statements of one request, through the app in this process."""
    resp = await client.get(url)
    assert resp.status_code == 200, (url, resp.status_code, resp.text[:300])
    counting.n = 0
    await client.get(url)
    return counting.n


async def _time(client, url: str, repeat: int, expect: str) -> float:
    """Best (least disturbed) seconds of ``repeat`` requests to the server, after ten to warm up.

    The minimum, as ``timeit`` reports it: on a shared machine other processes only ever add time."""
    for _ in range(10):
        resp = await client.get(url)
        assert resp.status_code == 200, (url, resp.status_code, resp.text[:300])
    assert expect in resp.text, f"{url}: the page does not show {expect!r}: not the page meant to be measured"
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        await client.get(url)
        times.append(time.perf_counter() - start)
    return min(times)


@contextlib.contextmanager
def _server():
    """``uvicorn bench.server:create_app`` in a subprocess on a free port (same environment, database
    and plugins as this process)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.server:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
            "--no-server-header",
        ],
        env={**os.environ, "MOTCUA_DB_POOL": "1", "MOTCUA_BENCH_FILLER": str(FILLER_PROCEDURES)},
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError("the app server stopped at start-up") from None
                time.sleep(0.1)
        else:
            raise RuntimeError("the app server did not start")
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


async def run(small: int = 100, large: int = 10_000, repeat: int = 20) -> list[dict]:
    import dataclasses

    import httpx
    from litestar.testing import AsyncTestClient

    from bench.env import stop
    from core.app import create_app
    from core.jobs import runner
    from core.settings import get_settings
    from tests.fixtures.builders import grant, login_as
    from tests.fixtures.engine_route import make_user

    await stop()  # the test client runs the app on an event loop of its own: no pool may cross loops
    w = await world.build()
    world.add_procedures(FILLER_PROCEDURES)
    admin = await make_user("bench_admin", full_name="Quản trị tỉnh")
    await grant(admin, w["tree"]["province"], "province_admin")
    data = Data(w)
    await data.setup()
    await runner.run_pending_now()  # receipts and events of the set-up: the server then has nothing to run
    ward = w["tree"]["ward"]
    pages = {
        "register": ("/so-theo-doi?agency={ward}", "receiver", "Trần Văn Đức"),
        "dossier": ("/ho-so/{code}", "ward_specialist", "Đã có kết quả thẩm định"),
        "audit": ("/quan-tri/nhat-ky?chuoi=global", "admin", "catalogue.enable"),
        "jobs": ("/quan-tri/tac-vu?trang_thai=done", "admin", "notify_send"),
        "catalogue": ("/thu-tuc", None, "Thủ tục liên thông thử nghiệm số 9"),
    }
    users = {**w["users"], "admin": admin}
    results: dict[str, dict[int, tuple[float, int]]] = {p: {} for p in pages}
    _hold_runner_still()
    app = create_app(dataclasses.replace(get_settings(), db_pool=False))
    with _server() as base_url:
        for size in (small, large):
            await data.grow(size)
            for name, (pattern, who, expect) in pages.items():
                url = pattern.format(ward=ward["id"], code=data.shown.code)
                async with httpx.AsyncClient(base_url=base_url, timeout=60) as http:
                    if who:
                        await login_as(http, users[who])
                    seconds = await _time(http, url, repeat, expect)
                counting = Counting()
                try:
                    async with AsyncTestClient(app=app, base_url="http://127.0.0.1:8000") as client:
                        if who:
                            await login_as(client, users[who])
                        queries = await _count(client, url, counting)
                finally:
                    counting.close()
                results[name][size] = (seconds, queries)
    rows = []
    for name, (pattern, _who, _expect) in pages.items():
        (t_small, q_small), (t_large, q_large) = results[name][small], results[name][large]
        rows.append(
            {
                "suite": "pages",
                "what": pattern.split("?")[0],
                "baseline": f"{t_small * 1000:.1f} ms, {q_small} queries @ {small:,} rows",
                "measured": f"{t_large * 1000:.1f} ms, {q_large} queries @ {large:,} rows",
                "ratio": t_large / t_small,
                "note": f"best of {repeat}, uvicorn" + ("" if q_small == q_large else "; QUERIES GREW"),
            }
        )
    return rows
