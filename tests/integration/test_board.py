"""Issue 9: the public progress board ``/bang-theo-doi/{agency}``: an agency's dossiers in progress by
code, green / yellow / red, the agency holding each red one, no personal data, refreshed by htmx
polling or (without JavaScript) a meta refresh; its query count does not grow with its rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.dossiers.tables import Dossier, DossierStep
from tests.fixtures.builders import standard_tree


async def _dossier(agency: dict, seq: int, *, due: datetime, state: str = "in_processing", late=False) -> int:
    now = datetime.now(UTC)
    d = Dossier(
        code=f"{agency['code']}-261203-{seq:04d}",
        procedure_code="1.001193",
        domain="test",
        receiving_agency=agency["id"],
        applicant_name=f"Nguyễn Văn Bí Mật {seq}",
        applicant_phone="0987654321",
        applicant_id_number="075090001234",
        data={},
        state=state,
        received_at=now - timedelta(days=3),
        due_at=due,
        late=late,
        created_at=now,
        updated_at=now,
    )
    await d.save()
    return d.id


async def _world() -> dict:
    tree = await standard_tree()
    ward, now = tree["ward"], datetime.now(UTC)
    await _dossier(ward, 1, due=now + timedelta(days=20))  # green
    await _dossier(ward, 2, due=now + timedelta(minutes=30))  # yellow: under a working day left
    red = await _dossier(ward, 3, due=now - timedelta(days=2), late=True)
    await DossierStep(
        dossier=red,
        stage=1,
        step_id="check",
        agency=tree["agri"]["id"],
        role="specialist",
        status="active",
        budget_minutes=480,
        started_at=now - timedelta(days=3),
        due_at=now - timedelta(days=2),
    ).save()
    await _dossier(ward, 4, due=now - timedelta(days=5), state="returned")  # finished: not on the board
    await _dossier(tree["commune"], 5, due=now + timedelta(days=2))  # another agency's
    return tree


async def test_the_board_shows_codes_colours_and_who_holds_the_red_ones(client):
    tree = await _world()
    ward = tree["ward"]
    r = await client.get(f"/bang-theo-doi/{ward['code'].lower()}")
    assert r.status_code == 200
    text = r.text
    codes = [f"{ward['code']}-261203-{i:04d}" for i in (1, 2, 3, 4)]
    assert all(c in text for c in codes[:3]) and codes[3] not in text
    assert f"{tree['commune']['code']}-261203-0005" not in text
    # Red first, then yellow, then green; the red one names the agency holding it.
    assert text.index(codes[2]) < text.index(codes[1]) < text.index(codes[0])
    red_row = text[text.index(codes[2]) : text.index(codes[1])]
    assert "Quá hạn" in red_row and "Sở Nông nghiệp và Môi trường" in red_row
    assert "Sắp đến hạn" in text[text.index(codes[1]) : text.index(codes[0])]
    assert "Trong hạn" in text[text.index(codes[0]) :]
    # No personal data.
    for secret in ("Bí Mật", "0987654321", "075090001234"):
        assert secret not in text
    # Refreshes itself: htmx polling, and a meta refresh when JavaScript is off.
    assert 'hx-trigger="every 30s"' in text and '<noscript><meta http-equiv="refresh" content="30">' in text
    poll = await client.get(f"/bang-theo-doi/{ward['code']}", headers={"HX-Request": "true"})
    assert poll.status_code == 200 and poll.text.lstrip().startswith('<section id="board"')
    assert "<html" not in poll.text and codes[2] in poll.text

    index = await client.get("/bang-theo-doi")
    assert f'href="/bang-theo-doi/{ward["code"]}"' in index.text
    assert (await client.get("/bang-theo-doi/000.99.99.H39")).status_code == 404


async def test_the_boards_query_count_does_not_grow_with_its_rows(client, count_queries):
    tree = await _world()
    url = f"/bang-theo-doi/{tree['ward']['code']}"
    await client.get(url)
    with count_queries() as few:
        assert (await client.get(url)).status_code == 200
    now = datetime.now(UTC)
    for i in range(10, 20):
        d = await _dossier(tree["ward"], i, due=now - timedelta(days=1), late=True)
        await DossierStep(
            dossier=d, stage=0, step_id="check", agency=tree["agri"]["id"], role="specialist", status="active"
        ).save()
    await client.get(url)  # as before "few": in-process jobs due now (deadline alerts) run on this one
    with count_queries() as many:
        r = await client.get(url)
    assert r.text.count("Quá hạn") >= 11
    assert len(many) == len(few) > 0, (few.statements, many.statements)
