"""The tax authority's notice of financial obligations (Thông báo nộp tiền) on a land dossier.

The tax officer completes the ``tax_notice`` step with the assessed amounts in the action's body
(``ctx["params"]``, core's structured step input); ``issue`` validates them field by field
(``InvalidInput``: nothing commits), numbers the notice and returns what ``land/tax_notice.html``
prints. The next step, ``tax_payment``, keeps the clock stopped until the officer records the payment.

Amounts are whole VND. The registration fee is 0.5 % of the land value by the province's price table
(Decree 10/2022/NĐ-CP, Art. 8); the personal income tax on a transfer is 2 % of the transfer price,
or of the price-table value when the contract states less (PIT Law Art. 14; Decree 65/2013, Art. 17),
unless the officer records the exemption ground (PIT Law Art. 4), when it is 0. The land-use levy
(Land Law 2024, Art. 155–157) exists only for a first registration; its amount is the tax authority's
own computation and is not re-derived here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from core.api import FieldSpec, InvalidInput, L, ResultDocumentSpec, amount_in_words, vn_today
from plugins.land import procedures
from plugins.land.registry import as_int, find_parcel, next_number
from plugins.land.validation import area_vi, as_date

__all__ = ("SPEC", "TREASURY", "issue_tax_notice", "read_amounts", "MAX_DAYS")

TREASURY = {
    "name": "Kho bạc Nhà nước khu vực XVII (Đồng Nai)",
    "account": "7111 – Thu ngân sách nhà nước",
    "note": "hoặc nộp qua Cổng Dịch vụ công quốc gia, ngân hàng thương mại được ủy nhiệm thu",
}
"""Where the payer pays (province data of the demo province)."""

MAX_DAYS = 90
"""The payment deadline is at most 90 days after the notice (Decree 126/2020/NĐ-CP, Art. 18)."""

REGISTRATION_FEE_RATE_PER_MILLE = 5
PIT_RATE_PERCENT = 2

BASIS = {
    "land_levy": "Luật Đất đai năm 2024, Điều 155, 157; Nghị định số 103/2024/NĐ-CP",
    "registration_fee": "Nghị định số 10/2022/NĐ-CP, Điều 6, Điều 8 (0,5% giá trị đất theo bảng giá đất)",
    "pit": "Luật Thuế thu nhập cá nhân, Điều 14 (2% giá chuyển nhượng); Luật Quản lý thuế, Điều 55",
}
_MONEY = re.compile(r"^\d{1,3}([.\s]\d{3})+$|^\d+$")
_MAX_AMOUNT = 10**15


def _money(params: Mapping[str, Any], field: str, label: str, errors: list, *, required: bool) -> int | None:
    raw = params.get(field)
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if required:
            errors.append((field, f"Nhập {label} (số tiền nguyên, đơn vị đồng; ghi 0 nếu không phát sinh)."))
        return None
    if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
        errors.append((field, f"{label[:1].upper()}{label[1:]} phải là số đồng nguyên, không có phần lẻ."))
        return None
    if isinstance(raw, (int, float)):
        value = int(raw)
    else:
        text = str(raw).strip()
        if text.startswith("-"):
            errors.append((field, f"{label[:1].upper()}{label[1:]} không được là số âm."))
            return None
        if not _MONEY.match(text):
            errors.append(
                (
                    field,
                    f"{label[:1].upper()}{label[1:]} phải là số đồng nguyên, chỉ gồm chữ số "
                    "(có thể phân cách hàng nghìn bằng dấu chấm), ví dụ 7.500.000.",
                )
            )
            return None
        value = int(re.sub(r"[.\s]", "", text))
    if value < 0:
        errors.append((field, f"{label[:1].upper()}{label[1:]} không được là số âm."))
        return None
    if value >= _MAX_AMOUNT:
        errors.append((field, f"{label[:1].upper()}{label[1:]} quá lớn; kiểm tra lại số chữ số."))
        return None
    return value


def _vnd(n: int) -> str:
    return f"{n:,}".replace(",", ".")


def read_amounts(
    params: Mapping[str, Any], data: Mapping[str, Any], procedure_code: str, today: date
) -> dict[str, Any]:
    """The assessed amounts from the officer's input, or ``InvalidInput`` with every field's error."""
    errors: list[tuple[str, str]] = []
    transfer = procedure_code == procedures.TRANSFER
    land_value = _money(params, "land_value", "giá trị đất theo bảng giá đất", errors, required=True)
    if land_value == 0:
        errors.append(("land_value", "Giá trị đất theo bảng giá đất phải lớn hơn 0."))
        land_value = None
    fee = _money(params, "registration_fee", "lệ phí trước bạ", errors, required=True)
    if fee is not None and land_value is not None:
        expected = land_value * REGISTRATION_FEE_RATE_PER_MILLE // 1000
        if fee != expected:
            errors.append(
                (
                    "registration_fee",
                    f"Lệ phí trước bạ bằng 0,5% giá trị đất theo bảng giá "
                    f"({_vnd(land_value)} đồng) là {_vnd(expected)} đồng, không phải {_vnd(fee)} đồng.",
                )
            )
    levy = _money(params, "land_levy", "tiền sử dụng đất", errors, required=False) or 0
    if transfer and levy:
        errors.append(
            (
                "land_levy",
                "Chuyển nhượng quyền sử dụng đất không phát sinh tiền sử dụng đất; ghi 0 hoặc để trống.",
            )
        )
    pit = _money(params, "pit", "thuế thu nhập cá nhân", errors, required=transfer)
    exemption = str(params.get("pit_exemption") or "").strip()
    if not transfer:
        if pit:
            errors.append(
                (
                    "pit",
                    "Cấp Giấy chứng nhận lần đầu không phát sinh thuế thu nhập cá nhân; ghi 0 hoặc để trống.",
                )
            )
        pit = 0
    elif pit is not None:
        price = as_int(data.get("price")) or 0
        base = max(price, land_value or 0)
        expected = base * PIT_RATE_PERCENT // 100
        if exemption and pit != 0:
            errors.append(("pit", "Đã ghi căn cứ miễn thuế thu nhập cá nhân: số thuế phải nộp là 0 đồng."))
        elif not exemption and land_value is not None and pit != expected:
            errors.append(
                (
                    "pit",
                    f"Thuế thu nhập cá nhân bằng 2% giá chuyển nhượng ({_vnd(base)} đồng, giá cao hơn giữa "
                    f"hợp đồng và bảng giá đất) là {_vnd(expected)} đồng, không phải {_vnd(pit)} đồng; "
                    "nếu được miễn, ghi căn cứ miễn thuế.",
                )
            )
    raw_deadline = str(params.get("deadline") or "").strip()
    deadline = as_date(raw_deadline) if raw_deadline else None
    if not raw_deadline:
        errors.append(("deadline", "Nhập hạn nộp tiền (ngày/tháng/năm)."))
    elif deadline is None:
        errors.append(
            (
                "deadline",
                "Hạn nộp tiền không phải một ngày hợp lệ; ghi theo dạng ngày/tháng/năm, ví dụ 23/12/2026.",
            )
        )
    elif deadline <= today:
        errors.append(("deadline", "Hạn nộp tiền phải sau ngày ra thông báo."))
    elif deadline > today + timedelta(days=MAX_DAYS):
        errors.append(("deadline", f"Hạn nộp tiền không quá {MAX_DAYS} ngày kể từ ngày ra thông báo."))
    if errors:
        raise InvalidInput("Số tiền nghĩa vụ tài chính chưa hợp lệ: sửa các ô được đánh dấu.", errors)
    return {
        "land_value": land_value,
        "registration_fee": fee,
        "land_levy": levy,
        "pit": pit or 0,
        "pit_exemption": exemption,
        "deadline": deadline,
    }


def _agency(ctx: Mapping[str, Any]) -> tuple[str, str]:
    agency = ctx.get("agency")
    if isinstance(agency, Mapping):
        return str(agency.get("code", "")), str(agency.get("name", ""))
    return (agency.code, agency.name) if agency is not None else ("", "")


async def issue_tax_notice(ctx: Mapping[str, Any]) -> dict[str, Any]:
    """Validate the officer's amounts, number the notice, return what it prints."""
    dossier = ctx["dossier"]
    data = dossier.get("data") or {}
    procedure_code = str(dossier.get("procedure_code") or "")
    today = ctx.get("today") or vn_today()
    a = read_amounts(ctx.get("params") or {}, data, procedure_code, today)
    agency_code, agency_name = _agency(ctx)
    parcel = await find_parcel(data)
    transfer = procedure_code == procedures.TRANSFER
    if transfer:
        seller = {
            "name": str(data.get("transferor_name") or ""),
            "id_number": str(data.get("transferor_id_number") or ""),
        }
        buyer = {
            "name": str(data.get("transferee_name") or ""),
            "id_number": str(data.get("transferee_id_number") or ""),
            "address": str(data.get("transferee_address") or ""),
        }
        payers = [buyer, seller]
    else:
        buyer = {
            "name": str(data.get("holder_name") or ""),
            "id_number": str(data.get("holder_id_number") or ""),
            "address": str(data.get("holder_address") or ""),
        }
        seller = None
        payers = [buyer]
    lines = []
    if not transfer:
        lines.append(
            {
                "label": "Tiền sử dụng đất",
                "payer": buyer["name"],
                "basis": BASIS["land_levy"],
                "amount": a["land_levy"],
                "chapter_item": "Mục 1400",
            }
        )
    lines.append(
        {
            "label": "Lệ phí trước bạ nhà, đất",
            "payer": buyer["name"],
            "basis": BASIS["registration_fee"],
            "amount": a["registration_fee"],
            "chapter_item": "Tiểu mục 2801",
        }
    )
    if transfer:
        label = "Thuế thu nhập cá nhân từ chuyển nhượng bất động sản"
        if a["pit_exemption"]:
            label += f" (miễn: {a['pit_exemption']})"
        lines.append(
            {
                "label": label,
                "payer": seller["name"],
                "basis": BASIS["pit"],
                "amount": a["pit"],
                "chapter_item": "Tiểu mục 1006",
            }
        )
    total = sum(line["amount"] for line in lines)
    for line in lines:
        line["amount_text"] = _vnd(line["amount"])
    number = f"{await next_number(f'tax_notice:{agency_code}'):05d}/TB-CCT"
    return {
        "number": number,
        "issued_by": agency_name,
        "header_agency": {"parent_name": "CỤC THUẾ", "name": agency_name},
        "transfer": transfer,
        "payers": payers,
        "lines": lines,
        "total": total,
        "total_text": _vnd(total),
        "total_words": amount_in_words(total),
        "land_value_text": _vnd(a["land_value"]),
        "price_text": _vnd(as_int(data.get("price")) or 0) if transfer else "",
        "deadline": a["deadline"].isoformat(),
        "treasury": TREASURY,
        "parcel": {
            "map_sheet": parcel["map_sheet"],
            "parcel_number": parcel["parcel_number"],
            "address": parcel["address"],
            "area": area_vi(parcel["area"]),
            "land_use_type": parcel["land_use_type"],
        }
        if parcel
        else None,
        "certificate_serial": str(data.get("certificate_serial") or ""),
    }


SPEC = ResultDocumentSpec(
    "land.tax_notice",
    L("Thông báo nộp tiền nghĩa vụ tài chính về đất đai", "Notice of financial obligations on land"),
    template="land/tax_notice.html",
    book="TB",
    signer_role="specialist",
    issue=issue_tax_notice,
    inputs=(
        FieldSpec(
            "land_value",
            L("Giá trị đất theo bảng giá đất (đồng)", "Land value by the price table (VND)"),
            widget="money",
            hint=L("Ví dụ 1.500.000.000", "e.g. 1.500.000.000"),
        ),
        FieldSpec(
            "registration_fee",
            L("Lệ phí trước bạ (đồng)", "Registration fee (VND)"),
            widget="money",
            hint=L("0,5% giá trị đất theo bảng giá đất", "0.5% of the land value by the price table"),
        ),
        FieldSpec(
            "land_levy",
            L("Tiền sử dụng đất (đồng)", "Land-use levy (VND)"),
            widget="money",
            required=False,
            hint=L(
                "Chỉ khi cấp Giấy chứng nhận lần đầu có phát sinh; ghi 0 nếu không",
                "Only for a first registration where due; 0 otherwise",
            ),
        ),
        FieldSpec(
            "pit",
            L("Thuế thu nhập cá nhân (đồng)", "Personal income tax (VND)"),
            widget="money",
            required=False,
            hint=L(
                "Chuyển nhượng: 2% giá chuyển nhượng; ghi 0 nếu được miễn",
                "Transfer: 2% of the price; 0 when exempt",
            ),
        ),
        FieldSpec(
            "pit_exemption",
            L("Căn cứ miễn thuế thu nhập cá nhân", "Ground for the income-tax exemption"),
            required=False,
        ),
        FieldSpec(
            "deadline",
            L("Hạn nộp tiền", "Payment deadline"),
            widget="date",
            hint=L("ngày/tháng/năm, tối đa 90 ngày", "dd/mm/yyyy, at most 90 days"),
        ),
    ),
)
