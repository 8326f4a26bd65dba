"""Declarations, cross-field rules and fees of the civil-status plugin, without the engine."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from core.catalogue.registry import build
from plugins.civil_status import fees, procedures, validation
from plugins.civil_status.procedures import BIRTH, BIRTH_LINKED, DEATH, MARRIAGE, MARRIAGE_VERIFY
from tests.plugins.civil_status import samples

TODAY = date(2026, 11, 23)


def _p(code):
    return procedures.BY_CODE[code]


def _errors(errs):
    return {e.field: e.message for e in errs}


def test_catalogue_builds_with_the_plugin():
    cat = build()
    for code in (BIRTH, MARRIAGE, MARRIAGE_VERIFY, DEATH, BIRTH_LINKED):
        assert cat.owner[f"procedure:{code}"] == "civil_status"
    linked = cat.workflows[cat.procedures[BIRTH_LINKED].workflow]
    assert [len(st.steps) for st in linked.stages] == [1, 2]
    agencies = {s.id: s.agency for s in linked.steps()}
    assert agencies == {
        "birth": "level:commune",
        "residence": "sector:police",
        "health_insurance": "sector:social_insurance",
    }
    assert {s.id: s.results for s in linked.steps()} == {
        "birth": ("birth_extract",),
        "residence": ("residence_confirmation",),
        "health_insurance": ("health_insurance_card",),
    }
    assert linked.budget_days() == 3 == cat.procedures[BIRTH_LINKED].processing_days
    for code in (BIRTH, MARRIAGE, DEATH):
        p = cat.procedures[code]
        assert p.processing_days == 0 and p.cutoff.hour == 15
    assert cat.procedures[MARRIAGE_VERIFY].processing_days == 5
    for rid in (
        "birth_extract",
        "marriage_certificate",
        "death_extract",
        "residence_confirmation",
        "health_insurance_card",
    ):
        assert cat.results[rid].issue is not None


def test_documents_have_originals_or_copies():
    for p in procedures.ALL:
        assert p.documents
        for d in p.documents:
            assert d.originals + d.copies >= 0
        assert any(d.originals >= 1 for d in p.documents)


async def test_valid_applications_pass(db):
    ctx = {"today": TODAY}
    assert await validation.validate(_p(BIRTH), None, samples.birth(TODAY), ctx) == []
    assert await validation.validate(_p(BIRTH_LINKED), None, samples.birth_linked(TODAY), ctx) == []
    assert await validation.validate(_p(MARRIAGE), None, samples.marriage(TODAY), ctx) == []
    assert await validation.validate(_p(DEATH), None, samples.death(TODAY), ctx) == []


async def test_birth_cross_field_rules(db):
    ctx = {"today": TODAY}
    errs = _errors(
        await validation.validate(
            _p(BIRTH),
            None,
            samples.birth(
                TODAY, mother_birth_date=(TODAY - timedelta(days=5)).isoformat(), father_cccd="075195001234"
            ),
            ctx,
        )
    )
    assert errs["mother_birth_date"] == "Ngày sinh của người mẹ phải trước ngày sinh của trẻ"
    assert errs["father_cccd"] == "Số định danh cá nhân của cha trùng với của mẹ"
    errs = _errors(
        await validation.validate(
            _p(BIRTH),
            None,
            samples.birth(TODAY, child_birth_date=(TODAY + timedelta(days=1)).isoformat()),
            ctx,
        )
    )
    assert "không được sau ngày hôm nay" in errs["child_birth_date"]
    errs = _errors(
        await validation.validate(
            _p(BIRTH), None, samples.birth(TODAY, father_known="khong", declarant_relation="cha"), ctx
        )
    )
    assert "declarant_relation" in errs
    # page-scoped: only the errors of that page
    assert (
        await validation.validate(_p(BIRTH), "child", samples.birth(TODAY, father_cccd="075195001234"), ctx)
        == []
    )


async def test_linked_only_under_six(db):
    errs = _errors(
        await validation.validate(
            _p(BIRTH_LINKED),
            None,
            samples.birth_linked(TODAY, child_birth_date="2020-01-05"),
            {"today": TODAY},
        )
    )
    assert "dưới 6 tuổi" in errs["child_birth_date"]


async def test_marriage_ages(db):
    ctx = {"today": TODAY}
    errs = _errors(
        await validation.validate(
            _p(MARRIAGE),
            None,
            samples.marriage(TODAY, husband_birth_date="2006-11-24", wife_birth_date="2008-11-24"),
            ctx,
        )
    )
    assert "Bên nam chưa đủ 20 tuổi" in errs["husband_birth_date"]
    assert "Bên nữ chưa đủ 18 tuổi" in errs["wife_birth_date"]
    # exactly 20 and 18 on the day: allowed
    assert (
        await validation.validate(
            _p(MARRIAGE),
            None,
            samples.marriage(TODAY, husband_birth_date="2006-11-23", wife_birth_date="2008-11-23"),
            ctx,
        )
        == []
    )
    errs = _errors(
        await validation.validate(_p(MARRIAGE), None, samples.marriage(TODAY, wife_cccd="075096003311"), ctx)
    )
    assert errs == {"wife_cccd": "Số định danh cá nhân của bên nữ trùng với của bên nam"}


async def test_death_dates(db):
    ctx = {"today": TODAY}
    errs = _errors(
        await validation.validate(_p(DEATH), None, samples.death(TODAY, death_date="1990-01-01"), ctx)
    )
    assert errs["death_date"] == "Ngày chết không được trước ngày sinh của người đã chết"
    errs = _errors(
        await validation.validate(_p(DEATH), None, samples.death(TODAY, death_date="2026-11-24"), ctx)
    )
    assert errs["death_date"] == "Ngày chết không được sau ngày hôm nay"


async def test_other_domains_ignored(db):
    from dataclasses import replace

    other = replace(_p(BIRTH), code="9.999999", domain="land")
    assert await validation.validate(other, None, {}, {}) == []
    assert fees.quote(other, {}, {}) is None


@pytest.mark.parametrize(("days_ago", "amount"), [(60, 0), (61, 7_000)])
def test_birth_fee_free_on_time_then_late(days_ago, amount):
    data = samples.birth(TODAY, child_birth_date=(TODAY - timedelta(days=days_ago)).isoformat())
    q = fees.quote(_p(BIRTH), data, {"today": TODAY, "fees": {"civil_status.birth_late": 7_000}})
    assert q.total == amount
    line = q.lines[0]
    assert (line.exempt_reason is not None) == (amount == 0)


def test_death_fee_and_copies_and_free_marriage():
    late = samples.death(TODAY, death_date=(TODAY - timedelta(days=16)).isoformat(), extract_copies=2)
    q = fees.quote(_p(DEATH), late, {"today": TODAY, "fees": {}})
    assert (
        q.total
        == fees.DEFAULT_AMOUNTS["civil_status.death_late"]
        + 2 * fees.DEFAULT_AMOUNTS["civil_status.extract_copy"]
    )
    on_time = samples.death(TODAY, death_date=(TODAY - timedelta(days=15)).isoformat())
    assert fees.quote(_p(DEATH), on_time, {"today": TODAY}).total == 0
    m = fees.quote(_p(MARRIAGE), samples.marriage(TODAY, extract_copies=0), {"today": TODAY})
    assert m.total == 0 and "Miễn lệ phí" in m.lines[0].exempt_reason.vi


def test_forms_accept_the_samples_and_refuse_bad_fields():
    from core.forms.engine import validate_all
    from plugins.civil_status import forms

    for form, data in (
        (forms.BIRTH, samples.birth(TODAY)),
        (forms.BIRTH_LINKED, samples.birth_linked(TODAY)),
        (forms.MARRIAGE, samples.marriage(TODAY)),
        (forms.DEATH, samples.death(TODAY)),
    ):
        cleaned, errors = validate_all(form, data, today=TODAY)
        assert errors == {}, (form.id, errors)
    _, errors = validate_all(
        forms.MARRIAGE, samples.marriage(TODAY, voluntary="khong", husband_cccd="0751"), today=TODAY
    )
    assert errors["voluntary"] == "Chỉ đăng ký kết hôn khi cả hai bên tự nguyện cam đoan"
    assert "husband_cccd" in errors
    _, errors = validate_all(
        forms.DEATH, samples.death(TODAY, death_time="25:00", extract_copies=11), today=TODAY
    )
    assert errors["death_time"] == "Ghi giờ, phút theo dạng 14:30"
    assert errors["extract_copies"] == "Số bản sao trích lục từ 0 đến 10 bản"
    # the father's page is skipped when the father is unknown
    data = samples.birth(TODAY, father_known="khong", father_cccd="", father_full_name="")
    cleaned, errors = validate_all(forms.BIRTH, data, today=TODAY)
    assert errors == {} and "father_cccd" not in cleaned


def test_r49_linked_group_needing_verification_is_5_working_days_on_the_same_three_agencies():
    cat = build()
    plain, verify = cat.procedures[BIRTH_LINKED], cat.procedures[procedures.BIRTH_LINKED_VERIFY]
    assert (plain.processing_days, verify.processing_days) == (3, 5)
    route = cat.workflows[verify.workflow]
    assert route.budget_days() == 5 and verify.cutoff.hour == 15
    assert {s.id: s.agency for s in route.steps()} == {
        s.id: s.agency for s in cat.workflows[plain.workflow].steps()
    }
    assert verify.form == plain.form and verify.documents == plain.documents
