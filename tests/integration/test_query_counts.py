"""List pages and the dossier page send the same number of SQL queries with 3 rows as with 30.

Each test builds a few rows through the engine service (or the owning service), loads the page once
to warm the caches (catalogue versions, calendar), counts the queries of one load, builds 27 more
rows the same way, and counts again: the counts must be equal (an N+1 makes the second larger).
The in-process job runner is held still while counting, so only the page's own queries are seen.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable

import pytest

from core.dossiers import service
from tests.fixtures.builders import grant, login_as
from tests.fixtures.engine_route import PROC, actor, make_user, setup_route

FEW, MANY = 3, 30


@pytest.fixture
def quiet_runner(monkeypatch):
    """Keep the background loop from querying while a page is counted (it polls every 2 s)."""
    from core.jobs import relay

    async def idle(*args, **kwargs) -> int:
        return 0

    monkeypatch.setenv("MOTCUA_CRON", "0")
    monkeypatch.setattr(relay, "drain", idle)


@pytest.fixture
async def world(db, temp_plugin, quiet_runner):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    admin = await make_user("province_admin", full_name="Quản trị tỉnh")
    await grant(admin, w["tree"]["province"], "province_admin")
    w["users"]["admin"] = admin
    return w


async def received_dossier(w, n: int = 0):
    """One dossier received at the ward through the engine (events, audit entries, outbox rows)."""
    d = await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": f"Nguyễn Thị Hằng {n}", "address": "Tân Phú"},
        data={"subject": f"Đề nghị số {n}"},
        channel="truc_tiep",
    )
    return await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)


async def assert_flat(client, count_queries, url: str, grow: Callable[[], Awaitable[None]]) -> int:
    """Count the queries of ``GET url`` before and after ``grow()``; they must be equal."""
    warm = await client.get(url)
    assert warm.status_code == 200, (url, warm.status_code, warm.text[:500])
    with count_queries() as few:
        assert (await client.get(url)).status_code == 200
    await grow()
    with count_queries() as many:
        resp = await client.get(url)
    assert resp.status_code == 200
    extra = Counter(many.statements) - Counter(few.statements)
    assert len(many) == len(few), (
        f"{url}: {len(few)} queries with {FEW} rows, {len(many)} with {MANY}; repeated: "
        + "\n".join(f"{n}x {s}" for s, n in extra.most_common(5))
    )
    assert len(few) > 0, "the counter saw no query: the page was not measured"
    return len(few)


async def test_register_page(client, count_queries, world):
    w = world
    for i in range(FEW):
        await received_dossier(w, i)
    await login_as(client, w["users"]["receiver"])
    url = f"/so-theo-doi?agency={w['tree']['ward']['id']}"

    async def grow():
        for i in range(FEW, MANY):
            await received_dossier(w, i)

    await assert_flat(client, count_queries, url, grow)
    page = (await client.get(url)).text
    assert page.count("Nguyễn Thị Hằng") == MANY  # every row is on the page that was counted


async def test_catalogue_page(client, count_queries, world):
    """``/thu-tuc`` with the procedures enabled at 3, then 30 agencies (activation rows and the agency list)."""
    from core.catalogue import service as catalogue
    from tests.fixtures.builders import make_agency

    w = world
    province = w["tree"]["province"]["id"]

    async def communes(start: int, stop: int):
        for i in range(start, stop):
            a = await make_agency(f"000.31.{i:02d}.H39", f"UBND xã Số {i}", "commune", parent=province)
            await catalogue.set_enabled(PROC, a["id"], True)

    await communes(0, FEW)
    url = "/thu-tuc?q=thu+nghiem"
    await assert_flat(client, count_queries, url, lambda: communes(FEW, MANY))
    page = (await client.get(url)).text
    assert "Thủ tục liên thông thử nghiệm" in page and "UBND xã Số 29" in page


async def test_procedure_page(client, count_queries, world):
    """``/thu-tuc/{code}`` lists every agency that takes the procedure in."""
    from core.catalogue import service as catalogue
    from tests.fixtures.builders import make_agency

    w = world
    province = w["tree"]["province"]["id"]

    async def communes(start: int, stop: int):
        for i in range(start, stop):
            a = await make_agency(f"000.32.{i:02d}.H39", f"UBND phường Số {i}", "commune", parent=province)
            await catalogue.set_enabled(PROC, a["id"], True)

    await communes(0, FEW)
    await assert_flat(client, count_queries, f"/thu-tuc/{PROC}", lambda: communes(FEW, MANY))
    assert "UBND phường Số 29" in (await client.get(f"/thu-tuc/{PROC}")).text


async def test_audit_page(client, count_queries, world):
    from core.audit import chain

    w = world

    async def entries(start: int, stop: int):
        for i in range(start, stop):
            await chain.append(
                "test.entry",
                chain="global",
                actor_id=w["users"]["admin"]["id"],
                object_type="dossier",
                object_id=str(i),
                data={"ghi_chu": f"Mục {i}"},
            )

    await entries(0, FEW)
    await login_as(client, w["users"]["admin"])
    await assert_flat(client, count_queries, "/quan-tri/nhat-ky?chuoi=global", lambda: entries(FEW, MANY))
    assert "Mục 29" in (await client.get("/quan-tri/nhat-ky?chuoi=global")).text


async def test_audit_page_of_an_agency_chain(client, count_queries, world):
    """The chain the engine writes for each transition at the ward."""
    w = world
    for i in range(FEW):
        await received_dossier(w, i)
    await login_as(client, w["users"]["admin"])
    url = f"/quan-tri/nhat-ky?chuoi=agency:{w['tree']['ward']['code']}"

    async def grow():
        for i in range(FEW, MANY):
            await received_dossier(w, i)

    await assert_flat(client, count_queries, url, grow)


async def test_jobs_page(client, count_queries, world):
    from core.jobs import outbox

    w = world

    async def rows(start: int, stop: int):
        for i in range(start, stop):
            await outbox.add("notify_send", notification_id=100_000 + i)

    await rows(0, FEW)
    await login_as(client, w["users"]["admin"])
    url = "/quan-tri/tac-vu?trang_thai=pending"
    await assert_flat(client, count_queries, url, lambda: rows(FEW, MANY))
    assert "100029" in (await client.get(url)).text


async def test_jobs_page_with_engine_work(client, count_queries, world):
    """Outbox rows written by transitions (receipts, notifications, plugin events)."""
    w = world
    for i in range(FEW):
        await received_dossier(w, i)
    await login_as(client, w["users"]["admin"])

    async def grow():
        for i in range(FEW, MANY):
            await received_dossier(w, i)

    await assert_flat(client, count_queries, "/quan-tri/tac-vu?trang_thai=pending", grow)


async def test_dossier_page_with_many_events(client, count_queries, world):
    """``/ho-so/{code}``: suspended and resumed again and again, so events and suspensions pile up."""
    w = world
    d = await received_dossier(w)
    spec = w["as"]["ward_specialist"]
    state = {"d": d, "events": 2}

    async def cycles(n: int):
        d = state["d"]
        for _ in range(n):
            step = d.active_steps()[0].id
            d = await service.suspend(d.id, step, actor=spec, version=d.version, reason="Chờ thẩm định")
            d = await service.resume(d.id, step, actor=spec, version=d.version, note="Đã có kết quả")
        state["d"] = d

    await cycles(1)
    await login_as(client, w["users"]["ward_specialist"])
    url = f"/ho-so/{d.code}"
    await assert_flat(client, count_queries, url, lambda: cycles(MANY // 2))
    events = await service.events(d.id)
    assert len(events) >= MANY
    assert (await client.get(url)).text.count("Đã có kết quả") >= MANY // 2


async def test_public_status_page_with_many_events(client, count_queries, world):
    w = world
    d = await received_dossier(w)
    spec = w["as"]["ward_specialist"]
    state = {"d": d}

    async def cycles(n: int):
        d = state["d"]
        for _ in range(n):
            step = d.active_steps()[0].id
            d = await service.suspend(d.id, step, actor=spec, version=d.version, reason="Chờ thẩm định")
            d = await service.resume(d.id, step, actor=spec, version=d.version)
        state["d"] = d

    await cycles(1)
    await assert_flat(client, count_queries, f"/tra-cuu/{d.code}?k={d.lookup_key}", lambda: cycles(MANY // 2))


async def test_my_messages_page(client, count_queries, world):
    """Messages already read (an unread one costs one ``UPDATE`` whatever their number)."""
    from datetime import UTC, datetime

    from core.notify.tables import Notification

    w = world
    citizen = w["users"]["citizen"]
    d = await received_dossier(w)

    async def messages(start: int, stop: int):
        for i in range(start, stop):
            await Notification(
                recipient=citizen["id"],
                channel="inapp",
                subject=f"Thông báo {i}",
                body="Hồ sơ đã được tiếp nhận.",
                dossier=d.id,
                status="sent",
                created_at=datetime.now(UTC),
                read_at=datetime.now(UTC),
            ).save()

    await messages(0, FEW)
    await login_as(client, citizen)
    await assert_flat(client, count_queries, "/thong-bao", lambda: messages(FEW, MANY))


async def test_admin_users_page(client, count_queries, world):
    w = world

    async def staff(start: int, stop: int):
        for i in range(start, stop):
            u = await make_user(f"canbo{i:03d}", full_name=f"Cán bộ {i}")
            await grant(u, w["tree"]["ward"], "specialist")
            await grant(u, w["tree"]["commune"], "receiver")

    await staff(0, FEW)
    await login_as(client, w["users"]["admin"])
    await assert_flat(client, count_queries, "/quan-tri/nguoi-dung?q=canbo", lambda: staff(FEW, MANY))


async def test_admin_agencies_page(client, count_queries, world):
    from tests.fixtures.builders import make_agency

    w = world
    province = w["tree"]["province"]["id"]

    async def communes(start: int, stop: int):
        for i in range(start, stop):
            await make_agency(f"000.33.{i:02d}.H39", f"UBND xã Mới {i}", "commune", parent=province)

    await communes(0, FEW)
    await login_as(client, w["users"]["admin"])
    await assert_flat(client, count_queries, "/quan-tri/co-quan", lambda: communes(FEW, MANY))


async def test_mail_outbox_page(client, count_queries, world):
    """``/quan-tri/thu-di``: e-mails and SMS waiting, each tied to its outbox job (one query for all)."""
    from datetime import UTC, datetime

    from core.jobs import outbox
    from core.notify.tables import Notification

    w = world
    d = await received_dossier(w)

    async def mails(start: int, stop: int):
        for i in range(start, stop):
            job = await outbox.add("notify_send", notification_id=200_000 + i)
            await Notification(
                recipient=w["users"]["citizen"]["id"],
                dossier=d.id,
                channel="email",
                to_address=f"dan{i}@example.vn",
                template="received",
                subject=f"Thư số {i}",
                body="Hồ sơ đã được tiếp nhận.",
                status="outbox",
                outbox_id=job,
                created_at=datetime.now(UTC),
            ).save()

    await mails(0, FEW)
    await login_as(client, w["users"]["admin"])
    await assert_flat(client, count_queries, "/quan-tri/thu-di?trang_thai=outbox", lambda: mails(FEW, MANY))
    assert "Thư số 29" in (await client.get("/quan-tri/thu-di?trang_thai=outbox")).text


async def test_dossier_documents_page(client, count_queries, world):
    """``/ho-so/{code}/tai-lieu``: a control sheet after each round of suspend and resume."""
    from core.documents import service as documents

    w = world
    d = await received_dossier(w)
    spec = w["as"]["ward_specialist"]
    state = {"d": d}

    async def sheets(n: int):
        d = state["d"]
        for _ in range(n):
            step = d.active_steps()[0].id
            d = await service.suspend(d.id, step, actor=spec, version=d.version, reason="Chờ thẩm định")
            d = await service.resume(d.id, step, actor=spec, version=d.version)
            await documents.request_control_sheet(d.id)
        state["d"] = d

    await sheets(2)
    await login_as(client, w["users"]["ward_specialist"])
    url = f"/ho-so/{d.code}/tai-lieu"
    await assert_flat(client, count_queries, url, lambda: sheets(MANY // 2))
    assert len(await documents.documents_for(d.id)) >= MANY // 2


async def test_jobs_tabs_count_through_the_index_with_a_cap(client, world, monkeypatch):
    """Done rows pile up for ever: each tab counts at most ``COUNT_CAP`` rows, then says ``N+``."""
    from core.jobs import outbox
    from core.jobs.tables import Outbox
    from core.web.pages import jobs_admin as admin

    monkeypatch.setattr(admin, "COUNT_CAP", 5)
    for i in range(7):
        await outbox.add("notify_send", notification_id=300_000 + i)
    await Outbox.update({Outbox.status: "done"}).where(Outbox.status == "pending")
    for i in range(2):
        await outbox.add("notify_send", notification_id=310_000 + i)
    await Outbox.update({Outbox.status: "failed"}).where(Outbox.status == "pending")
    await login_as(client, world["users"]["admin"])
    text = (await client.get("/quan-tri/tac-vu")).text
    assert "(5+)" in text and "(2)" in text and "(0)" in text


async def test_staff_inbox(client, count_queries, world):
    """``/can-bo``: the specialist's dossiers at their step, with counts by colour and the rows' steps."""
    w = world
    for i in range(FEW):
        await received_dossier(w, i)
    await login_as(client, w["users"]["ward_specialist"])

    async def grow():
        for i in range(FEW, MANY):
            await received_dossier(w, i)

    url = "/can-bo?kenh=truc_tiep"
    n = await assert_flat(client, count_queries, url, grow)
    assert n <= 12, n
    page = (await client.get(url)).text
    assert page.count("Nguyễn Thị Hằng") == MANY
    with count_queries() as polled:
        assert (
            await client.get(url.replace("/can-bo", "/can-bo/dem"), headers={"HX-Request": "true"})
        ).status_code == 200
    assert len(polled) < n
