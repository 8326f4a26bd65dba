"""A small land registry on the standard test province (tests/fixtures/builders.standard_tree)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from plugins.land.tables import Certificate, CertificateEntry, Parcel

WARD = "000.30.31.H39"
COMMUNE = "000.30.32.H39"

SELLER = {
    "name": "Nguyễn Văn Bình",
    "id_number": "075080001234",
    "birth_year": 1980,
    "address": "Khu phố 3, phường Trấn Biên",
}
BUYER_ID = "075090005678"


async def seed_registry() -> dict:
    """Parcels: ward 5/101 unregistered ONT 120 m²; ward 5/102 certified to SELLER (DA 123456);
    ward 5/103 disputed; commune 12/7 unregistered CLN 2000 m²; commune 12/8 certified, old form (AB 654321)."""
    now = datetime.now(UTC)
    out = {}
    rows = [
        ("free", WARD, 5, 101, "Khu phố 3, phường Trấn Biên", 120.0, "ONT", False, ""),
        ("certified", WARD, 5, 102, "Khu phố 3, phường Trấn Biên", 95.5, "ONT", False, ""),
        (
            "disputed",
            WARD,
            5,
            103,
            "Khu phố 4, phường Trấn Biên",
            210.0,
            "ONT",
            True,
            "Đơn tranh chấp số 15/TC ngày 02/10/2026",
        ),
        ("rural", COMMUNE, 12, 7, "Ấp 2, xã Tân Phú", 2000.0, "CLN", False, ""),
        ("old_form", COMMUNE, 12, 8, "Ấp 2, xã Tân Phú", 1500.0, "CLN", False, ""),
    ]
    for key, commune, sheet, number, address, area, use, dispute, note in rows:
        p = Parcel(
            commune_code=commune,
            map_sheet=sheet,
            parcel_number=number,
            address=address,
            area=area,
            land_use_type=use,
            dispute=dispute,
            dispute_note=note,
            updated_at=now,
            registered=key in ("certified", "old_form"),
        )
        await p.save()
        out[key] = p.id
    c1 = Certificate(
        serial="DA 123456",
        book_number="CS 00012",
        parcel=out["certified"],
        holders=[SELLER],
        issue_date=date(2025, 3, 14),
        issued_by="UBND phường Trấn Biên",
        created_at=now,
    )
    await c1.save()
    c2 = Certificate(
        serial="AB 654321",
        book_number="CH 00401",
        parcel=out["old_form"],
        holders=[{**SELLER, "address": "Ấp 2, xã Tân Phú"}],
        issue_date=date(2012, 6, 1),
        issued_by="UBND huyện Tân Phú",
        created_at=now,
    )
    await c2.save()
    for c in (c1, c2):
        await CertificateEntry(certificate=c.id, kind="issued", on=c.issue_date, at=now).save()
    out["cert"], out["cert_old"] = c1.id, c2.id
    return out
