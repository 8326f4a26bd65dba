"""Land declarations, fees and registry validation, without the lifecycle engine."""

from __future__ import annotations

from datetime import date

import pytest

from core.catalogue.registry import build
from plugins.land import fees, forms, procedures, workflows
from plugins.land.validation import validate
from tests.plugins.land.registry_fixtures import BUYER_ID, COMMUNE, SELLER, WARD, seed_registry

TODAY = date(2026, 11, 23)


def test_catalogue_builds_with_the_land_procedures():
    cat = build()
    for code in procedures.CODES:
        p = cat.procedures[code]
        assert cat.owner[f"procedure:{code}"] == "land"
        assert cat.workflows[p.workflow].budget_days() <= p.processing_days
        assert p.remote_area_extra_days == 10
    first = cat.procedures[procedures.FIRST]
    assert first.processing_days == 20 and first.financial_obligation
    assert cat.procedures[procedures.TRANSFER].processing_days == 8


def test_routes_budgets_and_appointments():
    # R21/R18: first registration 15 + 5 with the intake's half day, transfer 5 + 3.
    first = workflows.FIRST_REGISTRATION
    assert first.budget_days() == 19.5
    steps = first.steps()
    a1 = next(i for i, s in enumerate(steps) if s.appointment == 1)
    assert 0.5 + sum(s.days for s in steps[: a1 + 1] if not s.suspends_for) == 15
    assert {s.suspends_for for s in steps if s.suspends_for} == {"public_posting", "tax_payment"}
    assert steps[-1].agency == workflows.PARCEL_COMMUNE and steps[-1].role == "approver"
    transfer = workflows.TRANSFER
    assert 0.5 + transfer.steps()[0].days == 5 and transfer.steps()[-1].days == 3
    assert transfer.steps()[1].agency == "sector:tax" and transfer.steps()[1].suspends_for == "tax_payment"
    assert transfer.steps()[-1].agency == "sector:land_registry" and transfer.steps()[-1].role == "approver"


def test_documents_have_originals_copies_and_upload_slots():
    transfer = next(p for p in procedures.ALL if p.code == procedures.TRANSFER)
    docs = {d.code: d for d in transfer.documents}
    assert docs["contract"].originals == 1 and docs["contract"].upload
    assert docs["certificate"].upload is False  # the original is handed in
    assert (
        docs["application"].template == "Mẫu số 18 (Phụ lục I, Nghị định 151/2025/NĐ-CP)"
    )  # not 11/ĐK of Decree 101/2024


def test_fee_quotes_with_province_amounts_and_exemptions():
    proc = {p.code: p for p in procedures.ALL}
    q = fees.quote(proc[procedures.FIRST], {"fee_exemption": "none"}, {"fees": {}})
    assert [(line.code, line.amount) for line in q.lines] == [
        ("land.appraisal_first", 250_000),
        ("land.certificate_issue", 25_000),
    ]
    q = fees.quote(
        proc[procedures.FIRST],
        {"fee_exemption": "poor_household"},
        {"fees": {"land.appraisal_first": 300_000}},
    )
    assert q.total == 300_000 and q.lines[1].exempt_reason is not None
    q = fees.quote(
        proc[procedures.TRANSFER], {"new_certificate": "no"}, {"fees": {"land.change_registration": 0}}
    )
    assert (
        q.lines[1].code == "land.change_registration" and q.lines[1].amount == 0 and q.lines[1].exempt_reason
    )
    q = fees.quote(proc[procedures.TRANSFER], {"new_certificate": "yes"}, {"fees": {}})
    assert q.lines[1].code == "land.certificate_issue"
    assert fees.quote(proc[procedures.REISSUE], {}, {}).total == 20_000
    # Registration fee and PIT are the tax notice's business: informational estimate only.
    est = {
        e["code"]: e["amount"]
        for e in fees.estimate_obligations(procedures.TRANSFER, {"price": "2000000000"})
    }
    assert est == {"registration_fee": 10_000_000, "pit": 40_000_000}
    assert all(line.code.startswith("land.") for line in q.lines)


def test_fee_hook_ignores_other_procedures():
    from core.api import ProcedureSpec

    other = ProcedureSpec(
        code="9.999999",
        domain="x",
        name=forms.YES_NO[0][1],
        agency_level="commune",
        processing_days=1,
        legal_basis=("x",),
        documents=(),
        form="f",
        workflow="w",
    )
    assert fees.quote(other, {}, {}) is None


def _proc(code):
    return next(p for p in procedures.ALL if p.code == code)


def _fields(errors):
    return {e.field: e.message for e in errors}


FIRST_OK = {
    "holder_name": "Trần Thị Hoa",
    "holder_id_number": "075185003344",
    "holder_birth_date": "1985-04-02",
    "holder_address": "Khu phố 3, phường Trấn Biên",
    "holder_phone": "0912345678",
    "has_spouse": "no",
    "commune_code": WARD,
    "map_sheet": "5",
    "parcel_number": "101",
    "land_use_type": "ONT",
    "declared_area": "118",
    "use_since": "2001-05-01",
    "origin": "self_use",
    "fee_exemption": "none",
    "no_dispute_declared": True,
}

TRANSFER_OK = {
    "commune_code": WARD,
    "map_sheet": 5,
    "parcel_number": 102,
    "certificate_serial": "da123456",
    "transferor_name": SELLER["name"],
    "transferor_id_number": SELLER["id_number"],
    "transferor_birth_date": "1980-01-01",
    "transferee_name": "Lê Văn Cường",
    "transferee_id_number": BUYER_ID,
    "transferee_birth_date": "1990-07-07",
    "transferee_address": "Ấp 1, xã Tân Phú",
    "transferee_phone": "0987654321",
    "contract_number": "1234/2026/CC",
    "contract_date": "2026-11-10",
    "price": 1_500_000_000,
    "new_certificate": "yes",
    "fee_exemption": "none",
}


async def test_valid_applications_pass(db):
    await seed_registry()
    ctx = {"today": TODAY}
    assert await validate(_proc(procedures.FIRST), None, FIRST_OK, ctx) == []
    assert await validate(_proc(procedures.TRANSFER), None, TRANSFER_OK, ctx) == []
    reissue = {
        "holder_name": SELLER["name"],
        "holder_id_number": SELLER["id_number"],
        "holder_birth_date": "1980-01-01",
        "holder_phone": "0912345678",
        "commune_code": COMMUNE,
        "map_sheet": 12,
        "parcel_number": 8,
        "certificate_serial": "AB 654321",
        "reason": "new_form",
    }
    assert await validate(_proc(procedures.REISSUE), None, reissue, ctx) == []


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        ({"commune_code": "000.99.99.H39"}, "commune_code", "không có trong cơ sở dữ liệu địa chính"),
        ({"parcel_number": "999"}, "parcel_number", "Không tìm thấy thửa đất số 999, tờ bản đồ số 5"),
        ({"parcel_number": "103"}, "parcel_number", "đang có tranh chấp"),
        (
            {"parcel_number": "102", "declared_area": "95"},
            "parcel_number",
            "đã được cấp Giấy chứng nhận số phát hành DA 123456",
        ),
        ({"declared_area": "200"}, "declared_area", "chênh lệch quá 10%"),
        ({"land_use_type": "CLN"}, "land_use_type", "khác với bản đồ địa chính (ONT)"),
        (
            {"has_spouse": "yes", "spouse_name": "A B", "spouse_id_number": "075185003344"},
            "spouse_id_number",
            "trùng",
        ),
        ({"use_since": "1980-01-01"}, "use_since", "trước ngày sinh"),
        ({"origin": "allocated", "use_since": "2015-01-01"}, "use_since", "01/7/2014"),
        ({"no_dispute_declared": False}, "no_dispute_declared", "cam đoan"),
    ],
)
async def test_first_registration_rules(db, change, field, needle):
    await seed_registry()
    errors = _fields(await validate(_proc(procedures.FIRST), None, {**FIRST_OK, **change}, {"today": TODAY}))
    assert field in errors and needle in errors[field], errors


@pytest.mark.parametrize(
    ("change", "field", "needle"),
    [
        (
            {"certificate_serial": "ZZ 000001"},
            "certificate_serial",
            "Không tìm thấy Giấy chứng nhận số phát hành ZZ 000001",
        ),
        ({"certificate_serial": "AB 654321"}, "certificate_serial", "không cấp cho thửa đất số 102"),
        (
            {"transferor_id_number": "075111111111"},
            "transferor_id_number",
            "không đứng tên trên Giấy chứng nhận số phát hành DA 123456",
        ),
        ({"transferee_id_number": SELLER["id_number"]}, "transferee_id_number", "khác với bên chuyển nhượng"),
        ({"contract_date": "2024-01-01"}, "contract_date", "14/03/2025"),
        ({"parcel_number": 101}, "parcel_number", "chưa được cấp Giấy chứng nhận"),
    ],
)
async def test_transfer_rules(db, change, field, needle):
    await seed_registry()
    errors = await validate(_proc(procedures.TRANSFER), None, {**TRANSFER_OK, **change}, {"today": TODAY})
    by_field = _fields(errors)
    assert field in by_field and needle in by_field[field], by_field
    # Never another citizen's personal data in a conflict message.
    for e in errors:
        assert SELLER["name"] not in e.message and SELLER["id_number"] not in e.message


async def test_reissue_rules_and_page_filter(db):
    await seed_registry()
    base = {
        "holder_name": SELLER["name"],
        "holder_id_number": SELLER["id_number"],
        "holder_birth_date": "1980-01-01",
        "commune_code": WARD,
        "map_sheet": 5,
        "parcel_number": 102,
        "certificate_serial": "DA 123456",
    }
    proc = _proc(procedures.REISSUE)
    errs = _fields(await validate(proc, None, {**base, "reason": "new_form"}, {"today": TODAY}))
    assert "đã theo mẫu mới" in errs["reason"]
    errs = _fields(await validate(proc, None, {**base, "reason": "lost"}, {"today": TODAY}))
    assert "trình báo" in errs["loss_reported_on"]
    errs = _fields(
        await validate(
            proc, None, {**base, "reason": "lost", "loss_reported_on": "2020-01-01"}, {"today": TODAY}
        )
    )
    assert "14/03/2025" in errs["loss_reported_on"]
    # On the "holder" page only that page's errors are reported.
    page_errs = await validate(
        proc, "holder", {**base, "holder_id_number": "075111111111", "reason": "new_form"}, {"today": TODAY}
    )
    assert {e.field for e in page_errs} == {"holder_id_number"}


async def test_other_procedures_are_not_ours(db):
    from core.api import ProcedureSpec

    other = ProcedureSpec(
        code="9.999999",
        domain="x",
        name=forms.YES_NO[0][1],
        agency_level="commune",
        processing_days=1,
        legal_basis=("x",),
        documents=(),
        form="f",
        workflow="w",
    )
    assert await validate(other, None, {"commune_code": "x"}, {}) == []
