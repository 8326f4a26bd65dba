"""The land forms through core's form engine: answers as typed in the HTML pages, page by page and whole."""

from __future__ import annotations

from datetime import date

from core.catalogue.registry import get_catalogue
from core.forms.engine import check_application
from plugins.land import procedures
from tests.plugins.land.registry_fixtures import BUYER_ID, SELLER, WARD, seed_registry

TODAY = date(2026, 11, 23)
CTX = {"today": TODAY}

TYPED_TRANSFER = {
    "commune_code": WARD,
    "map_sheet": "5",
    "parcel_number": "102",
    "certificate_serial": "DA 123456",
    "transferor_name": SELLER["name"],
    "transferor_id_number": SELLER["id_number"],
    "transferor_birth_date": "01/01/1980",
    "transferee_name": "Lê Văn Cường",
    "transferee_id_number": BUYER_ID,
    "transferee_birth_date": "07/07/1990",
    "transferee_address": "Ấp 1, xã Tân Phú",
    "transferee_phone": "0987 654 321",
    "contract_number": "1234/2026/CC",
    "contract_date": "10/11/2026",
    "price": "1.500.000.000",
    "new_certificate": "yes",
    "fee_exemption": "none",
}


def _proc(code):
    return get_catalogue().procedure(code)


async def test_typed_transfer_passes_whole_and_per_page(db):
    await seed_registry()
    proc = _proc(procedures.TRANSFER)
    assert await check_application(proc, None, TYPED_TRANSFER, CTX) == {}
    for page in get_catalogue().forms[proc.form].pages:
        assert await check_application(proc, page.id, TYPED_TRANSFER, CTX) == {}, page.id


async def test_declarative_rules_give_vietnamese_messages_at_the_field(db):
    await seed_registry()
    proc = _proc(procedures.TRANSFER)
    bad = {
        **TYPED_TRANSFER,
        "certificate_serial": "123",
        "transferee_id_number": "12345",
        "map_sheet": "0",
        "contract_date": "01/01/2030",
        "transferee_birth_date": "01/01/2015",
        "price": "100",
    }
    errors = await check_application(proc, None, bad, CTX)
    assert "2 chữ cái và 6 chữ số" in errors["certificate_serial"]
    assert "12" in errors["transferee_id_number"]
    assert "1 đến 999" in errors["map_sheet"]
    assert errors["contract_date"] and errors["transferee_birth_date"] and errors["price"]


async def test_registry_rules_run_once_the_fields_are_valid(db):
    await seed_registry()
    proc = _proc(procedures.TRANSFER)
    errors = await check_application(
        proc, None, {**TYPED_TRANSFER, "transferor_id_number": "075111111111"}, CTX
    )
    assert list(errors) == ["transferor_id_number"]
    assert (
        "DA 123456" in errors["transferor_id_number"] and SELLER["name"] not in errors["transferor_id_number"]
    )


async def test_first_registration_spouse_page_branches(db):
    await seed_registry()
    proc = _proc(procedures.FIRST)
    data = {
        "holder_name": "Trần Thị Hoa",
        "holder_id_number": "075185003344",
        "holder_birth_date": "02/04/1985",
        "holder_address": "Khu phố 3, phường Trấn Biên",
        "holder_phone": "0912345678",
        "has_spouse": "no",
        "commune_code": WARD,
        "map_sheet": "5",
        "parcel_number": "101",
        "land_use_type": "ONT",
        "declared_area": "118",
        "use_since": "01/05/2001",
        "origin": "self_use",
        "fee_exemption": "none",
        "no_dispute_declared": "on",
    }
    assert await check_application(proc, None, data, CTX) == {}
    errors = await check_application(proc, "spouse", {**data, "has_spouse": "yes"}, CTX)
    assert "spouse_name" in errors and "spouse_id_number" in errors
