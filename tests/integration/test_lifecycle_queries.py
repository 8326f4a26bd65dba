"""The dossier is loaded once: by the dossier page, by an action posted from it (the transition's
locked read), and receiving it reads the receiving agency's row once and never its view.

Counted like ``count_queries`` (SQL statements sent, here kept whole to tell which row each reads),
on warm caches (catalogue versions, calendar).
Before this was fixed: the page read the dossier twice (its id from its code, then its view), a
``complete_step`` POST seven times (the read check, the view before, the id again, the locked row,
the dossier's due, the view after) and receiving read the agency four times and the whole view
(dossier and steps) inside the transaction.
"""

from __future__ import annotations

import re

import pytest

from core.dossiers import service
from tests.conftest import QueryCounter, csrf_from
from tests.fixtures.builders import login_as
from tests.fixtures.engine_route import PROC, actor, setup_route


@pytest.fixture
def quiet_runner(monkeypatch):
    """Keep the background loop from querying while a request is counted."""
    from core.jobs import relay

    async def idle(*args, **kwargs) -> int:
        return 0

    monkeypatch.setenv("MOTCUA_CRON", "0")
    monkeypatch.setattr(relay, "drain", idle)


@pytest.fixture
def count_queries(monkeypatch):
    """``with count_queries() as q: ...; q.statements`` — whole SQL statements sent inside the block."""
    import contextlib

    from core.db.tx import engine

    cls = type(engine())
    original = cls.run_querystring

    @contextlib.contextmanager
    def counting():
        counter = QueryCounter()

        async def run(self, querystring, *args, **kwargs):
            counter.statements.append(str(querystring))
            return await original(self, querystring, *args, **kwargs)

        monkeypatch.setattr(cls, "run_querystring", run)
        try:
            yield counter
        finally:
            monkeypatch.setattr(cls, "run_querystring", original)

    return counting


@pytest.fixture
async def world(db, temp_plugin, quiet_runner):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


def reads(q, table: str) -> list[str]:
    """The SELECT statements whose main table is ``table``."""
    out = []
    for s in q.statements:
        text = s.lstrip()
        if not text.upper().startswith("SELECT"):
            continue
        m = re.search(r'\bFROM\s+"?(\w+)"?', text)
        if m is not None and m.group(1) == table:
            out.append(text)
    return out


async def _draft(w, n: int = 0):
    return await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": f"Nguyễn Văn An {n}"},
        data={"subject": "Đề nghị"},
        channel="truc_tiep",
    )


async def test_receiving_reads_the_agency_once_and_no_view(world, count_queries):
    w = world
    warm = await _draft(w)
    await service.receive(warm.id, actor=w["as"]["receiver"], version=warm.version)
    d = await _draft(w, 1)
    with count_queries() as q:
        got = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    assert got.state == "received" and got.code
    ward = w["tree"]["ward"]["id"]
    # the code's counter, the clock, the audit chain, the fee quote and form 01 share the one row
    # the transition read (the step selectors' directory keeps its own list of every agency)
    assert len([s for s in reads(q, "agency") if f'WHERE "agency"."id" = {ward} ' in s]) == 1
    written = next(i for i, s in enumerate(q.statements) if s.lstrip().startswith('UPDATE "dossier" '))
    before = QueryCounter()
    before.statements = q.statements[:written]
    assert len(reads(before, "dossier")) == 1, "only the locked row before the dossier is written"
    assert not [s for s in reads(before, "dossier_step") if '"dossier_step"."step_id"' in s], (
        "no view (the dossier and its steps) is loaded inside the transition"
    )


async def test_dossier_page_and_action_post_load_the_dossier_once(client, world, count_queries):
    w = world
    d = await _draft(w)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    await login_as(client, w["users"]["ward_specialist"])
    url = f"/ho-so/{d.code}"
    assert (await client.get(url)).status_code == 200  # warm
    with count_queries() as page:
        resp = await client.get(url)
    assert resp.status_code == 200 and d.code in resp.text
    assert len(reads(page, "dossier")) == 1, reads(page, "dossier")

    step = d.steps[0]
    with count_queries() as post:
        resp = await client.post(
            f"{url}/thao-tac/complete_step",
            follow_redirects=False,
            data={
                "version": str(d.version),
                "step_id": str(step.id),
                "note": "Đủ hồ sơ",
                "_csrf_token": csrf_from(client),
            },
        )
    assert resp.status_code == 303 and resp.headers["location"] == url
    assert len(reads(post, "dossier")) == 1, reads(post, "dossier")
    after = await service.get(d.code)
    assert after.version == d.version + 1 and after.state == "in_processing"
    assert [s.status for s in after.steps if s.stage == 2] == ["active", "active"]


async def test_a_stranger_posting_an_action_learns_nothing(client, world):
    """The read check now runs inside the transition: a stranger still gets the page's 404."""
    from tests.fixtures.engine_route import make_user

    w = world
    d = await _draft(w)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    stranger = await make_user("stranger", full_name="Người Lạ")
    await login_as(client, stranger)
    await client.get("/")
    for action, data in (
        ("complete_step", {"version": str(d.version)}),
        ("stop", {"version": "x"}),
        ("no_such_action", {"version": str(d.version)}),
        ("stop", {"version": str(d.version), "note": "x" * 100_000}),
    ):
        resp = await client.post(
            f"/ho-so/{d.code}/thao-tac/{action}",
            follow_redirects=False,
            data={**data, "_csrf_token": csrf_from(client)},
        )
        assert resp.status_code == 404, (action, resp.status_code)
        assert "Không tìm thấy hồ sơ" in resp.text
    assert (await service.get(d.code)).version == d.version
