"""Deterministic demo business register: enterprises at the provincial business registration office
and household businesses in every demo commune, with owners/representatives and VSIC lines."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from plugins.business_reg import names, taxcode
from plugins.business_reg.tables import Business, BusinessHistory, BusinessLine, BusinessOwner, TaxCodeCounter

__all__ = ("person", "seed_register", "TAX_PREFIX", "LINES_HOUSEHOLD", "LINES_ENTERPRISE", "unique_name")

TAX_PREFIX = "36"
_SURNAMES = (
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
    "Lý",
)
_MIDDLE = {
    False: ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thanh", "Công", "Xuân"),
    True: ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ"),
}
_GIVEN = {
    False: (
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
        "Trung",
        "Việt",
    ),
    True: (
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
        "Thảo",
        "Yến",
    ),
}
_PROPER = (
    "An Phát",
    "Bảo Long",
    "Đại Nam",
    "Hưng Thịnh",
    "Phú Cường",
    "Thành Công",
    "Tân Tiến",
    "Minh Khang",
    "Gia Huy",
    "Hoàng Gia",
    "Kim Ngân",
    "Phước Lộc",
    "Sao Mai",
    "Thiên Phú",
    "Trường Sơn",
    "Vạn Xuân",
    "Đồng Tâm",
    "Hòa Bình",
    "Nam Việt",
    "Phương Đông",
    "Quang Minh",
    "Thái Bình",
    "Việt Úc",
    "Hải Âu",
    "Bình Minh",
    "Cát Tường",
    "Đông Á",
    "Hồng Phát",
    "Lộc Phát",
    "Mê Kông",
    "Ngọc Trai",
    "Phú Gia",
    "Sông Hồng",
    "Tài Lộc",
    "Thuận Phát",
    "Trí Việt",
)
_TRADE = (
    "Thương mại",
    "Xây dựng",
    "Kỹ thuật",
    "Thực phẩm",
    "Công nghệ",
    "Vận tải",
    "Nông sản",
    "Cơ khí",
    "Dịch vụ",
    "Đầu tư",
    "Nội thất",
    "Du lịch",
    "Môi trường",
    "Điện lạnh",
    "Bao bì",
    "Gỗ",
    "Dệt may",
    "Logistics",
)
_SHOP = (
    "Tạp hóa",
    "Quán cơm",
    "Cà phê",
    "Tiệm may",
    "Sửa xe",
    "Tiệm tóc",
    "Bánh mì",
    "Điện thoại",
    "Vật liệu",
    "Nông sản",
    "Phở",
    "Thuốc tây",
    "Giặt ủi",
    "Điện máy",
    "Văn phòng phẩm",
    "Hoa tươi",
)
_STREETS = (
    "Võ Thị Sáu",
    "Phạm Văn Thuận",
    "Đồng Khởi",
    "Nguyễn Ái Quốc",
    "Hà Huy Giáp",
    "30 Tháng 4",
    "Cách Mạng Tháng Tám",
    "Hùng Vương",
    "Lê Duẩn",
    "Trần Phú",
    "Nguyễn Trãi",
    "Quốc lộ 20",
    "Quốc lộ 1A",
)
LINES_HOUSEHOLD = (
    "4711",
    "4719",
    "4722",
    "4781",
    "5610",
    "5630",
    "9631",
    "4542",
    "1071",
    "4632",
    "9620",
    "4771",
    "4752",
    "4741",
    "0146",
    "0118",
)
LINES_ENTERPRISE = (
    "4690",
    "4101",
    "4102",
    "4330",
    "6201",
    "6202",
    "4933",
    "5210",
    "1079",
    "4659",
    "4663",
    "3100",
    "4620",
    "7020",
    "7110",
    "7912",
    "4322",
    "1629",
    "2511",
    "1410",
    "6810",
    "4651",
)
ETYPES = (("tnhh1", 0.45), ("tnhh2", 0.25), ("cp", 0.2), ("dntn", 0.1))
_PREFIX = {
    "tnhh1": "Công ty TNHH",
    "tnhh2": "Công ty TNHH",
    "cp": "Công ty cổ phần",
    "dntn": "Doanh nghiệp tư nhân",
}
PROVINCE_PREFIX = "075"
"""First three digits of citizen ID numbers registered in Đồng Nai (the demo province)."""


def person(
    rng: random.Random, used: set[str], *, born_between: tuple[int, int] = (1960, 2000)
) -> dict[str, Any]:
    """A realistic adult with a unique, well-formed personal ID number of the province."""
    female = rng.random() < 0.5
    born = date(rng.randint(*born_between), rng.randint(1, 12), rng.randint(1, 28))
    name = f"{rng.choice(_SURNAMES)} {rng.choice(_MIDDLE[female])} {rng.choice(_GIVEN[female])}"
    century = (0 if born.year < 2000 else 2) + (1 if female else 0)
    while True:
        cccd = f"{PROVINCE_PREFIX}{century}{born.year % 100:02d}{rng.randint(0, 999_999):06d}"
        if cccd not in used:
            used.add(cccd)
            return {"name": name, "cccd": cccd, "birth_date": born, "phone": "09" + cccd[-8:]}


def unique_name(rng: random.Random, taken: set[str], *, household: bool, etype: str = "") -> str:
    """A name whose similarity key no registered business has (so it passes the name rule)."""
    while True:
        if household:
            name = f"Hộ kinh doanh {rng.choice(_SHOP)} {rng.choice(_PROPER)}"
        else:
            name = f"{_PREFIX[etype]} {rng.choice(_TRADE)} {rng.choice(_PROPER)}"
            if rng.random() < 0.3:
                name += f" {rng.choice(('Đồng Nai', 'Biên Hòa', 'Long Khánh', 'Sài Gòn'))}"
        key = names.core_key(name)
        if key and key not in taken:
            taken.add(key)
            return name


def address(rng: random.Random, place: str) -> str:
    return f"Số {rng.randint(1, 350)} đường {rng.choice(_STREETS)}, {place}, tỉnh Đồng Nai"


def _place(agency_name: str) -> str:
    return agency_name.removeprefix("UBND ").strip()


async def _next_sequence() -> int:
    await TaxCodeCounter.insert(TaxCodeCounter(prefix=TAX_PREFIX, last=0)).on_conflict(action="DO NOTHING")
    rows = (
        await TaxCodeCounter.update({TaxCodeCounter.last: TaxCodeCounter.last + 1})
        .where(TaxCodeCounter.prefix == TAX_PREFIX)
        .returning(TaxCodeCounter.last)
    )
    return int(rows[0]["last"])


async def _code() -> str:
    while True:
        code = taxcode.make(TAX_PREFIX, await _next_sequence())
        if code is not None:
            return code


async def _insert(
    rng,
    *,
    kind: str,
    etype: str,
    name: str,
    addr: str,
    agency_id: int,
    capital: int,
    owner: dict,
    lines: list[str],
    registered: date,
    employees: int,
) -> None:
    now = datetime.now(UTC)
    rows = await Business.insert(
        Business(
            kind=kind,
            enterprise_type=etype,
            name=name,
            name_key=names.fold(name),
            core_key=names.core_key(name),
            code=await _code(),
            address=addr,
            agency_id=agency_id,
            charter_capital=capital,
            phone=owner["phone"],
            employees=employees,
            status="active" if rng.random() > 0.06 else "suspended",
            registered_on=registered,
            dossier_code="",
            updated_at=now,
        )
    ).returning(Business.id)
    bid = rows[0]["id"]
    await BusinessOwner.insert(
        BusinessOwner(
            business=bid,
            role="owner" if kind == "household" else "representative",
            full_name=owner["name"],
            cccd=owner["cccd"],
            birth_date=owner["birth_date"],
            address=owner.get("address", ""),
        )
    )
    await BusinessLine.insert(*[BusinessLine(business=bid, vsic=v, main=i == 0) for i, v in enumerate(lines)])
    await BusinessHistory.insert(
        BusinessHistory(
            business=bid,
            dossier_code="",
            change={"registered": True},
            at=datetime(registered.year, registered.month, registered.day, 2, tzinfo=UTC),
        )
    )


async def seed_register(
    communes: list[Any],
    registry: Any,
    *,
    enterprises: int,
    households_per_commune: int,
    rng: random.Random,
    used: set[str],
    taken: set[str],
    today: date,
) -> int:
    """Insert the register; returns how many businesses were written."""
    n = 0
    for _ in range(enterprises):
        etype = rng.choices([t for t, _ in ETYPES], weights=[w for _, w in ETYPES])[0]
        commune = rng.choice(communes)
        owner = person(rng, used)
        owner["address"] = address(rng, _place(commune.name))
        capital = rng.choice((500, 1_000, 2_000, 3_000, 5_000, 10_000, 20_000, 50_000)) * 1_000_000
        await _insert(
            rng,
            kind="enterprise",
            etype=etype,
            name=unique_name(rng, taken, household=False, etype=etype),
            addr=address(rng, _place(commune.name)),
            agency_id=registry.id,
            capital=capital,
            owner=owner,
            lines=rng.sample(LINES_ENTERPRISE, rng.randint(1, 5)),
            employees=rng.randint(2, 120),
            registered=today - timedelta(days=rng.randint(30, 3650)),
        )
        n += 1
    for commune in communes:
        for _ in range(households_per_commune):
            owner = person(rng, used)
            place = _place(commune.name)
            owner["address"] = f"Tổ {rng.randint(1, 20)}, khu phố {rng.randint(1, 9)}, {place}"
            await _insert(
                rng,
                kind="household",
                etype="",
                name=unique_name(rng, taken, household=True),
                addr=address(rng, place),
                agency_id=commune.id,
                capital=rng.choice((20, 30, 50, 80, 100, 150, 300)) * 1_000_000,
                owner=owner,
                lines=rng.sample(LINES_HOUSEHOLD, rng.randint(1, 3)),
                employees=rng.randint(0, 9),
                registered=today - timedelta(days=rng.randint(10, 3000)),
            )
            n += 1
    return n
