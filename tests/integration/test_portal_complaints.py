"""Complaints and suggestions (/phan-anh, issue 10): an address is limited in how many it sends an hour
(the ``complaint`` limit of the shared throttle, so every process agrees), every field has a length limit said at the
field, and the staff list sends as many queries for 30 complaints as for 3."""

from __future__ import annotations

from core.feedback import service as feedback
from core.feedback.tables import Complaint
from core.identity.throttle import rate_limits
from tests.conftest import csrf_from
from tests.fixtures.builders import login_as
from tests.integration.test_query_counts import FEW, MANY, assert_flat, quiet_runner, world  # noqa: F401


def _form(client, agency_id, **extra) -> dict:
    return {
        "_csrf_token": csrf_from(client),
        "kind": "complaint",
        "agency_id": str(agency_id),
        "subject": "Chờ lâu",
        "content": "Tôi phải chờ rất lâu mới được tiếp nhận hồ sơ.",
        "sender_name": "Người Dân",
        "sender_phone": "0912345678",
        **extra,
    }


async def test_complaints_are_rate_limited_and_keep_what_was_typed(client, world):  # noqa: F811
    ward = world["tree"]["ward"]["id"]
    allowed = rate_limits()["complaint"].requests
    await client.get("/phan-anh/gui")
    for _ in range(allowed):
        sent = await client.post("/phan-anh/gui", data=_form(client, ward), follow_redirects=False)
        assert sent.status_code == 303, sent.text[:300]
    over = await client.post(
        "/phan-anh/gui", data=_form(client, ward, subject="Lần thứ mười một"), follow_redirects=False
    )
    assert over.status_code == 429 and int(over.headers["retry-after"]) > 0
    assert 'id="f-form"' in over.text and "error-summary" in over.text, over.text[:2000]
    assert 'value="Lần thứ mười một"' in over.text, "what was typed is kept"
    assert await Complaint.count() == allowed


async def test_every_complaint_field_has_a_length_limit_said_at_the_field(client, world):  # noqa: F811
    ward = world["tree"]["ward"]["id"]
    await client.get("/phan-anh/gui")
    long = {
        "subject": "x" * 201,
        "content": "y" * 4001,
        "sender_name": "z" * 121,
        "sender_phone": "0" * 30,
        "sender_email": "a" * 250 + "@b.vn",
        "dossier_code": "C" * 65,
        "agency_id": "9" * 30,
    }
    r = await client.post("/phan-anh/gui", data={**_form(client, ward), **long}, follow_redirects=False)
    assert r.status_code == 422
    for name in long:
        assert f'id="f-{name}-error"' in r.text, name
    assert await Complaint.count() == 0


async def test_staff_complaints_list_queries_do_not_grow(client, count_queries, world):  # noqa: F811
    w = world
    ward = w["tree"]["ward"]["id"]

    async def send(n: int) -> None:
        await feedback.submit_complaint(
            {
                "kind": "suggestion",
                "agency_id": str(ward),
                "subject": f"Kiến nghị {n}",
                "content": "Đề nghị bố trí thêm ghế chờ tại bộ phận một cửa.",
                "sender_name": "Người Dân",
                "sender_phone": "0912345678",
            }
        )

    for i in range(FEW):
        await send(i)
    await login_as(client, w["users"]["receiver"])

    async def grow():
        for i in range(FEW, MANY):
            await send(i)

    await assert_flat(client, count_queries, "/can-bo/phan-anh", grow)
    assert (await client.get("/can-bo/phan-anh")).text.count("Kiến nghị ") >= MANY
