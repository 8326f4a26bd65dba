"""Deterministic demo land registry: parcels across the demo communes, certificates, disputes."""

from __future__ import annotations

import random
from collections.abc import Iterable
from datetime import UTC, date, datetime
from typing import Any

from plugins.land.tables import Certificate, CertificateEntry, Parcel

__all__ = ("SURNAMES", "person", "seed_parcels", "PROVINCE_PREFIX")

SURNAMES = (
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
)
_MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân")
_MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bích")
_GIVEN_M = (
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Hải",
    "Hùng",
    "Khánh",
    "Long",
    "Nam",
    "Phúc",
    "Quang",
    "Sơn",
    "Tâm",
    "Thắng",
    "Trung",
    "Việt",
)
_GIVEN_F = (
    "Anh",
    "Châu",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Ngân",
    "Nhung",
    "Phương",
    "Thảo",
    "Yến",
)

PROVINCE_PREFIX = "075"
"""First three digits of citizen ID numbers registered in Đồng Nai (the demo province)."""

_SERIES = ("AA", "AB", "BA", "BC", "CD", "CE", "DA", "DB")
_USES_URBAN = (("ODT", 0.7), ("CLN", 0.2), ("BHK", 0.1))
_USES_RURAL = (("ONT", 0.3), ("CLN", 0.3), ("LUC", 0.15), ("BHK", 0.1), ("NTS", 0.1), ("RSX", 0.05))
_AREA = {
    "ODT": (45, 220),
    "ONT": (100, 450),
    "CLN": (400, 6000),
    "BHK": (300, 3000),
    "LUC": (300, 3500),
    "NTS": (800, 6000),
    "RSX": (5000, 30000),
}
_RESIDENTIAL = ("ODT", "ONT")
AGRI_TERM = date(2063, 10, 15)
"""Agricultural land allocated under the 2013 Land Law: 50 years from 15/10/2013."""


def person(
    rng: random.Random, used_ids: set[str], *, female: bool | None = None, born: int | None = None
) -> dict[str, Any]:
    """A realistic Vietnamese adult with a unique, well-formed citizen ID number."""
    female = rng.random() < 0.5 if female is None else female
    born = born or rng.randint(1950, 2000)
    name = " ".join(
        (
            rng.choice(SURNAMES),
            rng.choice(_MIDDLE_F if female else _MIDDLE_M),
            rng.choice(_GIVEN_F if female else _GIVEN_M),
        )
    )
    century = (0 if born < 2000 else 2) + (1 if female else 0)
    while True:
        ident = f"{PROVINCE_PREFIX}{century}{born % 100:02d}{rng.randint(0, 999_999):06d}"
        if ident not in used_ids:
            used_ids.add(ident)
            break
    return {"name": name, "id_number": ident, "birth_year": born, "female": female}


def _pick(rng: random.Random, weighted: Iterable[tuple[str, float]]) -> str:
    items = list(weighted)
    return rng.choices([k for k, _ in items], weights=[w for _, w in items])[0]


def _place(agency_name: str) -> str:
    name = agency_name.removeprefix("UBND ").strip()
    return name[:1].lower() + name[1:] if name else agency_name


async def seed_parcels(
    communes: list[Any], *, per_commune: int, rng: random.Random, used_ids: set[str], today: date
) -> int:
    """Insert ``per_commune`` parcels in each commune (skipping communes that already have some)."""
    now = datetime.now(UTC)
    serials: set[str] = set(await _existing_serials())
    inserted = 0
    for commune in communes:
        if await Parcel.exists().where(Parcel.commune_code == commune.code):
            continue
        urban = "phường" in commune.name.lower()
        place = _place(commune.name)
        book = 0
        for i in range(per_commune):
            sheet, number = 1 + i // 40, 1 + (i % 40) * 3 + rng.randint(0, 2)
            use = _pick(rng, _USES_URBAN if urban else _USES_RURAL)
            lo, hi = _AREA[use]
            area = round(rng.uniform(lo, hi), 1)
            term_until = (
                None if use in _RESIDENTIAL else (date(2024, 12, 31) if rng.random() < 0.03 else AGRI_TERM)
            )
            term = "Lâu dài" if term_until is None else f"Đến ngày {term_until:%d/%m/%Y}"
            dispute = rng.random() < 0.04
            certified = rng.random() < 0.65
            locality = f"{'Khu phố' if urban else 'Ấp'} {1 + (sheet + number) % 9}, {place}"
            parcel = Parcel(
                commune_code=commune.code,
                map_sheet=sheet,
                parcel_number=number,
                address=locality,
                area=area,
                land_use_type=use,
                term=term,
                term_until=term_until,
                origin="Công nhận quyền sử dụng đất" if certified else "",
                dispute=dispute,
                dispute_note=f"Đơn tranh chấp số {rng.randint(1, 120)}/TC-UBND ngày {rng.randint(1, 28):02d}/"
                f"{rng.randint(1, 10):02d}/{today.year}"
                if dispute
                else "",
                registered=certified,
                updated_at=now,
            )
            await parcel.save()
            inserted += 1
            if not certified:
                continue
            owner = person(rng, used_ids)
            holders = [
                {
                    "name": owner["name"],
                    "id_number": owner["id_number"],
                    "birth_year": owner["birth_year"],
                    "address": locality,
                }
            ]
            if rng.random() < 0.45:
                spouse = person(
                    rng, used_ids, female=not owner["female"], born=owner["birth_year"] + rng.randint(-4, 4)
                )
                holders.append(
                    {
                        "name": spouse["name"],
                        "id_number": spouse["id_number"],
                        "birth_year": spouse["birth_year"],
                        "address": locality,
                    }
                )
            while True:
                serial = f"{rng.choice(_SERIES)} {rng.randint(100_000, 999_999):06d}"
                if serial not in serials:
                    serials.add(serial)
                    break
            issued = date(rng.randint(2005, 2025), rng.randint(1, 12), rng.randint(1, 28))
            book += 1
            cert = Certificate(
                serial=serial,
                book_number=f"{'CH' if issued.year < 2024 else 'CS'} {book:05d}",
                parcel=parcel.id,
                holders=holders,
                issue_date=issued,
                issued_by=f"UBND {place}" if issued.year >= 2025 else "UBND huyện (trước 01/7/2025)",
                status="valid",
                created_at=now,
            )
            await cert.save()
            await CertificateEntry.insert(
                CertificateEntry(
                    certificate=cert.id,
                    kind="issued",
                    on=issued,
                    note="Cấp Giấy chứng nhận lần đầu (dữ liệu chuyển đổi)",
                    at=now,
                )
            )
    return inserted


async def _existing_serials() -> list[str]:
    return [r["serial"] for r in await Certificate.select(Certificate.serial)]
