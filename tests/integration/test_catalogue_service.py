"""Activation per agency (procedure and domain switches), the fee table and procedure versions."""

from __future__ import annotations

from datetime import date

import pytest

from core.audit.tables import AuditEntry
from core.catalogue import search, service, versions
from core.catalogue.tables import ProcedureVersion
from core.contract.errors import InvalidInput, NotFound, Unavailable
from tests.fixtures.builders import make_user, standard_tree
from tests.fixtures.catalogue_plugin import BIRTH, DOMAIN, MARRIAGE, TRANSFER


async def test_no_row_means_not_taken_in(db, demo_plugin):
    tree = await standard_tree()
    assert await service.is_enabled(BIRTH, tree["ward"]["id"]) is False
    assert await service.available_procedures(tree["ward"]["id"]) == []
    assert await service.agencies_offering(BIRTH) == []


async def test_enable_disable_procedure_is_audited(db, demo_plugin):
    tree = await standard_tree()
    admin = await make_user("qtv")
    ward = tree["ward"]
    await service.set_enabled(BIRTH, ward["id"], True, actor_id=admin["id"])
    assert await service.is_enabled(BIRTH, ward["id"])
    assert not await service.is_enabled(BIRTH, tree["commune"]["id"])
    assert [p.code for p in await service.available_procedures(ward["id"])] == [BIRTH]
    assert [a["code"] for a in await service.agencies_offering(BIRTH)] == [ward["code"]]
    await service.set_enabled(BIRTH, ward["id"], False, actor_id=admin["id"])
    assert not await service.is_enabled(BIRTH, ward["id"])
    entries = (
        await AuditEntry.select().where(AuditEntry.chain == f"agency:{ward['code']}").order_by(AuditEntry.seq)
    )
    assert [e["action"] for e in entries] == ["catalogue.procedure_enabled", "catalogue.procedure_disabled"]
    assert entries[0]["actor_id"] == admin["id"] and entries[0]["object_id"] == BIRTH


async def test_domain_switch_hides_every_procedure_of_the_domain(db, demo_plugin):
    tree = await standard_tree()
    ward, commune = tree["ward"]["id"], tree["commune"]["id"]
    for code in (BIRTH, MARRIAGE):
        await service.set_enabled(code, ward, True)
        await service.set_enabled(code, commune, True)
    await service.set_domain_enabled(DOMAIN, ward, False)
    assert not await service.is_enabled(BIRTH, ward)
    assert await service.is_enabled(BIRTH, commune)
    assert await service.available_codes(ward) == set()
    assert await service.available_codes() == {BIRTH, MARRIAGE}
    assert [a["id"] for a in await service.agencies_offering(MARRIAGE)] == [commune]
    await service.set_domain_enabled(DOMAIN, commune, False)
    assert await service.available_codes() == set()
    await service.set_domain_enabled(DOMAIN, ward, True)
    assert await service.available_codes(agency_code=tree["ward"]["code"]) == {BIRTH, MARRIAGE}


async def test_require_available_names_where_to_go(db, demo_plugin):
    tree = await standard_tree()
    await service.set_enabled(BIRTH, tree["ward"]["id"], True)
    assert (await service.require_available(BIRTH, tree["ward"]["id"])).code == BIRTH
    with pytest.raises(Unavailable) as err:
        await service.require_available(BIRTH, tree["commune"]["id"])
    assert "UBND xã Tân Phú hiện không tiếp nhận" in err.value.message
    assert "UBND phường Trấn Biên" in err.value.message
    with pytest.raises(NotFound):
        await service.require_available("0.000000", tree["ward"]["id"])


async def test_a_deactivated_agency_takes_no_new_dossier(db, demo_plugin):
    """Its switches stay as they were (for the day it reopens), but nothing new is taken in there."""
    from core.identity.tables import Agency

    tree = await standard_tree()
    for key in ("ward", "commune"):
        await service.set_enabled(BIRTH, tree[key]["id"], True)
    await Agency.update({Agency.active: False}).where(Agency.id == tree["ward"]["id"])
    with pytest.raises(Unavailable) as err:
        await service.require_available(BIRTH, tree["ward"]["id"])
    assert "UBND phường Trấn Biên đã ngừng hoạt động" in err.value.message
    assert "Có thể nộp tại: UBND xã Tân Phú" in err.value.message
    assert [a["code"] for a in await service.agencies_offering(BIRTH)] == [tree["commune"]["code"]]


async def test_search_folds_diacritics_and_filters_by_activation(db, demo_plugin):
    tree = await standard_tree()
    await service.set_enabled(BIRTH, tree["ward"]["id"], True)
    await service.set_enabled(MARRIAGE, tree["commune"]["id"], True)
    assert search.fold("Đăng  ký KHAI sinh") == "dang ky khai sinh"
    for q in ("dang ky khai sinh", "Đăng ký khai sinh", "ĐĂNG KÝ KHAI SINH", "khai sinh", BIRTH, "birth"):
        assert [p.code for p in await search.search(q)] == [BIRTH], q
    assert [p.code for p in await search.search("dang ky")] == [BIRTH, MARRIAGE]
    assert [p.code for p in await search.search("ho tich thu nghiem")] == [BIRTH, MARRIAGE]
    assert [p.code for p in await search.search("dang ky", agency_code=tree["commune"]["code"])] == [MARRIAGE]
    assert [p.code for p in await search.search("", online_level="toan_trinh")] == [BIRTH]
    assert await search.search("dang ky", domain="land") == []
    assert await search.search("khai tu") == []
    assert await search.search("", agency_code="no-such-agency") == []


async def test_fee_table_effective_dates_and_override(db, demo_plugin):
    await service.set_fee("le_phi_ho_tich", 8000, effective_from=date(2025, 1, 1), legal_basis="NQ 01/2025")
    await service.set_fee("le_phi_ho_tich", 10000, effective_from=date(2026, 1, 1), legal_basis="NQ 20/2025")
    await service.set_fee(
        "le_phi_ho_tich",
        5000,
        procedure_code=MARRIAGE,
        effective_from=date(2025, 6, 1),
        effective_to=date(2026, 6, 30),
    )
    assert await service.fee_amounts(BIRTH, date(2024, 12, 31)) == {}
    assert await service.fee_amounts(BIRTH, date(2025, 12, 31)) == {"le_phi_ho_tich": 8000}
    assert await service.fee_amounts(BIRTH, date(2026, 1, 1)) == {"le_phi_ho_tich": 10000}
    assert await service.fee_amounts(MARRIAGE, date(2025, 5, 31)) == {"le_phi_ho_tich": 8000}
    assert await service.fee_amounts(MARRIAGE, date(2026, 6, 30)) == {"le_phi_ho_tich": 5000}
    assert await service.fee_amounts(MARRIAGE, date(2026, 7, 1)) == {"le_phi_ho_tich": 10000}
    rows = await service.fee_rows(BIRTH, date(2026, 2, 1))
    assert rows["le_phi_ho_tich"].legal_basis == "NQ 20/2025"
    actions = [e["action"] for e in await AuditEntry.select().where(AuditEntry.chain == "global")]
    assert actions.count("catalogue.fee_set") == 3


async def test_set_fee_rejects_bad_input_per_field(db, demo_plugin):
    with pytest.raises(InvalidInput) as err:
        await service.set_fee(
            "", -5, effective_from=date(2026, 1, 1), procedure_code="0.000000", effective_to=date(2025, 1, 1)
        )
    fields = dict(err.value.errors)
    assert set(fields) == {"fee_code", "amount", "procedure_code", "effective_to"}
    assert "không âm" in fields["amount"]


async def test_version_snapshot_is_kept_when_fees_change(db, demo_plugin):
    await service.set_fee("le_phi_ho_tich", 8000, effective_from=date(2025, 1, 1))
    v1, snap1 = await versions.version_in_force(TRANSFER, date(2026, 3, 2))
    assert snap1["processing_days"] == 8 and snap1["financial_obligation"] is True
    assert snap1["fees"] == {"le_phi_ho_tich": 8000}
    assert [d["code"] for d in snap1["documents"]] == ["to_khai", "giay_chung_sinh"]
    assert [[s["id"] for s in st] for st in snap1["workflow"]["stages"]] == [
        ["tiep_nhan"],
        ["thue", "dang_ky"],
        ["ky"],
    ]
    assert snap1["workflow"]["stages"][1][0]["suspends_for"] == "tax_payment"
    assert snap1["cutoff"] == "15:00" and snap1["supplement_policy"] == "restart"
    again, _ = await versions.version_in_force(TRANSFER, date(2026, 3, 3))
    assert again == v1  # nothing changed: same version, no new row

    await service.set_fee("le_phi_ho_tich", 12000, effective_from=date(2026, 4, 1), legal_basis="NQ 5/2026")
    v2, snap2 = await versions.version_in_force(TRANSFER, date(2026, 4, 2))
    assert v2 != v1 and snap2["fees"] == {"le_phi_ho_tich": 12000}
    assert snap2["fee_legal_basis"] == {"le_phi_ho_tich": "NQ 5/2026"}
    versions.clear_cache()  # read back from the database, as another process would
    assert (await versions.get_version(v1))["fees"] == {"le_phi_ho_tich": 8000}
    assert (await versions.version_in_force(TRANSFER, date(2026, 3, 31)))[0] == v1
    rows = (
        await ProcedureVersion.select()
        .where(ProcedureVersion.procedure_code == TRANSFER)
        .order_by(ProcedureVersion.version)
    )
    assert [(r["version"], str(r["effective_from"])) for r in rows] == [(1, "2025-07-01"), (2, "2026-04-01")]


async def test_version_unknown_procedure(db, demo_plugin):
    with pytest.raises(NotFound):
        await versions.version_in_force("0.000000")


async def test_new_release_of_a_procedure_makes_a_new_version_and_keeps_the_old(db, demo_plugin):
    import dataclasses

    from core.api import hookimpl
    from core.catalogue import registry
    from core.plugins import get_plugin_manager
    from tests.fixtures.catalogue_plugin import DemoPlugin

    v1, snap1 = await versions.version_in_force(BIRTH, date(2026, 3, 2))

    class Edited(DemoPlugin):
        @hookimpl
        def register_procedures(self):
            return [
                dataclasses.replace(p, processing_days=3) if p.code == BIRTH else p
                for p in DemoPlugin.register_procedures(self)
            ]

    pm = get_plugin_manager()
    pm.unregister(name="catalogue-test-plugin")
    pm.register(Edited(), name="catalogue-test-plugin")
    registry.reset()
    v2, snap2 = await versions.version_in_force(BIRTH, date(2026, 3, 5))
    assert v2 != v1 and snap2["processing_days"] == 3
    assert (await versions.get_version(v1))[
        "processing_days"
    ] == 1  # a dossier bound to v1 keeps its time limit
    rows = (
        await ProcedureVersion.select(ProcedureVersion.version, ProcedureVersion.effective_from)
        .where(ProcedureVersion.procedure_code == BIRTH)
        .order_by(ProcedureVersion.version)
    )
    assert [(r["version"], str(r["effective_from"])) for r in rows] == [(1, "2025-07-01"), (2, "2026-03-05")]


async def test_two_admins_switching_the_same_cell_at_once(db, demo_plugin):
    import asyncio

    from core.catalogue.tables import ProcedureActivation

    tree = await standard_tree()
    ward = tree["ward"]["id"]
    await asyncio.gather(*(service.set_enabled(BIRTH, ward, i % 2 == 0) for i in range(6)))
    assert await ProcedureActivation.count().where(ProcedureActivation.agency == ward) == 1
