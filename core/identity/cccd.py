"""The 12-digit citizen identity number (số định danh cá nhân, printed on the CCCD card).

Structure (Decree 137/2015/NĐ-CP Art. 13, Circular 07/2016/TT-BCA Art. 7 as amended by Circular
59/2021/TT-BCA): 3 digits — code of the province where the person was first registered; 1 digit — century
and sex; 2 digits — last two digits of the year born; 6 random digits. The 63 province codes of the
pre-2025 list stay valid for existing numbers after the July 2025 merger into 34 provinces.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from core.contract.vntime import vn_today

__all__ = ("PROVINCE_CODES", "SEX_LABELS", "CccdInfo", "parse_cccd", "validate_cccd", "normalise_cccd")

PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Thành phố Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}
"""Province of first registration → its code (63 codes, Circular 07/2016/TT-BCA, Appendix)."""


@dataclass(frozen=True, slots=True)
class CccdInfo:
    """What a valid number says about its holder."""

    province_code: str
    """Three-digit code of the province of first registration."""
    sex: str
    """``"male"`` or ``"female"``."""
    birth_year: int
    """Full year born (century from the fourth digit)."""


def normalise_cccd(value: str | None) -> str:
    """Strip spaces and dots that people type inside the number."""
    return "".join(ch for ch in (value or "") if ch not in " .-\t")


def _check(number: str) -> str | None:
    if not number:
        return "Vui lòng nhập số CCCD (số định danh cá nhân)."
    if not number.isascii() or not number.isdigit():
        return "Số CCCD chỉ gồm chữ số (0–9), không có chữ cái hay ký hiệu."
    if len(number) != 12:
        return f"Số CCCD phải gồm đúng 12 chữ số (bạn đã nhập {len(number)} chữ số)."
    if number[:3] not in PROVINCE_CODES:
        return (
            f"Mã tỉnh {number[:3]} trong số CCCD không tồn tại (3 chữ số đầu là mã tỉnh nơi đăng ký lần đầu)."
        )
    return None


def parse_cccd(value: str) -> CccdInfo:
    """Decode a number: ``(province_code, sex, birth_year)``.

    Args:
        value: The number as typed (spaces and dots are ignored).

    Returns:
        The decoded fields.

    Raises:
        ValueError: With a Vietnamese message when the number is not valid.
    """
    number = normalise_cccd(value)
    error = _check(number)
    if error:
        raise ValueError(error)
    digit = int(number[3])
    century = 1900 + 100 * (digit // 2)  # 0/1 → 1900s, 2/3 → 2000s, … 8/9 → 2300s
    return CccdInfo(number[:3], "female" if digit % 2 else "male", century + int(number[4:6]))


SEX_LABELS = {"male": "Nam", "female": "Nữ"}
"""Sex as written on the card."""


def validate_cccd(
    value: str, birth_date: date | None = None, *, sex: str | None = None, today: date | None = None
) -> str | None:
    """Check a number; None when valid, else a specific Vietnamese message.

    Args:
        value: The number as typed.
        birth_date: When known, the number's century digit and year digits must match it.
        sex: When known (``male`` / ``female``), the fourth digit's parity must match it (even: male).
        today: Reference date (a number cannot encode a year born in the future).

    Returns:
        None, or the message to show at the field.
    """
    try:
        info = parse_cccd(value)
    except ValueError as exc:
        return str(exc)
    today = today or vn_today()
    if info.birth_year > today.year:
        return (
            f"Chữ số thứ 4 ({normalise_cccd(value)[3]}) của số CCCD chỉ thế kỷ sinh không hợp lệ: "
            f"năm sinh {info.birth_year} chưa tới."
        )
    if (
        birth_date is not None
        and info.birth_year != birth_date.year
        and info.birth_year % 100 == birth_date.year % 100
    ):
        digit = normalise_cccd(value)[3]
        first = info.birth_year // 100 * 100
        return (
            f"Chữ số thứ 4 ({digit}) của số CCCD chỉ người sinh trong các năm {first}–{first + 99}, "
            f"nhưng ngày sinh đã khai là năm {birth_date.year}: số này ứng với năm sinh {info.birth_year}."
        )
    if birth_date is not None and info.birth_year != birth_date.year:
        return (
            f"Số CCCD không khớp với năm sinh: số này ứng với năm sinh {info.birth_year}, "
            f"ngày sinh đã khai là năm {birth_date.year}."
        )
    if sex in SEX_LABELS and info.sex != sex:
        return (
            f"Số CCCD không khớp với giới tính: chữ số thứ 4 ({normalise_cccd(value)[3]}) ứng với giới tính "
            f"{SEX_LABELS[info.sex]}, giới tính đã khai là {SEX_LABELS[sex]}."
        )
    return None
