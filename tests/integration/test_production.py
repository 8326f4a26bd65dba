"""Production mode (issue 11): no session written for anonymous views, no write per bearer read,
``/health``, ``/metrics``, request ids and masked logs."""

from __future__ import annotations

import io
import json
import logging
import logging.config
from datetime import UTC, datetime, timedelta

import pytest

from core import logs
from core.dossiers import service
from core.identity.api_auth import check_token, issue_token
from core.identity.tables import ApiToken, SessionRow
from tests.conftest import REDIS_URL
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
async def world(db, temp_plugin, monkeypatch):
    from core.jobs import relay

    async def idle(*args, **kwargs) -> int:
        return 0

    monkeypatch.setenv("MOTCUA_CRON", "0")
    monkeypatch.setattr(relay, "drain", idle)  # the background loop stays out of the counts
    w = await setup_route(temp_plugin)
    receiver = await actor(w["users"]["receiver"])
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=receiver,
        applicant={"name": "Nguyễn Thị Hằng", "address": "Tân Phú"},
        data={"subject": "Đề nghị"},
        channel="truc_tiep",
    )
    w["dossier"] = await service.receive(d.id, actor=receiver, version=d.version)
    return w


def _session_statements(q) -> list[str]:
    return [s for s in q.statements if "motcua_session" in s]


async def test_anonymous_page_views_touch_no_session(client, world, count_queries):
    d = world["dossier"]
    from core.dossiers.tables import Dossier

    key = (await Dossier.select(Dossier.lookup_key).where(Dossier.id == d.id).first())["lookup_key"]
    urls = ["/", f"/thu-tuc/{PROC}", f"/tra-cuu/{d.code}?k={key}", "/tra-cuu"]
    before = await SessionRow.count()
    for url in urls:
        with count_queries() as q:
            r = await client.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert _session_statements(q) == [], (url, _session_statements(q))
        assert "motcua_session" not in r.headers.get("set-cookie", ""), url
    assert await SessionRow.count() == before
    # the CSRF token is a cookie of its own (double submit): an anonymous form still gets one
    assert client.cookies.get("csrftoken")
    assert "motcua_session" not in client.cookies


async def test_signed_in_session_still_written_and_a_dead_cookie_is_expired(client, world):
    from tests.fixtures.builders import login_as

    await login_as(client, world["users"]["receiver"])
    assert await SessionRow.count() == 1
    r = await client.get("/can-bo")
    assert r.status_code == 200 and "motcua_session=" in r.headers.get("set-cookie", "")
    # the row is gone (expired, purged): the response expires the cookie and writes no new row
    await SessionRow.delete(force=True)
    r = await client.get("/")
    assert r.status_code == 200
    assert "motcua_session=null" in r.headers.get("set-cookie", "")
    assert await SessionRow.count() == 0


async def test_a_thousand_bearer_reads_write_last_used_at_once(client, world, count_queries):
    user = world["users"]["receiver"]
    token = await issue_token(user["id"], "reader", scope="read")
    from core.db.tx import write_tx

    with count_queries() as q:
        async with write_tx():  # one connection for the loop (the tests open one per query on PostgreSQL)
            for _ in range(1000):
                assert (await check_token(token, "GET")).user is not None
    writes = [s for s in q.statements if s.lstrip().upper().startswith("UPDATE") and "api_token" in s]
    assert len(writes) == 1, writes
    # and through HTTP: reads answer, and still no further write
    with count_queries() as q:
        for _ in range(5):
            r = await client.get(
                f"/api/v1/dossiers/{world['dossier'].code}", headers={"Authorization": f"Bearer {token}"}
            )
            assert r.status_code == 200
    assert not [s for s in q.statements if s.lstrip().upper().startswith("UPDATE") and "api_token" in s]
    # after the interval, the next read records the use again
    old = datetime.now(UTC) - timedelta(minutes=6)
    await ApiToken.update({ApiToken.last_used_at: old}).where(ApiToken.user == user["id"])
    assert (await check_token(token, "GET")).user is not None
    row = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.user == user["id"]).first()
    assert row["last_used_at"] > old + timedelta(minutes=5)


async def test_health_is_200_when_up_and_503_when_the_database_is_not(client, world, monkeypatch):
    r = await client.get("/health")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["outbox"]["ok"] is True and body["checks"]["outbox"]["backlog"] >= 0
    if REDIS_URL:
        assert body["checks"]["redis"]["ok"] is True
        assert body["checks"]["worker"]["kind"] == "arq"
    else:
        assert body["checks"]["worker"] == {"ok": True, "kind": "in-process"}
        assert body["status"] == "ok"

    from core.db import tx

    async def unreachable(*args, **kwargs):
        raise ConnectionRefusedError("database down")

    monkeypatch.setattr(tx, "raw", unreachable)
    r = await client.get("/health")
    assert r.status_code == 503
    assert r.json()["status"] == "down" and r.json()["checks"]["database"]["ok"] is False


@pytest.mark.skipif(not REDIS_URL, reason="needs Redis")
async def test_health_sees_the_arq_worker_heartbeat(client, world):
    from core.jobs.arq_pool import QUEUE_NAME, get_pool

    pool = await get_pool()
    await pool.delete(QUEUE_NAME + ":health-check")
    assert (await client.get("/health")).json()["checks"]["worker"]["ok"] is False
    await pool.set(QUEUE_NAME + ":health-check", "j_complete=0", ex=16)
    body = (await client.get("/health")).json()
    assert body["checks"]["worker"] == {"ok": True, "kind": "arq"} and body["status"] == "ok"
    await pool.delete(QUEUE_NAME + ":health-check")


async def test_metrics_answer_only_the_monitoring(client, world, monkeypatch):
    # the test client is not on loopback and has no token: the same 404 as an unknown address
    assert (await client.get("/metrics")).status_code == 404
    monkeypatch.setenv("MOTCUA_METRICS_TOKEN", "s3cret-metrics")
    assert (await client.get("/metrics", headers={"Authorization": "Bearer wrong"})).status_code == 404
    assert (await client.get(f"/thu-tuc/{PROC}")).status_code == 200
    r = await client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"})
    assert r.status_code == 200
    text = r.text
    # requests by route template, not by path
    assert 'motcua_requests_total{app_name="motcua",method="GET",path="/thu-tuc/{code}"' in text, text[:3000]
    assert "motcua_request_duration_seconds_bucket" in text
    assert 'motcua_dossiers{state="received"} 1.0' in text
    assert "motcua_outbox_backlog" in text and "motcua_outbox_oldest_due_seconds" in text
    assert "motcua_job_failures" in text or "motcua_pdf_render_seconds" in text


async def test_request_id_is_honoured_or_made_and_returned(client, world):
    r = await client.get("/", headers={"X-Request-ID": "lb-1234.abc"})
    assert r.headers["x-request-id"] == "lb-1234.abc"
    made = (await client.get("/", headers={"X-Request-ID": "bad id\twith <junk>"})).headers["x-request-id"]
    assert made != "bad id\twith <junk>" and len(made) == 32
    assert (await client.get("/")).headers["x-request-id"] != made


def _json_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    """A logger writing through the production handler (JSON, request id, masking) into a buffer."""
    config = logs.dict_config(json=True, level="INFO")
    buffer = io.StringIO()
    config["handlers"]["main"]["stream"] = buffer
    config["disable_existing_loggers"] = False
    config["root"] = {"level": "INFO", "handlers": []}
    config["loggers"][name] = {"level": "INFO", "handlers": ["main"], "propagate": False}
    logging.config.dictConfig(config)
    return logging.getLogger(name), buffer


def test_logs_are_json_with_request_id_and_personal_data_masked():
    log, buffer = _json_logger("motcua.test_masking")
    token = logs.REQUEST_ID.set("req-42")
    try:
        log.info("citizen %s phone %s", "079123456789", "0912 345 678", extra={"password": "Demo@2026"})
        log.warning("login failed: password=Demo@2026 token: abc.def Authorization: Bearer Zm9vYmFy")
        try:
            raise ValueError("CCCD 075185003344 not found, call +84912345678")
        except ValueError:
            log.exception("lookup failed")
    finally:
        logs.REQUEST_ID.reset(token)
    lines = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert [x["level"] for x in lines] == ["INFO", "WARNING", "ERROR"]
    assert all(x["request_id"] == "req-42" for x in lines)
    everything = buffer.getvalue()
    for secret in (
        "079123456789",
        "0912 345 678",
        "Demo@2026",
        "abc.def",
        "Zm9vYmFy",
        "075185003344",
        "912345678",
    ):
        assert secret not in everything, secret
    assert lines[0]["message"] == "citizen ********6789 phone **********"
    assert lines[0]["password"] == "********"
    assert "ValueError: CCCD ********3344 not found" in lines[2]["exc_info"]
    # a dossier code, a date and an amount are not mistaken for personal data
    assert logs.mask("hồ sơ 001-260101-0001 ngày 2026-12-03 phí 150000") == (
        "hồ sơ 001-260101-0001 ngày 2026-12-03 phí 150000"
    )


def test_info_has_no_library_noise():
    config = logs.dict_config(json=True)
    for name in ("weasyprint", "fontTools", "fontTools.subset"):
        assert config["loggers"][name]["level"] == "WARNING"
    logging.config.dictConfig({**config, "handlers": {}, "root": {"level": "INFO"}})
    assert not logging.getLogger("fontTools.subset").isEnabledFor(logging.INFO)
    assert not logging.getLogger("weasyprint").isEnabledFor(logging.INFO)
    assert logging.getLogger("motcua.jobs").isEnabledFor(logging.INFO)
