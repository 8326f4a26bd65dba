"""The real PDF task (``render_document``) through both runners: the outbox row written with the
request is run by the in-process runner, or relayed to an arq worker on Redis; both run the same
task function, give the same bytes, and running it twice stores the file once."""

from __future__ import annotations

import hashlib

import pytest

from core.db.tx import write_tx
from core.documents import service
from core.documents.tables import GeneratedDocument
from core.jobs import relay, tasks
from core.jobs.tables import Outbox
from core.settings import get_settings
from tests.fixtures.arq import needs_redis, run_worker
from tests.integration.test_documents_builders import build_dossier


async def _request_receipt() -> tuple[int, int]:
    """Request form 01 for a received dossier; returns (document id, its outbox row id)."""
    built = await build_dossier()
    async with write_tx():
        doc_id = await service.request_legal_form("form01", built["dossier_id"], built["events"]["receive"])
    rows = await Outbox.select(Outbox.id).where(Outbox.task == "render_document")
    assert len(rows) == 1, "one outbox row per requested document"
    return doc_id, rows[0]["id"]


def _files() -> list:
    """The served files (a signed document also keeps its signed version under ``signed/``)."""
    return sorted(
        p for p in (get_settings().files_dir / "documents").rglob("*.pdf") if p.parent.name != "signed"
    )


async def _ready_bytes(doc_id: int) -> bytes:
    row = await service.get_document(doc_id)
    assert row["status"] == "ready", row["error"]
    pdf = service.read_file(row)
    assert row["sha256"] == hashlib.sha256(pdf).hexdigest() and row["size"] == len(pdf)
    return pdf


def test_the_pdf_task_is_registered_for_both_runners():
    from core.documents.tasks import render_document
    from core.jobs import worker

    assert tasks.task_functions()["render_document"] is render_document
    # arq runs every task through the one function that runs an outbox row in-process too.
    assert [f.name for f in worker.functions()] == ["run_outbox"]


async def test_in_process_runner_renders_once_even_if_run_twice(db):
    doc_id, row_id = await _request_receipt()
    assert (await service.get_document(doc_id))["status"] == "pending"
    assert await tasks.run_outbox_row(row_id) == "done"
    first = await _ready_bytes(doc_id)
    # The same job delivered again (a relay re-run): skipped; a forced re-run finds the file and keeps it.
    assert await tasks.run_outbox_row(row_id) == "skipped"
    from core.documents.tasks import render_document

    assert await render_document({}, document_id=doc_id) == "ready"
    assert await _ready_bytes(doc_id) == first
    assert len(_files()) == 1


@needs_redis
async def test_arq_worker_renders_the_same_bytes_as_the_in_process_runner(db, arq_redis):
    pool, queue = arq_redis
    doc_id, row_id = await _request_receipt()
    assert await relay.drain(redis=pool, queue_name=queue) >= 1
    assert (await Outbox.select(Outbox.status).where(Outbox.id == row_id).first())["status"] == "queued"
    w = await run_worker(pool, queue)
    assert w.jobs_failed == 0 and w.jobs_complete >= 1
    assert (await Outbox.select(Outbox.status).where(Outbox.id == row_id).first())["status"] == "done"
    by_arq = await _ready_bytes(doc_id)

    # The same document rendered again in-process (file lost, row reset): byte-identical.
    row = await service.get_document(doc_id)
    (get_settings().files_dir / row["path"]).unlink()
    await GeneratedDocument.update({GeneratedDocument.status: "pending"}).where(
        GeneratedDocument.id == doc_id
    )
    from core.documents.tasks import render_document

    await render_document({}, document_id=doc_id)
    assert await _ready_bytes(doc_id) == by_arq


@needs_redis
async def test_relayed_twice_to_arq_still_renders_once(db, arq_redis):
    pool, queue = arq_redis
    doc_id, row_id = await _request_receipt()
    await relay.drain(redis=pool, queue_name=queue)
    # The relay runs again (another web process, or the stuck-row sweep) before the worker starts.
    await Outbox.update({Outbox.status: "pending"}).where(Outbox.id == row_id)
    await relay.drain(redis=pool, queue_name=queue)
    w = await run_worker(pool, queue)
    assert w.jobs_failed == 0
    assert await _ready_bytes(doc_id)
    assert len(_files()) == 1
    ready = await GeneratedDocument.count().where(GeneratedDocument.status == "ready")
    assert ready == 1


@pytest.fixture(autouse=True)
def _no_stale_files():
    """Each test starts with an empty documents folder (files_dir is per test run, not per test)."""
    import shutil

    root = get_settings().files_dir / "documents"
    shutil.rmtree(root, ignore_errors=True)
    yield


async def test_a_worker_killed_mid_render_loses_nothing(db):
    """The worker died while rendering (row left ``running``, no file): the sweep puts the row back,
    it runs again, and the document ends rendered once."""
    from datetime import UTC, datetime, timedelta

    doc_id, row_id = await _request_receipt()
    await Outbox.update(
        {
            Outbox.status: "running",
            Outbox.attempts: 1,
            Outbox.queued_at: datetime.now(UTC) - timedelta(minutes=relay.STALE_MINUTES + 1),
        }
    ).where(Outbox.id == row_id)
    assert await tasks.run_outbox_row(row_id) == "skipped", "a running row is not claimed twice"
    assert await relay.requeue_stale() == 1
    assert await tasks.run_outbox_row(row_id) == "done"
    assert await _ready_bytes(doc_id)
    assert len(_files()) == 1
    row = await Outbox.select().where(Outbox.id == row_id).first()
    assert row["status"] == "done" and row["attempts"] == 2
