"""Background work through both runners: in-process (``run_pending_now``/``relay.drain``) and a real
arq worker on Redis (``REDIS_URL``; skipped without it). Tasks are idempotent, retried, visible when
they fail, re-sendable, and nothing is lost when Redis is down or loses its queue."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.api import JobSpec, hookimpl
from core.audit import chain
from core.audit.tables import AuditEntry
from core.jobs import outbox, relay, runner, tasks
from core.jobs.arq_pool import job_id
from core.jobs.tables import CronRun, Outbox
from tests.fixtures.arq import needs_redis, run_worker

CALLS: list[tuple[str, dict]] = []


async def record(ctx, key: str) -> None:
    """An idempotent task: one audit entry per key, however often it runs."""
    CALLS.append(("record", {"key": key, "try": ctx["job_try"]}))
    if await AuditEntry.exists().where((AuditEntry.chain == "test") & (AuditEntry.object_id == key)):
        return
    await chain.append("test.record", chain="test", object_type="test", object_id=key)


async def always_fails(ctx, reason: str) -> None:
    CALLS.append(("always_fails", {"try": ctx["job_try"]}))
    raise ConnectionError(f"Cổng dịch vụ không phản hồi: {reason}")


async def flaky(ctx, key: str) -> None:
    """Fails on the first two tries (a network hiccup), then records."""
    CALLS.append(("flaky", {"try": ctx["job_try"]}))
    if ctx["job_try"] < 3:
        raise ConnectionError("Mất kết nối tạm thời")
    await record(ctx, key)


class JobsTestPlugin:
    @hookimpl
    def register_jobs(self):
        return [
            JobSpec("test_record", record),
            JobSpec("test_always_fails", always_fails),
            JobSpec("test_flaky", flaky),
            JobSpec("test_nightly", nightly, cron={"hour": 1, "minute": 5}),
        ]


async def nightly(ctx) -> None:
    await record(ctx, f"nightly:{ctx['outbox_id']}")


@pytest.fixture
async def jobs(db, temp_plugin):
    CALLS.clear()
    temp_plugin(JobsTestPlugin(), "jobs-test-plugin")
    yield
    CALLS.clear()


async def effects(key: str) -> int:
    return await AuditEntry.count().where((AuditEntry.chain == "test") & (AuditEntry.object_id == key))


async def status(row_id: int) -> dict:
    return await Outbox.select().where(Outbox.id == row_id).first()


async def make_due(row_id: int) -> None:
    await Outbox.update({Outbox.run_after: None}).where(Outbox.id == row_id)


# --- the hook -----------------------------------------------------------------------------------


async def test_hook_register_jobs(jobs):
    """Jobs declared by any plugin (core's included) are in the task registry, with their schedule."""
    funcs = tasks.task_functions()
    assert funcs["test_record"] is record
    assert {"dispatch_event", "deliver_notification"} <= set(funcs)
    from core.jobs.cron import cron_specs

    assert "test_nightly" in [s.name for s in cron_specs()]


# --- in-process ----------------------------------------------------------------------------------


async def test_in_process_runs_a_task_and_a_second_run_has_no_effect(jobs):
    row_id = await outbox.add("test_record", key="A-1")
    assert (await status(row_id))["status"] == "pending"
    assert await runner.run_pending_now() == 1
    row = await status(row_id)
    assert row["status"] == "done" and row["attempts"] == 1 and row["done_at"] is not None
    assert await effects("A-1") == 1
    # The row runs again (a duplicate delivery): skipped by the claim.
    assert await tasks.run_outbox_row(row_id) == "skipped"
    # The task itself run twice (e.g. a re-sent row): still one effect.
    second = await outbox.add("test_record", key="A-1")
    await runner.run_pending_now()
    assert (await status(second))["status"] == "done"
    assert await effects("A-1") == 1
    assert [c for c, _ in CALLS] == ["record", "record"]


async def test_bulk_work_runs_after_work_a_person_causes(jobs):
    """Rows queued by a bulk load (the demo) wait behind rows queued later by a person, in-process."""
    with outbox.bulk():
        backlog = [await outbox.add("test_record", key=f"bulk-{i}") for i in range(3)]
    urgent = await outbox.add("test_record", key="receipt")
    assert [(await status(r))["priority"] for r in backlog] == [outbox.BULK] * 3
    assert (await status(urgent))["priority"] == 0
    assert await relay.run_in_process(limit=1) == 1
    assert (await status(urgent))["status"] == "done"
    assert [(await status(r))["status"] for r in backlog] == ["pending"] * 3
    await runner.run_pending_now()
    assert [(await status(r))["status"] for r in backlog] == ["done"] * 3


async def test_relay_trickles_bulk_rows_to_arq(jobs):
    """Only a few bulk rows wait in arq's first-in-first-out queue at a time; a person's row is relayed
    whatever the backlog."""

    class Recorder:
        def __init__(self):
            self.ids = []

        async def enqueue_job(self, name, row_id, **kw):
            self.ids.append(row_id)

    with outbox.bulk():
        backlog = [await outbox.add("test_record", key=f"bulk-{i}") for i in range(relay.BULK_IN_FLIGHT + 5)]
    urgent = await outbox.add("test_record", key="receipt")
    redis = Recorder()
    assert await relay.relay_to_arq(redis) == relay.BULK_IN_FLIGHT + 1
    assert redis.ids == [urgent, *backlog[: relay.BULK_IN_FLIGHT]]
    assert await relay.relay_to_arq(redis) == 0  # the queue still holds its share of bulk rows
    await Outbox.update({Outbox.status: "done"}).where(Outbox.id.is_in(backlog[:3]))
    assert await relay.relay_to_arq(redis) == 3
    assert redis.ids[-3:] == backlog[relay.BULK_IN_FLIGHT : relay.BULK_IN_FLIGHT + 3]


async def test_in_process_failure_retries_with_backoff_then_fails_and_can_be_resent(jobs):
    row_id = await outbox.add("test_always_fails", reason="thử")
    await runner.run_pending_now()
    row = await status(row_id)
    assert row["status"] == "pending" and row["attempts"] == 1
    assert "Cổng dịch vụ không phản hồi: thử" in row["last_error"]
    assert row["run_after"] > datetime.now(UTC), "the retry waits for its back-off"
    assert await relay.run_in_process() == 0, "not due yet"
    for attempt in range(2, tasks.MAX_ATTEMPTS + 1):
        await make_due(row_id)
        await runner.run_pending_now()
        assert (await status(row_id))["attempts"] == attempt
    row = await status(row_id)
    assert row["status"] == "failed" and "ConnectionError" in row["last_error"]
    await make_due(row_id)
    assert await runner.run_pending_now() == 0, "a failed row is not retried by itself"

    new_id = await tasks.resend(row_id, actor_id=None)
    assert (await status(new_id))["status"] == "pending"
    assert (await status(row_id))["resent_as"] == new_id
    entry = await AuditEntry.select().where(AuditEntry.action == "job.resend").first()
    assert entry["object_id"] == str(row_id)
    from core.contract.errors import Conflict

    with pytest.raises(Conflict, match="đã được gửi lại"):
        await tasks.resend(row_id)


async def test_in_process_flaky_task_succeeds_on_a_later_try(jobs):
    row_id = await outbox.add("test_flaky", key="F-1")
    for _ in range(3):
        await make_due(row_id)
        await runner.run_pending_now()
    row = await status(row_id)
    assert row["status"] == "done" and row["attempts"] == 3 and row["last_error"] == ""
    assert await effects("F-1") == 1


async def test_unknown_task_fails_visibly(jobs):
    row_id = await outbox.add("no_such_task")
    await runner.run_pending_now()
    assert "Không có tác vụ nền tên 'no_such_task'" in (await status(row_id))["last_error"]


async def test_cron_slot_fires_once_even_from_two_processes(jobs, monkeypatch):
    from core.jobs import cron

    mine = [s for s in cron.cron_specs() if s.name == "test_nightly"]
    monkeypatch.setattr(cron, "cron_specs", lambda: mine)

    slot_time = datetime(2026, 11, 23, 18, 10, tzinfo=UTC)  # 01:10 on the 24th in Vietnam
    assert cron.last_slot({"hour": 1, "minute": 5}, slot_time).isoformat() == "2026-11-24T01:05:00+07:00"
    assert cron.last_slot({"hour": 1, "minute": 5}, datetime(2026, 11, 23, 12, 0, tzinfo=UTC)) is None
    fired = await cron.run_due_crons(slot_time)
    assert len(fired) == 1
    assert await cron.run_due_crons(slot_time) == [], "the slot was taken (another process, or a second tick)"
    assert await cron.fire("test_nightly", cron.last_slot({"hour": 1, "minute": 5}, slot_time)) is None
    assert (await CronRun.select().first())["key"] == "test_nightly@2026-11-24T01:05"
    await runner.run_pending_now()
    assert await effects(f"nightly:{fired[0]}") == 1


async def test_the_app_runner_runs_rows_without_waiting_for_the_poll(jobs, client, monkeypatch):
    import asyncio

    from core.settings import get_settings

    if get_settings().redis_url:
        pytest.skip("with REDIS_URL the web process relays to arq (tested below)")
    monkeypatch.setattr(runner, "_POLL_SECONDS", 30.0)
    row_id = await outbox.add("test_record", key="W-1")  # committed at once: wakes the runner
    for _ in range(100):
        if (await status(row_id))["status"] == "done":
            break
        await asyncio.sleep(0.02)
    assert (await status(row_id))["status"] == "done"
    assert await effects("W-1") == 1


# --- arq on a real Redis -------------------------------------------------------------------------


@needs_redis
async def test_arq_runs_a_task_once_even_if_relayed_twice(jobs, arq_redis):
    pool, queue = arq_redis
    row_id = await outbox.add("test_record", key="Q-1")
    assert await relay.drain(redis=pool, queue_name=queue) == 1
    row = await status(row_id)
    assert row["status"] == "queued" and row["queued_at"] is not None
    # Relayed again (e.g. the stuck-row sweep): arq refuses the same job id.
    await Outbox.update({Outbox.status: "pending"}).where(Outbox.id == row_id)
    await relay.drain(redis=pool, queue_name=queue)
    assert await pool.zcard(queue) == 1
    w = await run_worker(pool, queue)
    assert (w.jobs_complete, w.jobs_failed) == (1, 0)
    assert (await status(row_id))["status"] == "done"
    assert await effects("Q-1") == 1


@needs_redis
async def test_arq_retries_then_fails_visibly_and_resend_runs_again(jobs, arq_redis, monkeypatch):
    from core.jobs import worker as jobs_worker

    monkeypatch.setattr(jobs_worker, "RETRY_DEFER_SECONDS", 0)
    pool, queue = arq_redis
    row_id = await outbox.add("test_always_fails", reason="arq")
    await relay.drain(redis=pool, queue_name=queue)
    w = await run_worker(pool, queue)
    assert w.jobs_retried == tasks.MAX_ATTEMPTS - 1
    assert (w.jobs_complete, w.jobs_failed) == (1, 0)
    row = await status(row_id)
    assert row["status"] == "failed" and row["attempts"] == tasks.MAX_ATTEMPTS
    assert "Cổng dịch vụ không phản hồi: arq" in row["last_error"]

    new_id = await tasks.resend(row_id)
    await relay.drain(redis=pool, queue_name=queue)
    w = await run_worker(pool, queue)
    assert w.jobs_retried == tasks.MAX_ATTEMPTS - 1
    assert (await status(new_id))["status"] == "failed"
    assert len([c for c in CALLS if c[0] == "always_fails"]) == 2 * tasks.MAX_ATTEMPTS


@needs_redis
async def test_arq_flaky_task_is_retried_by_arq_and_succeeds(jobs, arq_redis, monkeypatch):
    from core.jobs import worker as jobs_worker

    monkeypatch.setattr(jobs_worker, "RETRY_DEFER_SECONDS", 0)
    pool, queue = arq_redis
    row_id = await outbox.add("test_flaky", key="QF-1")
    await relay.drain(redis=pool, queue_name=queue)
    w = await run_worker(pool, queue)
    assert (w.jobs_complete, w.jobs_retried, w.jobs_failed) == (1, 2, 0)
    assert (await status(row_id))["status"] == "done"
    assert await effects("QF-1") == 1


@needs_redis
async def test_redis_down_loses_nothing(jobs, arq_redis):
    from arq.connections import ArqRedis
    from redis.exceptions import ConnectionError as RedisConnectionError

    pool, queue = arq_redis
    ids = [await outbox.add("test_record", key=f"D-{i}") for i in range(3)]
    dead = ArqRedis(host="127.0.0.1", port=6399, socket_connect_timeout=0.2)
    with pytest.raises((RedisConnectionError, ConnectionError, OSError)):
        await relay.drain(redis=dead, queue_name=queue)
    await dead.aclose()
    assert [(await status(i))["status"] for i in ids] == ["pending"] * 3, "rows wait in the outbox"

    # Redis is back: relay, then Redis loses its queue (restart without persistence).
    assert await relay.drain(redis=pool, queue_name=queue) == 3
    await pool.delete(queue)
    for i in ids:
        await pool.delete(f"arq:job:{job_id(i, queue)}")
    assert [(await status(i))["status"] for i in ids] == ["queued"] * 3
    # The sweep puts rows stuck in "queued" back; they are relayed and run.
    assert await relay.requeue_stale(minutes=0) == 3
    assert await relay.drain(redis=pool, queue_name=queue) == 3
    w = await run_worker(pool, queue)
    assert w.jobs_complete == 3
    assert [(await status(i))["status"] for i in ids] == ["done"] * 3
    assert [await effects(f"D-{i}") for i in range(3)] == [1, 1, 1]


@needs_redis
async def test_arq_cron_job_fires_its_slot_once(jobs, arq_redis):
    from core.jobs import worker as jobs_worker

    crons = [c for c in jobs_worker.cron_jobs() if c.name.startswith("cron:test_")]
    assert [c.name for c in crons] == ["cron:test_nightly"] and crons[0].unique
    assert crons[0].hour == 1 and crons[0].minute == 5
    # Vietnam's zone (a ZoneInfo, whose offset is asked at a moment): UTC+7 whatever the season
    for moment in (datetime(2026, 1, 15, 12, tzinfo=UTC), datetime(2026, 7, 15, 12, tzinfo=UTC)):
        assert jobs_worker.WorkerSettings.timezone.utcoffset(moment).total_seconds() == 7 * 3600
    first = await crons[0].coroutine({"job_try": 1})
    second = await crons[0].coroutine({"job_try": 1})
    assert first == "done" and second == "already fired"
    assert await AuditEntry.count().where(AuditEntry.chain == "test") == 1


# --- the admin page ------------------------------------------------------------------------------


async def test_admin_page_lists_failed_jobs_and_resends_them(jobs, client):
    from tests.conftest import csrf_from
    from tests.fixtures.builders import grant, login_as, make_user, standard_tree

    row_id = await outbox.add("test_always_fails", reason="trang quản trị")
    for _ in range(tasks.MAX_ATTEMPTS):
        await make_due(row_id)
        await tasks.run_outbox_row(row_id)
    assert (await status(row_id))["status"] == "failed"
    tree = await standard_tree()
    admin = await make_user("qtv")
    await grant(admin, tree["province"], "province_admin")
    clerk = await make_user("canbo")
    await grant(clerk, tree["ward"], "receiver")
    await login_as(client, clerk)
    assert (await client.get("/quan-tri/tac-vu")).status_code == 403
    client.cookies.clear()
    await login_as(client, admin)
    r = await client.get("/quan-tri/tac-vu?trang_thai=failed")
    assert r.status_code == 200
    assert "test_always_fails" in r.text and "Cổng dịch vụ không phản hồi: trang quản trị" in r.text
    assert "Lỗi (1)" in r.text
    assert (await client.post(f"/quan-tri/tac-vu/{row_id}/gui-lai")).status_code == 403, "CSRF token required"
    r = await client.post(f"/quan-tri/tac-vu/{row_id}/gui-lai", headers={"x-csrftoken": csrf_from(client)})
    assert r.status_code == 200 and f"Đã gửi lại tác vụ {row_id}" in r.text
    new_id = (await status(row_id))["resent_as"]
    assert new_id and (await status(new_id))["task"] == "test_always_fails"
    entry = await AuditEntry.select().where(AuditEntry.action == "job.resend").first()
    assert entry["actor_id"] == admin["id"]
    r = await client.get("/quan-tri/tac-vu?trang_thai=failed")
    assert f"đã gửi lại thành tác vụ {new_id}" in r.text
    r = await client.post(f"/quan-tri/tac-vu/{row_id}/gui-lai", headers={"x-csrftoken": csrf_from(client)})
    assert r.status_code == 409 and "đã được gửi lại" in r.text
    r = await client.post("/quan-tri/tac-vu/99999/gui-lai", headers={"x-csrftoken": csrf_from(client)})
    assert r.status_code == 404
