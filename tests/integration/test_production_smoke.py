"""The production topology started for real (issue 11): ``motcua serve --workers 2`` and one ``motcua
worker`` (arq) as separate processes on a free port, against the test PostgreSQL database and Redis; a
birth registration driven over HTTP (submit → receive → record → sign → result returned), the PDFs
rendered by the arq worker, downloaded through a session the app workers read from the database; then
everything stopped. Needs PostgreSQL and Redis, and ``MOTCUA_SMOKE=1``: starting three Python processes
takes a minute or more on a busy 2-core machine, so the suite leaves it to ``scripts/smoke.sh`` (run by
``.ci/run`` after the suite; docs/production.md)."""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from core.catalogue.service import set_enabled
from plugins.civil_status import procedures
from plugins.civil_status.dates import vn_today
from tests.conftest import DATABASE_URL, REDIS_URL
from tests.fixtures.builders import standard_tree
from tests.plugins.civil_status import samples
from tests.plugins.civil_status.test_routes_http import MOTHER, WARD, Actors

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.skipif(
        not (DATABASE_URL.startswith("postgres") and REDIS_URL), reason="needs PostgreSQL and Redis"
    ),
    pytest.mark.skipif(
        os.environ.get("MOTCUA_SMOKE") != "1", reason="scripts/smoke.sh runs it (MOTCUA_SMOKE=1)"
    ),
]

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 120.0
API = "/api/v1/dossiers"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Topology:
    """The app (2 uvicorn workers) and one arq worker, each in its own process group."""

    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.logs = tmp / "logs"
        self.logs.mkdir()
        metrics = tmp / "metrics"
        metrics.mkdir()
        self.env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "DATABASE_URL": DATABASE_URL,
            "REDIS_URL": REDIS_URL,
            "MOTCUA_DATA_DIR": str(tmp / "data"),
            "MOTCUA_SECRET_KEY": secrets.token_hex(16),
            "MOTCUA_ARQ_QUEUE": f"motcua:smoke:{os.getpid()}",
            "MOTCUA_BASE_URL": self.base,
            "PROMETHEUS_MULTIPROC_DIR": str(metrics),
            "MOTCUA_DB_POOL": "1",
        }
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, *args: str) -> None:
        out = (self.logs / f"{name}.log").open("wb")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "core.cli", *args],
            cwd=ROOT,
            env=self.env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with its children
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")[-4000:]

    def stop(self) -> dict[str, int | None]:
        for proc in self.procs.values():
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        codes: dict[str, int | None] = {}
        for name, proc in self.procs.items():
            try:
                codes[name] = proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                codes[name] = proc.wait()
        return codes


async def _wait_healthy(top: Topology, http: httpx.AsyncClient) -> dict:
    deadline = time.monotonic() + START_TIMEOUT
    body: dict = {}
    while time.monotonic() < deadline:
        for name, proc in top.procs.items():
            assert proc.poll() is None, f"{name} stopped:\n{top.log(name)}"
        try:
            r = await http.get("/health")
            body = r.json()
            if r.status_code == 200 and body["status"] == "ok":
                return body
        except (httpx.HTTPError, json.JSONDecodeError):
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"not healthy in {START_TIMEOUT}s: {body}\n{top.log('app')}\n{top.log('worker')}")


async def _documents_ready(dossier_id: int, timeout: float = 90.0) -> list[dict]:
    from core.documents.tables import GeneratedDocument

    deadline = time.monotonic() + timeout
    rows: list[dict] = []
    while time.monotonic() < deadline:
        rows = await GeneratedDocument.select(
            GeneratedDocument.id, GeneratedDocument.kind, GeneratedDocument.status
        ).where(GeneratedDocument.dossier == dossier_id)
        if rows and all(r["status"] == "ready" for r in rows):
            return rows
        if any(r["status"] == "failed" for r in rows):
            break
        await asyncio.sleep(0.5)
    raise AssertionError(f"PDFs not rendered by the worker: {rows}")


async def test_two_app_workers_and_an_arq_worker_serve_a_whole_journey(db, tmp_path):
    tree = await standard_tree()
    await set_enabled(procedures.BIRTH, tree["ward"]["id"], True)
    a = Actors(tree)
    await a.add("citizen", None, None, cccd=MOTHER["id_number"])
    receiver = await a.add("ward_receiver", "ward", "receiver")
    await a.add("ward_justice", "ward", "specialist")
    await a.add("ward_chairman", "ward", "approver")

    top = Topology(tmp_path)
    top.start("app", "serve", "--port", str(top.port), "--workers", "2")
    top.start("worker", "worker")
    try:
        async with httpx.AsyncClient(base_url=top.base, timeout=30) as http:
            health = await _wait_healthy(top, http)
            assert health["checks"]["worker"] == {"ok": True, "kind": "arq"}
            assert health["checks"]["redis"]["ok"] is True

            data = samples.birth(vn_today())
            body = {"procedure_code": procedures.BIRTH, "agency_code": WARD, "applicant": MOTHER}
            r = await http.post(
                API, json={**body, "data": data, "channel": "truc_tuyen"}, headers=a.h("citizen")
            )
            assert r.status_code == 201, r.text
            d = r.json()
            for path, who in (
                (f"{API}/{d['id']}/submit", "citizen"),
                (f"{API}/{{code}}/receive", "ward_receiver"),
            ):
                r = await http.post(
                    path.format(code=d.get("code")), json={"version": d["version"]}, headers=a.h(who)
                )
                assert r.status_code == 200, r.text
                d = r.json()
            assert d["state"] == "received"
            for who, action, step_id in (
                ("ward_justice", "complete_step", "record"),
                ("ward_chairman", "approve", "sign"),
            ):
                step = next(s for s in d["steps"] if s["status"] == "active" and s["step_id"] == step_id)
                r = await http.post(
                    f"{API}/{d['code']}/actions/{action}",
                    json={"version": d["version"], "step_id": step["id"], "note": ""},
                    headers=a.h(who),
                )
                assert r.status_code == 200, r.text
                d = r.json()
            assert d["state"] == "result_approved"

            docs = await _documents_ready(d["id"])

            r = await http.post(
                f"{API}/{d['code']}/actions/mark_result_ready",
                json={"version": d["version"]},
                headers=a.h("ward_receiver"),
            )
            assert r.status_code == 200, r.text
            d = r.json()
            r = await http.post(
                f"{API}/{d['code']}/actions/return_result",
                json={
                    "version": d["version"],
                    "channel": "counter",
                    "receiver": {"name": MOTHER["name"], "id_number": MOTHER["id_number"]},
                },
                headers=a.h("ward_receiver"),
            )
            assert r.status_code == 200, r.text
            assert r.json()["state"] == "returned"

            # a session written to the database is read by whichever app worker answers
            from core.identity.session_store import DatabaseStore

            sid = secrets.token_hex(16)
            await DatabaseStore().set(sid, json.dumps({"uid": receiver["id"]}).encode(), expires_in=600)
            http.cookies.set("motcua_session", sid)
            for doc in docs:
                for _ in range(2):
                    r = await http.get(f"/ho-so/{d['code']}/tai-lieu/{doc['id']}.pdf")
                    assert r.status_code == 200 and r.content.startswith(b"%PDF"), (doc, r.status_code)
                    assert r.headers["x-request-id"]
            http.cookies.clear()

            # metrics of every process, the arq worker's included, added up by the app
            metrics = (await http.get("/metrics")).text
            assert 'motcua_jobs_done_total{task="' in metrics, metrics[-2000:]
            assert "motcua_pdf_render_seconds_count" in metrics
            assert 'motcua_dossiers{state="returned"} 1.0' in metrics
            assert len({p.name for p in (tmp_path / "metrics").glob("*.db")}) >= 2
    finally:
        codes = top.stop()
    assert codes == {"app": 0, "worker": 0} or all(c in (0, -signal.SIGTERM) for c in codes.values()), (
        codes,
        top.log("app"),
        top.log("worker"),
    )
    assert '"request_id"' in top.log("app") and "Traceback" not in top.log("app"), top.log("app")
