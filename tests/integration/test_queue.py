"""Issue 9: queue tickets. The kiosk issues numbered tickets per service group (a QR code of the
ticket's status page); clerks call the next number to their counter, recall, set aside, call a number
back; a ticket already called by another counter gets a clear message; the hall screen shows which
number is at which counter and refreshes itself (htmx polling, or a meta refresh without JS)."""

from __future__ import annotations

import asyncio
import re

from core.queue import service
from core.queue.tables import QueueTicket
from tests.conftest import csrf_from
from tests.fixtures.builders import grant, login_as, make_user, standard_tree


async def _post(client, path: str, **data):
    return await client.post(path, data={**data, "_csrf_token": csrf_from(client)}, follow_redirects=False)


async def _take(client, agency_code: str, group: str) -> tuple[str, str]:
    r = await _post(client, "/lay-so", co_quan=agency_code, group=group)
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    number = re.search(r'id="ticket-number">([A-Z]\d{3})<', page.text).group(1)
    return number, r.headers["location"].split("?")[0]


async def test_kiosk_clerks_and_hall_screen(client):
    tree = await standard_tree()
    ward = tree["ward"]
    clerk1 = await make_user("tiepnhan.mot")
    clerk2 = await make_user("tiepnhan.hai")
    outsider = await make_user("tiepnhan.xa")
    for u in (clerk1, clerk2):
        await grant(u, ward, "receiver")
    await grant(outsider, tree["commune"], "receiver")
    groups = service.groups()
    assert len(groups) >= 2 and groups[0].letter == "A" and groups[1].letter == "B"
    a, b = groups[0], groups[1]

    await client.get(f"/lay-so?co_quan={ward['code']}")
    kiosk = await client.get(f"/lay-so?co_quan={ward['code']}")
    assert kiosk.status_code == 200 and a.name in kiosk.text
    first, first_url = await _take(client, ward["code"], a.code)
    second, _ = await _take(client, ward["code"], a.code)
    other_group, _ = await _take(client, ward["code"], b.code)
    assert (first, second, other_group) == ("A001", "A002", "B001")
    ticket = await client.get(first_url)
    assert (
        "data:image/svg+xml" in ticket.text
        and first_url in ticket.text
        and "Bạn là người tiếp theo" in ticket.text
    )
    bad = await _post(client, "/lay-so", co_quan=ward["code"], group="khong-co")
    assert bad.status_code == 422 and "Vui lòng chọn một nhóm thủ tục" in bad.text

    # Clerk 1 at counter 3 calls the next number: A001 (the oldest).
    await login_as(client, clerk1)
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="3", action="next")
    assert r.status_code == 303
    panel = await client.get("/goi-so")
    assert 'id="current-number">A001<' in panel.text
    assert "Mời bạn đến quầy số 3" in (await client.get(first_url)).text
    # The hall screen shows it, polls itself, and refreshes without JS.
    screen = await client.get(f"/man-hinh/quay?co_quan={ward['code']}")
    assert re.search(r"<td>A001</td>\s*<td>3</td>", screen.text), screen.text
    assert 'hx-trigger="every 5s"' in screen.text and '<noscript><meta http-equiv="refresh"' in screen.text
    poll = await client.get(f"/man-hinh/quay?co_quan={ward['code']}", headers={"HX-Request": "true"})
    assert poll.text.lstrip().startswith('<section id="calls"')

    # Clerk 2 tries to call A001 by number: a clear message, nothing changes.
    await login_as(client, clerk2)
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="5", action="number", number="a001")
    assert r.status_code == 409 and "Số A001 đã được gọi tới quầy 3" in r.text
    row = await QueueTicket.select().where(QueueTicket.number == 1, QueueTicket.grp == a.code).first()
    assert row["counter"] == 3 and row["calls"] == 1
    # Clerk 2 serves group B only at counter 5.
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="5", action="next", groups=b.code)
    assert 'id="current-number">B001<' in (await client.get("/goi-so")).text
    # Absent: set aside, then called back by number when the holder returns.
    await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="5", action="skip")
    assert (await QueueTicket.select(QueueTicket.status).where(QueueTicket.letter == "B").first())[
        "status"
    ] == "skipped"
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="5", action="number", number="B001")
    assert r.status_code == 303
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="5", action="recall")
    assert (await QueueTicket.select(QueueTicket.calls).where(QueueTicket.letter == "B").first())[
        "calls"
    ] == 3
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="5", action="number", number="Z9")
    assert r.status_code == 422 and "Hôm nay chưa phát số Z9" in r.text
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="99", action="next")
    assert r.status_code == 422 and "Số quầy là một số từ 1 đến 30" in r.text

    # A clerk of another agency cannot call this agency's numbers.
    await login_as(client, outsider)
    r = await _post(client, "/goi-so", agency_id=str(ward["id"]), counter="1", action="next")
    assert r.status_code == 403 and "không tiếp nhận hồ sơ tại cơ quan này" in r.text


async def test_two_counters_calling_at_once_never_get_the_same_ticket(db):
    tree = await standard_tree()
    ward = tree["ward"]
    group = service.groups()[0]
    users = []
    for i in range(4):
        u = await make_user(f"tiepnhan.q{i}")
        await grant(u, ward, "receiver")
        users.append(u)
    for _ in range(3):
        await service.issue(ward["code"], group.code)
    from core.identity.current import load_user

    views = [await load_user(u["id"]) for u in users]
    called = await asyncio.gather(
        *(service.call_next(v, ward["id"], i + 1, []) for i, v in enumerate(views)), return_exceptions=True
    )
    labels = [c["label"] for c in called if isinstance(c, dict)]
    assert len(labels) == len(set(labels)) == 3, called  # three tickets, three counters, nobody twice
    assert sum(1 for c in called if c is None) == 1  # the fourth found nobody waiting
