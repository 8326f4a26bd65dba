"""Concurrency (PostgreSQL) and a property test on a real database: random action sequences never
reach an undefined state, and the events are exactly the successful actions."""

from __future__ import annotations

import asyncio
import os
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.contract.errors import MotcuaError, StaleVersion
from core.dossiers import service
from core.dossiers.states import State
from core.dossiers.tables import DossierEvent
from tests.fixtures.engine_route import PROC, actor, setup_route

IS_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
postgres_only = [
    pytest.mark.postgres,
    pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)"),
]


@pytest.fixture
async def world(db, temp_plugin):
    w = await setup_route(temp_plugin)
    w["as"] = {name: await actor(u) for name, u in w["users"].items()}
    return w


async def _draft(w):
    return await service.create(
        PROC,
        w["tree"]["ward"]["id"],
        actor=w["as"]["receiver"],
        applicant={"name": "Phạm Thị Dung"},
        data={"subject": "x"},
        channel="truc_tiep",
    )


@pytest.mark.postgres
@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
async def test_twenty_parallel_receipts_get_distinct_gap_free_codes(world):
    w = world
    drafts = [await _draft(w) for _ in range(20)]
    got = await asyncio.gather(
        *(service.receive(d.id, actor=w["as"]["receiver"], version=d.version) for d in drafts)
    )
    seqs = sorted(int(d.code.rsplit("-", 1)[1]) for d in got)
    assert seqs == list(range(1, 21))
    from core.audit import chain

    assert await chain.verify_all() == [], "parallel transitions keep the agency's audit chain intact"


@pytest.mark.postgres
@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
async def test_parallel_receipts_at_two_agencies_count_separately(world):
    w = world
    ward = [await _draft(w) for _ in range(8)]
    commune = [
        await service.create(
            PROC,
            w["tree"]["commune"]["id"],
            actor=w["as"]["commune_receiver"],
            applicant={"name": "Lò Văn Páo"},
            data={"subject": "x"},
            channel="truc_tiep",
        )
        for _ in range(8)
    ]
    got = await asyncio.gather(
        *(service.receive(d.id, actor=w["as"]["receiver"], version=d.version) for d in ward),
        *(service.receive(d.id, actor=w["as"]["commune_receiver"], version=d.version) for d in commune),
    )
    by_agency: dict[str, list[int]] = {}
    for d in got:
        agency, _day, seq = d.code.rsplit("-", 2)
        by_agency.setdefault(agency, []).append(int(seq))
    assert {a: sorted(s) for a, s in by_agency.items()} == {
        w["tree"]["ward"]["code"]: list(range(1, 9)),
        w["tree"]["commune"]["code"]: list(range(1, 9)),
    }


@pytest.mark.postgres
@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
async def test_two_clerks_same_version_exactly_one_wins(world):
    w = world
    d = await _draft(w)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    before = await DossierEvent.count().where(DossierEvent.dossier == d.id)
    results = await asyncio.gather(
        service.stop(d.id, actor=w["as"]["receiver"], version=d.version, reason="Người nộp xin dừng"),
        service.request_supplement(
            d.id,
            next(s.id for s in d.active_steps()),
            actor=w["as"]["ward_specialist"],
            version=d.version,
            items=["Bản sao"],
            reason="Thiếu giấy tờ",
        ),
        return_exceptions=True,
    )
    wins = [r for r in results if not isinstance(r, Exception)]
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(wins) == 1 and len(losses) == 1 and isinstance(losses[0], StaleVersion), results
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == before + 1
    # the loser is told clearly what happened, and which change beat it
    lost = losses[0]
    assert "đã được cập nhật" in lost.message and "chưa được thực hiện" in lost.message
    winner = (await service.events(d.id))[-1]
    assert len(lost.changes) == 1 and lost.changes[0].startswith(f"#{winner.seq} ")
    # and nothing of the losing action exists: one state, one form (form 05 or form 02), no stray pause
    from core.documents.tables import GeneratedDocument
    from core.dossiers.tables import Suspension

    now = await service.get(d.id)
    assert now.state == wins[0].state and now.version == d.version + 1
    kinds = {
        r["kind"]
        for r in await GeneratedDocument.select(GeneratedDocument.kind).where(
            GeneratedDocument.dossier == d.id
        )
    }
    assert ("form05" in kinds) != ("form02" in kinds)
    assert await Suspension.count().where(Suspension.dossier == d.id) == 0


@pytest.mark.postgres
@pytest.mark.skipif(not IS_POSTGRES, reason="needs PostgreSQL (DATABASE_URL)")
async def test_two_clerks_finishing_parallel_steps_at_once(world):
    """Tax and police finish their parallel steps at the same moment with the version they both saw:
    one wins; the other is told to reload, and its step is still active (it can finish it again)."""
    w = world
    d = await _draft(w)
    d = await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    d = await service.complete_step(
        d.id, next(s.id for s in d.active_steps()), actor=w["as"]["ward_specialist"], version=d.version
    )
    tax = next(s for s in d.active_steps() if s.step_id == "tax_op")
    police = next(s for s in d.active_steps() if s.step_id == "police_op")
    results = await asyncio.gather(
        service.complete_step(d.id, tax.id, actor=w["as"]["tax_specialist"], version=d.version),
        service.complete_step(d.id, police.id, actor=w["as"]["police_specialist"], version=d.version),
        return_exceptions=True,
    )
    losses = [r for r in results if isinstance(r, Exception)]
    assert len(losses) == 1 and isinstance(losses[0], StaleVersion), results
    now = await service.get(d.id)
    assert now.version == d.version + 1 and len(now.active_steps()) == 1
    again = now.active_steps()[0]
    who = "tax_specialist" if again.step_id == "tax_op" else "police_specialist"
    now = await service.complete_step(d.id, again.id, actor=w["as"][who], version=now.version)
    assert [s.step_id for s in now.active_steps()] == ["decide"]


async def test_same_version_twice_in_sequence_second_is_stale(world):
    """The same race on either engine, serialised: the second writer with the old version loses."""
    w = world
    d = await _draft(w)
    await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    with pytest.raises(StaleVersion):
        await service.receive(d.id, actor=w["as"]["receiver"], version=d.version)
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == 2


ACTIONS = (
    "receive",
    "request_supplement",
    "resubmit",
    "refuse_intake",
    "complete_step",
    "approve",
    "reject",
    "return_step",
    "suspend",
    "resume",
    "mark_result_ready",
    "return_result",
    "stop",
    "apologise",
)
WHO = ("receiver", "ward_specialist", "ward_leader", "tax_specialist", "police_specialist", "tax_leader")


@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(WHO), st.integers(0, 3)), min_size=1, max_size=14
    )
)
async def test_random_actions_on_a_real_dossier(world_factory, script):
    w = await world_factory()
    d = await _draft(w)
    ok = 1  # the create event
    rnd = random.Random(len(script))
    for action, who, pick in script:
        active = d.active_steps()
        step_id = active[pick % len(active)].id if active else None
        params = {}
        if action == "return_result":
            params = {"channel": "online", "receiver": {}}
        if action == "apologise":
            params = {"new_due": (d.appointment_at or d.created_at).replace(year=2099)}
        if action == "suspend":
            params = {"reason_code": "appraisal"}
        if action == "request_supplement":
            params = {"items": ["Bản sao"]}
        try:
            d = await service.act(
                d.id,
                action,
                actor=w["as"][who],
                version=d.version,
                step_id=step_id,
                note="Lý do thử nghiệm" if rnd.random() < 0.9 else "",
                **params,
            )
            ok += 1
        except MotcuaError:
            d = await service.get(d.id)
        assert d.state in {s.value for s in State}
    assert await DossierEvent.count().where(DossierEvent.dossier == d.id) == ok == d.version


@pytest.fixture
def world_factory(db, temp_plugin):
    """Hypothesis runs many examples in one test: each gets a clean database and a fresh route."""
    from tests.conftest import clean_database

    async def make():
        await clean_database()
        w = await setup_route(temp_plugin)
        w["as"] = {name: await actor(u) for name, u in w["users"].items()}
        return w

    return make
