"""Deterministic Vietnamese people for the demo registry (name lists, CCCD with a valid structure)."""

from __future__ import annotations

import random
from datetime import date, timedelta

__all__ = ("Person", "person", "cccd_for")

FAMILY = (
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
    "Đinh",
    "Trương",
    "Lâm",
    "Mai",
    "Tạ",
    "Châu",
    "Cao",
    "Lương",
)
MIDDLE_M = ("Văn", "Hữu", "Đức", "Minh", "Quốc", "Thành", "Công", "Gia", "Hoàng", "Trọng", "Anh", "Tuấn")
MIDDLE_F = ("Thị", "Ngọc", "Thu", "Thanh", "Kim", "Mỹ", "Bảo", "Phương", "Hồng", "Minh", "Khánh", "Diệu")
GIVEN_M = (
    "An",
    "Bảo",
    "Cường",
    "Dũng",
    "Đạt",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khang",
    "Khoa",
    "Kiên",
    "Long",
    "Lộc",
    "Minh",
    "Nam",
    "Nghĩa",
    "Phát",
    "Phong",
    "Phúc",
    "Quân",
    "Sơn",
    "Tài",
    "Thắng",
    "Thịnh",
    "Toàn",
    "Trung",
    "Tuấn",
    "Việt",
    "Vinh",
)
GIVEN_F = (
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hằng",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Loan",
    "Mai",
    "My",
    "Ngân",
    "Nhi",
    "Nhung",
    "Oanh",
    "Phương",
    "Quyên",
    "Tâm",
    "Thảo",
    "Thư",
    "Trang",
    "Trinh",
    "Tuyết",
    "Uyên",
    "Vân",
    "Vy",
    "Yến",
)
STREETS = (
    "Phan Chu Trinh",
    "Nguyễn Ái Quốc",
    "Cách Mạng Tháng Tám",
    "Hà Huy Giáp",
    "Võ Thị Sáu",
    "Phạm Văn Thuận",
    "Đồng Khởi",
    "Nguyễn Văn Trị",
    "30 Tháng 4",
    "Lê Duẩn",
)
HOSPITALS = (
    "Bệnh viện Đa khoa Đồng Nai",
    "Bệnh viện Đa khoa Thống Nhất",
    "Bệnh viện Nhi đồng Đồng Nai",
    "Trạm Y tế phường Trấn Biên",
    "Trạm Y tế xã Tân Phú",
)
PROVINCE = "075"


class Person(dict):
    """``name``, ``gender`` (``nam``/``nu``), ``birth_date``, ``cccd``, ``address``."""


def cccd_for(rng: random.Random, gender: str, born: date, used: set[str]) -> str:
    """12 digits: province code, century/sex digit, two-digit year, six random digits (unique in ``used``)."""
    century = 0 if born.year < 2000 else 2
    digit = century + (1 if gender == "nu" else 0)
    while True:
        value = f"{PROVINCE}{digit}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        if value not in used:
            used.add(value)
            return value


def person(
    rng: random.Random,
    used: set[str],
    *,
    gender: str | None = None,
    born_between=(1950, 2004),
    family: str | None = None,
    place: str = "phường Trấn Biên",
) -> Person:
    gender = gender or rng.choice(("nam", "nu"))
    middle, given = (MIDDLE_M, GIVEN_M) if gender == "nam" else (MIDDLE_F, GIVEN_F)
    name = f"{family or rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}"
    start = date(born_between[0], 1, 1)
    born = start + timedelta(days=rng.randrange((date(born_between[1], 12, 31) - start).days))
    address = f"{rng.randrange(1, 300)} {rng.choice(STREETS)}, {place}"
    return Person(
        name=name, gender=gender, birth_date=born, cccd=cccd_for(rng, gender, born, used), address=address
    )
