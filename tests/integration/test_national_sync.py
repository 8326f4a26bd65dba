"""National portal sync (R6, R31, R38) against the loopback simulator (tests/fixtures/national_portal.py),
through the outbox: every change pushed with the national data set within 10 minutes, portal dossiers
pulled in with their code, faults (portal down, slow, answering twice, answering with an error),
the reconciliation report on the admin page and in the CLI; in-process here, arq on Redis at the end."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest

from core.api import NationalPortalSpec, hookimpl
from core.contract.errors import InvalidInput
from core.contract.specs import L
from core.contract.vntime import VN_TZ
from core.dossiers import intake, service
from core.dossiers.tables import Dossier, DossierEvent
from core.jobs import outbox, relay, tasks
from core.jobs.tables import Outbox
from core.nation import sync
from core.nation.cli import format_report
from core.nation.tables import NationalImport, NationalMessage, NationalReconciliation
from tests.fixtures.arq import needs_redis, run_worker
from tests.fixtures.engine_route import PROC, actor, setup_route
from tests.fixtures.national_portal import national_portal

APPLICANT = {"name": "Nguyễn Văn An", "id_number": "079123456789", "phone": "0912345678"}


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


@pytest.fixture
def portal(monkeypatch):
    with national_portal(monkeypatch, timeout=0.5) as sim:
        yield sim


async def make_due() -> None:
    """Let the back-off pass (the clock moved on), without sleeping."""
    await Outbox.update({Outbox.run_after: datetime.now(UTC) - timedelta(seconds=1)}).where(
        Outbox.status == "pending"
    )


async def run_sync() -> None:
    """Run the due rows of the sync and of the event dispatch (the PDFs are not this file's subject).

    The app's own runner (started by the ``client`` fixture) may be running one of them meanwhile:
    wait for it too, or a push it holds would be missed by the assertions that follow."""
    ours = Outbox.task.like("national_%") | (Outbox.task == "dispatch_event")
    for _ in range(2000):
        rows = await Outbox.select(Outbox.id).where(
            ours
            & Outbox.status.is_in(["pending", "queued"])
            & (Outbox.run_after.is_null() | (Outbox.run_after <= datetime.now(UTC)))
        )
        for row in rows:
            await tasks.run_outbox_row(row["id"])
        if not rows:
            if not await Outbox.exists().where(ours & (Outbox.status == "running")):
                return
            await asyncio.sleep(0.01)
    raise AssertionError("the sync's outbox rows did not settle")


async def national_rows(status: str | None = None) -> list[dict]:
    query = Outbox.select().where(Outbox.task.like("national_%")).order_by(Outbox.id)
    if status:
        query = query.where(Outbox.status == status)
    return await query


def step(d, step_id):
    return next(s for s in d.steps if s.step_id == step_id and s.status == "active")


async def received(w):
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant=APPLICANT,
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def test_every_change_is_pushed_with_the_data_set_within_ten_minutes(world, portal):
    w = world
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant=APPLICANT,
        data={"subject": "Đề nghị thử nghiệm"},
        channel="truc_tiep",
    )
    assert not await NationalMessage.select(), "a draft has no code and is not sent"
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    await run_sync()
    record = portal.state.records[d.code]
    assert record["TrangThaiHoSo"] == "2" and record["PhienBan"] == d.version
    assert record["MaTTHC"] == PROC and record["MaCoQuan"] == "000.30.31.H39"
    assert record["ChuHoSo"] == {"HoTen": "Nguyễn Văn An", "SoDinhDanh": "079123456789"}
    assert record["NgayTiepNhan"].endswith("+07:00") and record["NgayHenTra"]
    for sid, who in (
        ("check", "ward_specialist"),
        ("police_op", "police_specialist"),
        ("tax_op", "tax_specialist"),
    ):
        d = await service.complete_step(d.id, step(d, sid).id, actor=w["as"][who], version=d.version)
    d = await service.approve(d.id, step(d, "decide").id, actor=w["as"]["ward_leader"], version=d.version)
    await run_sync()
    assert portal.state.records[d.code]["TrangThaiHoSo"] == "9"
    assert portal.state.records[d.code]["NgayKetThucXuLy"]

    # R31: the completion reached the portal within 10 minutes of the event (measured, not slept)
    done = (
        await DossierEvent.select()
        .where((DossierEvent.dossier == d.id) & (DossierEvent.action == "approve"))
        .first()
    )
    arrived = portal.state.first_received(f"{d.code}:e{done['seq']}")
    assert arrived is not None and timedelta(0) <= arrived - done["at"] <= timedelta(minutes=10)
    message = (
        await NationalMessage.select().where(NationalMessage.message_id == f"{d.code}:e{done['seq']}").first()
    )
    assert message["status"] == "sent" and 0 <= message["lag_seconds"] <= sync.SYNC_TARGET_SECONDS
    assert message["reference"].startswith("DVCQG-")

    from core.fees import service as fees

    d = await service.mark_result_ready(d.id, actor=w["as"]["receiver"], version=d.version)
    await fees.record_payment(d.id, actor=w["as"]["receiver"], method="cash", amount=50_000)
    await run_sync()
    paid = portal.state.records[d.code]["ThanhToan"]
    assert [(p["SoTien"], p["HinhThuc"]) for p in paid] == [(50_000, "cash")] and paid[0]["SoBienLai"]
    d = await service.get(d.id)
    d = await service.return_result(
        d.id,
        actor=w["as"]["receiver"],
        version=d.version,
        channel="counter",
        receiver={"name": "Nguyễn Văn An", "id_number": "079123456789"},
    )
    await run_sync()
    assert (
        portal.state.records[d.code]["TrangThaiHoSo"] == "10"
        and portal.state.records[d.code]["NgayTraKetQua"]
    )

    from core.feedback import service as feedback

    await feedback.rate(d.code, None, "satisfied", key=d.lookup_key)
    await outbox.add("national_pull")
    await run_sync()
    assert portal.state.records[d.code]["DanhGia"][0]["MucDo"] == "satisfied"
    assert not await national_rows("failed") and not await national_rows("pending")
    # one message per change, each acknowledged once
    assert len(portal.state.messages) == len({mid for mid, _ in portal.state.received})


async def test_faults_portal_down_slow_twice_and_errors(world, portal):
    w = world
    portal.down()
    d = await received(w)
    await run_sync()
    [row] = await national_rows("pending")
    assert row["attempts"] == 1 and "Không kết nối được Cổng Dịch vụ công quốc gia" in row["last_error"]
    assert row["run_after"] > datetime.now(UTC), "retried after a back-off"
    portal.up()
    await make_due()
    await run_sync()
    assert portal.state.records[d.code]["TrangThaiHoSo"] == "2"

    # slow: the portal does the work but answers after the client gave up; the retry is a repeat
    portal.state.delay = 1.0
    d = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    await run_sync()
    [row] = await national_rows("pending")
    assert "không trả lời trong 0.5 giây" in row["last_error"]
    portal.state.delay = 0.0
    await make_due()
    await run_sync()
    mid = f"{d.code}:e{d.version}"
    assert [m for m, _ in portal.state.received].count(mid) == 2, "delivered twice"
    assert (
        list(portal.state.messages).count(mid) == 1 and portal.state.records[d.code]["PhienBan"] == d.version
    )
    assert (await NationalMessage.select().where(NationalMessage.message_id == mid).first())[
        "status"
    ] == "sent"

    # answering twice on our side: the same change queued again is not recorded twice, a sent one not resent
    assert await sync.queue_push(d.id, d.code, mid, datetime.now(UTC)) is None
    before = portal.state.requests
    await sync.national_push({}, mid)
    assert portal.state.requests == before

    # a 5xx answer is retried
    portal.state.fail_next = 1
    d = await service.complete_step(
        d.id, step(d, "police_op").id, actor=w["as"]["police_specialist"], version=d.version
    )
    await run_sync()
    [row] = await national_rows("pending")
    assert "trả lỗi 503" in row["last_error"]
    await make_due()
    await run_sync()
    assert portal.state.records[d.code]["PhienBan"] == d.version

    # a refusal (4xx) fails at once and waits for a person; sent again once put right
    portal.state.reject = "MaCoQuan chưa được đăng ký kết nối"
    d = await service.complete_step(
        d.id, step(d, "tax_op").id, actor=w["as"]["tax_specialist"], version=d.version
    )
    await run_sync()
    [row] = await national_rows("failed")
    assert row["attempts"] == 1 and "MaCoQuan chưa được đăng ký kết nối" in row["last_error"]
    portal.state.reject = ""
    await tasks.resend(row["id"])
    await run_sync()
    assert portal.state.records[d.code]["PhienBan"] == d.version
    assert not await national_rows("pending")


async def test_nothing_is_queued_without_a_connection(world, monkeypatch):
    monkeypatch.delenv("MOTCUA_NATIONAL_PORTAL_URL", raising=False)
    await received(world)
    assert not await NationalMessage.select() and not await national_rows()
    assert await sync.pull() == {}
    await sync.national_reconcile({})  # the daily job has nothing to compare with: no failed row every day
    assert await NationalReconciliation.count() == 0
    with pytest.raises(RuntimeError, match="Chưa cấu hình"):
        await sync.reconcile(datetime.now(VN_TZ).date())


async def test_hook_register_national_portals(world, temp_plugin, monkeypatch):
    """A province's own adapter (registered by a plugin) wins over core's reference client."""
    monkeypatch.setenv("MOTCUA_NATIONAL_PORTAL_URL", "http://127.0.0.1:9")

    class Recording:
        def __init__(self):
            self.pushed: list[dict] = []

        async def push(self, message):
            self.pushed.append(dict(message))
            return f"LGSP-{len(self.pushed)}"

        async def pull(self):
            return []

        async def acknowledge(self, code, reference):
            return None

        async def snapshot(self, day):
            return []

    client = Recording()

    class ProvinceAdapter:
        @hookimpl
        def register_national_portals(self):
            return [NationalPortalSpec("lgsp", L("Trục LGSP tỉnh", "Province LGSP"), lambda: client)]

    temp_plugin(ProvinceAdapter(), "province_lgsp")
    assert sync.portal()[0].name == "lgsp"
    d = await received(world)
    await run_sync()
    assert [(m["MaHoSo"], m["TrangThaiHoSo"], m["MaThongDiep"]) for m in client.pushed] == [
        (d.code, "2", f"{d.code}:e{d.version}")
    ]
    row = await NationalMessage.select().first()
    assert row["reference"] == "LGSP-1"


def portal_dossier(sim, code, **over):
    fields = {
        "MaTTHC": PROC,
        "MaCoQuan": "000.30.31.H39",
        "ChuHoSo": {"HoTen": "Trần Thị Bình", "SoDinhDanh": "079187654321", "SoDienThoai": "0987654321"},
        "DuLieuToKhai": {"subject": "Nộp trên Cổng quốc gia"},
        "NgayNopHoSo": datetime.now(VN_TZ).isoformat(timespec="seconds"),
    }
    return sim.submit(code, **{**fields, **over})


async def test_portal_dossiers_come_in_with_their_code(world, portal):
    w = world
    today = datetime.now(VN_TZ).date()
    code = f"000.30.31.H39-{today:%y%m%d}-0007"
    portal_dossier(portal, code)
    portal_dossier(portal, f"000.30.31.H39-{today:%y%m%d}-0008", MaTTHC="9.123456")
    portal.state.duplicate_pull = True  # the portal lists every dossier twice
    await outbox.add("national_pull")
    await run_sync()
    [d] = await Dossier.select().where(Dossier.code == code)
    assert (
        d["state"] == "submitted" and d["channel"] == "truc_tuyen" and d["applicant_name"] == "Trần Thị Bình"
    )
    [ev] = await DossierEvent.select().where(DossierEvent.dossier == d["id"])
    assert ev["action"] == "import_national" and ev["actor"] is None
    assert portal.state.acknowledged == {code: str(d["id"])}
    [bad] = await NationalImport.select().where(NationalImport.status == "rejected")
    assert "9.123456" in bad["error"] and bad["code"] in portal.state.new_dossiers, "not acknowledged"

    # offered again (an acknowledgement lost): still one dossier, never a new code (R6)
    portal_dossier(portal, code)
    assert (await sync.pull())["present"] == 1
    assert await Dossier.count().where(Dossier.code == code) == 1
    # the same intake path as every online dossier; the code stays, and the counter skips it
    view = await service.receive(d["id"], actor=w["as"]["receiver"], version=d["version"])
    assert view.code == code and view.state == "received"
    other = await received(w)
    assert other.code == f"000.30.31.H39-{today:%y%m%d}-0009"
    await run_sync()
    assert portal.state.records[code]["TrangThaiHoSo"] == "2"


async def test_import_refuses_a_code_of_another_agency(world):
    with pytest.raises(InvalidInput) as err:
        await intake.import_national(
            "000.30.32.H39-261203-0001",
            PROC,
            world["tree"]["ward"]["id"],
            applicant=APPLICANT,
            data={"subject": "x"},
            submitted_at=datetime.now(UTC),
        )
    assert err.value.errors[0][0] == "code"
    with pytest.raises(InvalidInput):
        await intake.import_national(
            "000.30.31.H39-261203-0001",
            PROC,
            world["tree"]["ward"]["id"],
            applicant={"name": ""},
            data={"subject": "x"},
            submitted_at=datetime.now(UTC),
        )
    assert not await Dossier.select()


async def test_reconciliation_report_page_and_cli_text(world, portal, client):
    from tests.conftest import csrf_from
    from tests.fixtures.builders import grant, login_as, make_user

    w = world
    a = await received(w)
    b = await received(w)
    await run_sync()
    today = datetime.now(VN_TZ).date()
    portal.state.records[b.code]["TrangThaiHoSo"] = "4"  # the portal shows something else
    ghost = f"000.30.31.H39-{today:%y%m%d}-0099"
    portal.state.records[ghost] = {"TrangThaiHoSo": "1", "PhienBan": 1}
    portal.state.changed_on[today.isoformat()].add(ghost)
    report = await sync.reconcile(today)
    kinds = {(d["code"], d["kind"]) for d in report["differences"]}
    assert kinds == {(b.code, "status"), (ghost, "missing_here")}
    assert report["checked"] == 3 and a.code not in {c for c, _ in kinds}
    text = format_report(report)
    assert f"{b.code}: khác trạng thái (tỉnh: 2, Cổng: 4)" in text and "2 khác biệt" in text

    admin = await make_user("qtv_tinh")
    await grant(admin, w["tree"]["province"], "province_admin")
    await login_as(client, w["users"]["receiver"])
    assert (await client.get("/quan-tri/dvc-quoc-gia")).status_code == 403
    client.cookies.clear()
    await login_as(client, admin)
    r = await client.get(f"/quan-tri/dvc-quoc-gia?ngay={today.isoformat()}")
    assert r.status_code == 200
    assert b.code in r.text and ghost in r.text and "khác trạng thái" in r.text
    # queue one now; a bad day is refused with a message
    r = await client.post(
        "/quan-tri/dvc-quoc-gia/doi-soat",
        data={"ngay": "hôm qua"},
        headers={"x-csrftoken": csrf_from(client)},
    )
    assert "YYYY-MM-DD" in r.text
    r = await client.post(
        "/quan-tri/dvc-quoc-gia/doi-soat",
        data={"ngay": today.isoformat()},
        headers={"x-csrftoken": csrf_from(client)},
    )
    assert r.status_code == 200
    assert await Outbox.count().where(Outbox.task == "national_reconcile") == 1
    assert await NationalReconciliation.count() == 1

    # the operator's command, in a process of its own: same report, exit status 1 on differences
    from tests.integration.test_cli import motcua

    out = motcua("dvcqg", "doi-soat", "--ngay", today.isoformat())
    assert out.returncode == 1, out.stderr
    assert f"{b.code}: khác trạng thái (tỉnh: 2, Cổng: 4)" in out.stdout
    bad = motcua("dvcqg", "doi-soat", "--ngay", "2026-13-01")
    assert bad.returncode == 1 and "không hợp lệ" in bad.stderr


@needs_redis
async def test_arq_on_redis_portal_down_for_a_while_slow_and_listing_twice(
    world, portal, arq_redis, monkeypatch
):
    import threading

    from core.jobs import worker as jobs_worker

    monkeypatch.setattr(jobs_worker, "RETRY_DEFER_SECONDS", 0.3)  # arq's back-off, shortened
    pool, queue = arq_redis
    w = world
    from core.nation.client import HttpNationalPortal

    push = HttpNationalPortal.push

    async def push_then_portal_back(self, message):
        try:
            return await push(self, message)
        except ConnectionError:
            portal.up()  # the portal comes back after the first failed try; arq retries
            raise

    monkeypatch.setattr(HttpNationalPortal, "push", push_then_portal_back)
    portal.down()
    d = await received(w)
    await relay.drain(redis=pool, queue_name=queue)
    await run_worker(pool, queue)
    [row] = await national_rows()
    assert row["status"] == "done" and row["attempts"] >= 2
    assert portal.state.records[d.code]["TrangThaiHoSo"] == "2"

    portal.state.delay = 0.8  # slow: the first answer comes after the client gave up
    d = await service.complete_step(
        d.id, step(d, "check").id, actor=w["as"]["ward_specialist"], version=d.version
    )
    threading.Timer(0.3, lambda: setattr(portal.state, "delay", 0.0)).start()
    await relay.drain(redis=pool, queue_name=queue)
    await run_worker(pool, queue)
    mid = f"{d.code}:e{d.version}"
    assert (await NationalMessage.select().where(NationalMessage.message_id == mid).first())[
        "status"
    ] == "sent"
    assert (
        list(portal.state.messages).count(mid) == 1 and portal.state.records[d.code]["PhienBan"] == d.version
    )

    today = datetime.now(VN_TZ).date()
    code = f"000.30.31.H39-{today:%y%m%d}-0042"
    portal_dossier(portal, code)
    portal.state.duplicate_pull = True
    await outbox.add("national_pull")
    await relay.drain(redis=pool, queue_name=queue)
    await run_worker(pool, queue)
    assert await Dossier.count().where(Dossier.code == code) == 1 and code in portal.state.acknowledged
    assert not await national_rows("failed")
