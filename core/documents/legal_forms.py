"""The seven standard forms of Circular 03/2025/TT-VPCP (Annex I) as versioned data.

Each form has its official title, the suffix of its number (``Số: …/<suffix>``) and a print template
per template version: ``documents/v<version>/<form>.html``. A document row stores the version it was
rendered with, so old documents keep their old layout when a template changes (add ``v2/…`` and bump
``version``; never edit a released version's file).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from types import MappingProxyType

__all__ = ("LegalForm", "FORMS", "FORMS_2018", "REGIME_2025_FROM", "get_form", "form_for", "template_for")


@dataclass(frozen=True, slots=True)
class LegalForm:
    """One standard form."""

    id: str
    """``form01`` … ``form07``."""
    number: str
    """``Mẫu số 01`` … as printed in the top-right corner."""
    title: str
    """The official title, as the circular writes it."""
    suffix: str
    """What follows the sequence number in ``Số: …`` (``PBS-``, ``PTC-`` … + the unit's abbreviation)."""
    version: str = "1"
    """Current template version."""
    per_dossier: bool = True
    """False only for the register (form 07), which covers a period."""

    @property
    def template(self) -> str:
        return template_for(self.id, self.version)


def template_for(form_id: str, version: str) -> str:
    return f"documents/v{version}/{form_id}.html"


FORMS: MappingProxyType[str, LegalForm] = MappingProxyType(
    {
        f.id: f
        for f in (
            LegalForm(
                "form01", "Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "TTPVHCC", version="2"
            ),
            LegalForm("form02", "Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "PBS-"),
            LegalForm("form03", "Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "PTC-"),
            LegalForm("form04", "Mẫu số 04", "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "PXL-"),
            LegalForm("form05", "Mẫu số 05", "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "TBD-"),
            LegalForm("form06", "Mẫu số 06", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "PKS-"),
            LegalForm("form07", "Mẫu số 07", "SỔ THEO DÕI HỒ SƠ", "STD-", per_dossier=False),
        )
    }
)
"""The TT 03/2025 set (dossiers received from 1 July 2025; R3)."""


def get_form(form_id: str) -> LegalForm:
    try:
        return FORMS[form_id]
    except KeyError:
        raise KeyError(f"Không có biểu mẫu '{form_id}' (có: {', '.join(FORMS)})") from None


REGIME_2025_FROM = date(2025, 7, 1)
"""Decree 118/2025 and Circular 03/2025 apply to dossiers received from this day (R3)."""

FORMS_2018: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        "form01": ("Mẫu số 01", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        "form02": ("Mẫu số 02", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        "form03": ("Mẫu số 03", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        "form04": ("Mẫu số 04", "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"),
        "form06": ("Mẫu số 05", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
        "form07": ("Mẫu số 06", "SỔ THEO DÕI HỒ SƠ"),
    }
)
"""Circular 01/2018/TT-VPCP's six forms, by the id of their 2025 counterpart (no stop notice then)."""


def form_for(form_id: str, received_on: date | None) -> LegalForm:
    """The form as the regime of the dossier's receipt date numbers and titles it (R3)."""
    spec = get_form(form_id)
    if received_on is not None and received_on < REGIME_2025_FROM and form_id in FORMS_2018:
        number, title = FORMS_2018[form_id]
        return replace(spec, number=number, title=title)
    return spec
