"""``motcua demo`` for civil status: books with hundreds of entries in every demo commune, fee
amounts, activation, and dossiers at every state driven through the lifecycle service.

Idempotent: a commune whose books exist is skipped, fee amounts in force are left alone, the demo
dossiers are created once (marker: a ``demo_dossiers`` row in ``civil_book``). A state that cannot
be reached (no user holds the needed role in the demo) is skipped and logged, never faked.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from core.api import (
    demo_staff,
    fee_amounts,
    is_enabled,
    set_enabled,
    set_fee,
    vn_today,
    write_tx,
)
from plugins.civil_status import fees, procedures
from plugins.civil_status.demo_names import HOSPITALS, Person, person
from plugins.civil_status.tables import CivilBook, CivilEntry, CivilExtract

__all__ = ("seed", "PER_YEAR")

log = logging.getLogger("motcua.civil_status.demo")

PER_YEAR = {"birth": 48, "marriage": 20, "death": 14}
"""Entries per commune and year (three years: about 250 per commune)."""
MARKER = "demo_dossiers"
_PREFIX = {"birth": "TLKS", "marriage": "TLKH", "death": "TLKT"}


def _dates(rng: random.Random, year: int, today: date, n: int) -> list[date]:
    start = date(year, 1, 2)
    end = min(date(year, 12, 30), today - timedelta(days=1))
    span = max((end - start).days, 1)
    return sorted(start + timedelta(days=rng.randrange(span)) for _ in range(n))


def _birth(rng, used, day: date, place: str) -> dict[str, Any]:
    mother = person(rng, used, gender="nu", born_between=(1985, 2002), place=place)
    father = person(rng, used, gender="nam", born_between=(1982, 2000), place=place)
    child_gender = rng.choice(("nam", "nu"))
    child = person(
        rng, set(), gender=child_gender, family=father["name"].split()[0], born_between=(2000, 2000)
    )
    born = day - timedelta(days=rng.randrange(3, 55))
    data = {
        "child": {
            "name": child["name"],
            "gender": "Nam" if child_gender == "nam" else "Nữ",
            "birth_date": f"{born:%d/%m/%Y}",
            "birth_place": rng.choice(HOSPITALS),
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "hometown": "Đồng Nai",
        },
        "mother": {
            "name": mother["name"],
            "birth_date": f"{mother['birth_date']:%d/%m/%Y}",
            "ethnicity": "Kinh",
            "residence": mother["address"],
        },
        "father": {
            "name": father["name"],
            "birth_date": f"{father['birth_date']:%d/%m/%Y}",
            "ethnicity": "Kinh",
            "residence": father["address"],
        },
    }
    return {"event_date": born, "person_name": child["name"], "data": data}


def _marriage(rng, used, day: date, place: str) -> dict[str, Any]:
    h = person(rng, used, gender="nam", born_between=(1980, 2004), place=place)
    w = person(rng, used, gender="nu", born_between=(1983, 2006), place=place)

    def side(p):
        return {
            "name": p["name"],
            "birth_date": f"{p['birth_date']:%d/%m/%Y}",
            "cccd": p["cccd"],
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "residence": p["address"],
        }

    return {
        "event_date": day,
        "person_name": h["name"],
        "person_cccd": h["cccd"],
        "partner_name": w["name"],
        "partner_cccd": w["cccd"],
        "data": {"husband": side(h), "wife": side(w)},
    }


def _death(rng, used, day: date, place: str, married: list[dict]) -> dict[str, Any]:
    earlier = [m for m in married if m["day"] < day - timedelta(days=15)]
    if earlier and rng.random() < 0.3:
        m = earlier[rng.randrange(len(earlier))]
        married.remove(m)
        husband = rng.random() < 0.6
        p = Person(
            name=m["person_name"] if husband else m["partner_name"],
            gender="nam" if husband else "nu",
            cccd=m["person_cccd"] if husband else m["partner_cccd"],
            birth_date=date(1980, 6, 1),
            address=place,
        )
        m["_dies"] = (p["cccd"], day)
    else:
        p = person(rng, used, born_between=(1930, 1965), place=place)
    died = day - timedelta(days=rng.randrange(0, 12))
    data = {
        "deceased": {
            "name": p["name"],
            "gender": "Nam" if p["gender"] == "nam" else "Nữ",
            "birth_date": f"{p['birth_date']:%d/%m/%Y}",
            "cccd": p["cccd"],
            "ethnicity": "Kinh",
            "nationality": "Việt Nam",
            "residence": p["address"],
        },
        "death": {
            "date": f"{died:%d/%m/%Y}",
            "time": "",
            "place": rng.choice(HOSPITALS[:2] + (p["address"],)),
            "cause": "Bệnh",
            "notice_number": "",
        },
    }
    return {"event_date": died, "person_name": p["name"], "person_cccd": p["cccd"], "data": data}


async def _book(agency, kind: str, year: int, rows: list[dict], today: date) -> list[dict]:
    """Insert one book and its entries (numbers 1..n in date order) with one original extract each."""
    book = CivilBook(
        agency_id=agency.id,
        agency_code=agency.code,
        kind=kind,
        year=year,
        number=f"01/{year}",
        last_entry=len(rows),
        last_extract=len(rows),
        opened_at=datetime.now(UTC),
    )
    await book.save()
    objs = []
    for n, r in enumerate(rows, start=1):
        objs.append(
            CivilEntry(
                book=book.id,
                entry_number=n,
                kind=kind,
                agency_id=agency.id,
                registered_on=r["day"],
                event_date=r["event_date"],
                person_name=r["person_name"],
                person_cccd=r.get("person_cccd"),
                partner_name=r.get("partner_name", ""),
                partner_cccd=r.get("partner_cccd"),
                status=r.get("status", "active"),
                ended_on=r.get("ended_on"),
                ended_by=r.get("ended_by", ""),
                data=r["data"],
                created_at=datetime.now(UTC),
            )
        )
    ids: list[dict] = []
    for i in range(0, len(objs), 200):
        ids += await CivilEntry.insert(*objs[i : i + 200]).returning(CivilEntry.id)
    extracts = [
        CivilExtract(
            entry=e["id"],
            number=f"{n}/{year}/{_PREFIX[kind]}.{agency.id}",
            kind="original",
            copies=1,
            issued_on=rows[n - 1]["day"],
        )
        for n, e in enumerate(ids, start=1)
    ]
    for i in range(0, len(extracts), 200):
        await CivilExtract.insert(*extracts[i : i + 200])
    return [{"id": e["id"], "number": n, "book": book.number} for n, e in enumerate(ids, start=1)]


async def seed_registry(communes, today: date, rng: random.Random, used: set[str]) -> int:
    """Books of the last three years for every commune without books yet; returns entries written."""
    total = 0
    for agency in communes:
        if await CivilBook.exists().where((CivilBook.agency_id == agency.id) & (CivilBook.kind == "birth")):
            continue
        place = agency.name.replace("UBND ", "")
        for year in range(today.year - 2, today.year + 1):
            births = [
                {"day": d, **_birth(rng, used, d, place)} for d in _dates(rng, year, today, PER_YEAR["birth"])
            ]
            marriages = [
                {"day": d, **_marriage(rng, used, d, place)}
                for d in _dates(rng, year, today, PER_YEAR["marriage"])
            ]
            alive = list(marriages)
            deaths = [
                {"day": d, **_death(rng, used, d, place, alive)}
                for d in _dates(rng, year, today, PER_YEAR["death"])
            ]
            for m in marriages:
                if rng.random() < 0.08 and "_dies" not in m:
                    m.update(
                        status="dissolved",
                        ended_on=m["day"] + timedelta(days=200),
                        ended_by=f"Bản án ly hôn số {rng.randrange(10, 400)}/{year}/HNGĐ-ST",
                    )
            async with write_tx():
                await _book(agency, "birth", year, births, today)
                married = await _book(agency, "marriage", year, marriages, today)
                dead = await _book(agency, "death", year, deaths, today)
                for m, mref in zip(marriages, married, strict=True):
                    if "_dies" in m:
                        idx = next(i for i, d in enumerate(deaths) if d.get("person_cccd") == m["_dies"][0])
                        await CivilEntry.update(
                            {
                                CivilEntry.status: "ended_death",
                                CivilEntry.ended_on: deaths[idx]["event_date"],
                                CivilEntry.ended_by: f"Sổ đăng ký khai tử quyển số {dead[idx]['book']}, "
                                f"số {dead[idx]['number']}",
                            }
                        ).where(CivilEntry.id == mref["id"])
            total += len(births) + len(marriages) + len(deaths)
    return total


async def _fees(today: date) -> None:
    in_force = await fee_amounts(procedures.BIRTH, today)
    for code, amount in fees.DEFAULT_AMOUNTS.items():
        if code not in in_force:
            await set_fee(
                code, amount, effective_from=date(2025, 7, 1), legal_basis=fees.LEGAL_BASIS[code][:255]
            )


async def _activate(communes) -> None:
    for a in communes:
        for code in procedures.CODES:
            if not await is_enabled(code, a.id):
                await set_enabled(code, a.id, True)


async def seed(ctx: Mapping[str, Any]) -> None:
    """The ``seed_demo_data`` hook."""
    agencies = dict(ctx.get("agencies") or {})
    today = ctx.get("today") or vn_today()
    communes = sorted((a for a in agencies.values() if a.level == "commune"), key=lambda a: a.code)
    if not communes:
        log.warning("civil_status demo: no commune in the demo province, nothing to seed")
        return
    rng = random.Random(20261123)
    used: set[str] = set()
    n = await seed_registry(communes, today, rng, used)
    log.info("civil_status demo: %s registry entries written", n)
    await _fees(today)
    await _activate(communes)
    if await CivilBook.exists().where(CivilBook.kind == MARKER):
        return
    from plugins.civil_status.demo_dossiers import seed_dossiers

    await seed_dossiers(communes, await demo_staff(ctx.get("users") or {}), rng, used, today)
    async with write_tx():
        await CivilBook.insert(
            CivilBook(agency_id=0, kind=MARKER, year=today.year, number="-", opened_at=datetime.now(UTC))
        )
