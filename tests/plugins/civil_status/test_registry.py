"""The registry: sequential entry numbers per book, conflicts by public identifier only, death ends marriage."""

from __future__ import annotations

from datetime import date

from core.api import Conflict, write_tx
from plugins.civil_status import procedures, registry, results, validation
from plugins.civil_status.tables import CivilEntry, CivilExtract
from tests.plugins.civil_status import samples

TODAY = date(2026, 11, 23)
AGENCY = {"id": 7, "code": "000.30.31.H39", "name": "UBND phường Trấn Biên"}


def _ctx(code, data):
    return {
        "dossier": {"id": 1, "code": code, "data": data, "receiving_agency": AGENCY},
        "agency": AGENCY,
        "today": TODAY,
        "step": None,
        "actor": None,
    }


async def test_entries_are_sequential_per_book_and_year(db):
    async with write_tx():
        a, book = await registry.register(
            agency_id=7, agency_code="X", kind="birth", day=TODAY, event_date=TODAY, person_name="A"
        )
        b, _ = await registry.register(
            agency_id=7, agency_code="X", kind="birth", day=TODAY, event_date=TODAY, person_name="B"
        )
        c, _ = await registry.register(
            agency_id=8, agency_code="Y", kind="birth", day=TODAY, event_date=TODAY, person_name="C"
        )
        d, other = await registry.register(
            agency_id=7,
            agency_code="X",
            kind="birth",
            day=date(2027, 1, 4),
            event_date=TODAY,
            person_name="D",
        )
    assert (a.entry_number, b.entry_number, c.entry_number, d.entry_number) == (1, 2, 1, 1)
    assert book["number"] == "01/2026" and other["number"] == "01/2027"
    assert a.label() == "Sổ đăng ký khai sinh quyển số 01/2026, số 1"


async def test_marriage_conflict_names_only_the_entry(db):
    async with write_tx():
        first = await results.issue_marriage(_ctx("D-1", samples.marriage(TODAY)))
    assert first["entry_number"] == 1 and first["number"] == "1/2026/TLKH.7"
    # the wife marries again with somebody else: refused at her field, with the book/entry only
    again = samples.marriage(TODAY, husband_cccd="075090009999", husband_full_name="Đỗ Văn Tâm")
    errs = await validation.validate(procedures.BY_CODE[procedures.MARRIAGE], None, again, {"today": TODAY})
    assert [e.field for e in errs] == ["wife_cccd"]
    msg = errs[0].message
    assert "Sổ đăng ký kết hôn quyển số 01/2026, số 1" in msg
    for private in ("Lê Quốc Bảo", "075096003311", "1996", "Phạm Ngọc Anh"):
        assert private not in msg
    # and inside the approval transaction too (a race between two counters)
    try:
        async with write_tx():
            await results.issue_marriage(_ctx("D-2", again))
        raise AssertionError("expected a conflict")
    except Conflict as exc:
        assert "quyển số 01/2026, số 1" in exc.message and "Lê Quốc Bảo" not in exc.message


async def test_death_ends_the_marriage_and_cannot_be_registered_twice(db):
    async with write_tx():
        await results.issue_marriage(_ctx("D-1", samples.marriage(TODAY)))
        death = await results.issue_death(_ctx("D-2", samples.death(TODAY)))
    assert death["marriages_ended"] == 1
    row = await CivilEntry.select().where(CivilEntry.kind == "marriage").first()
    assert row["status"] == "ended_death" and row["ended_by"] == "Sổ đăng ký khai tử quyển số 01/2026, số 1"
    # the widow may marry again
    widow = samples.marriage(TODAY, husband_cccd="075090009999")
    assert (
        await validation.validate(procedures.BY_CODE[procedures.MARRIAGE], None, widow, {"today": TODAY})
        == []
    )
    # the deceased cannot marry, nor die twice
    errs = await validation.validate(
        procedures.BY_CODE[procedures.MARRIAGE],
        None,
        samples.marriage(TODAY, wife_cccd="075198000001"),
        {"today": TODAY},
    )
    assert errs[0].field == "husband_cccd" and "đã được đăng ký khai tử" in errs[0].message
    errs = await validation.validate(
        procedures.BY_CODE[procedures.DEATH], None, samples.death(TODAY), {"today": TODAY}
    )
    assert errs[0].field == "deceased_cccd"


async def test_birth_and_linked_results(db):
    async with write_tx():
        birth = await results.issue_birth(_ctx("L-1", samples.birth_linked(TODAY, extract_copies=2)))
        police = {"id": 9, "code": "000.40.02.H39", "name": "Công an tỉnh"}
        res = await results.issue_residence({**_ctx("L-1", samples.birth_linked(TODAY)), "agency": police})
        hi = await results.issue_health_insurance(
            {
                **_ctx("L-1", samples.birth_linked(TODAY)),
                "agency": {"id": 10, "code": "000.40.03.H39", "name": "BHXH"},
            }
        )
    assert birth["copies"] == 3 and birth["child"]["name"] == "Nguyễn Minh Khang"
    assert res["number"] == "1/2026/TB-CT.9"
    assert hi["number"].startswith("TE126010") and len(hi["number"]) == 13
    assert hi["valid_to"].endswith(str(TODAY.year + 6)) or hi["valid_to"].endswith(str(TODAY.year + 5))
    assert await CivilExtract.count() == 1
