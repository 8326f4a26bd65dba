"""Application forms of the land procedures, declared as data (one question group per page).

Field names are the keys of the application data that validation, routing, fees and results read:
``commune_code`` + ``map_sheet`` + ``parcel_number`` identify the parcel in the registry.
"""

from __future__ import annotations

from core.api import FieldSpec, FormSpec, L, PageSpec, Validator

LAND_USE_TYPES: tuple[tuple[str, L], ...] = (
    ("ONT", L("Đất ở tại nông thôn (ONT)", "Rural residential land (ONT)")),
    ("ODT", L("Đất ở tại đô thị (ODT)", "Urban residential land (ODT)")),
    ("CLN", L("Đất trồng cây lâu năm (CLN)", "Perennial crop land (CLN)")),
    ("BHK", L("Đất trồng cây hằng năm khác (BHK)", "Other annual crop land (BHK)")),
    ("LUC", L("Đất chuyên trồng lúa (LUC)", "Wet-rice land (LUC)")),
    ("NTS", L("Đất nuôi trồng thủy sản (NTS)", "Aquaculture land (NTS)")),
    ("RSX", L("Đất rừng sản xuất (RSX)", "Production forest land (RSX)")),
)
"""Land-use codes (Circular 08/2024/TT-BTNMT) offered on the forms."""

ORIGINS: tuple[tuple[str, L], ...] = (
    ("self_use", L("Sử dụng ổn định, không có giấy tờ về quyền sử dụng đất", "Stable use without papers")),
    (
        "papers",
        L("Có giấy tờ về quyền sử dụng đất (Điều 137 Luật Đất đai)", "Papers on the right to use (Art. 137)"),
    ),
    ("inherited", L("Được thừa kế, tặng cho chưa đăng ký", "Inherited or given, not yet registered")),
    (
        "allocated",
        L(
            "Được Nhà nước giao đất không đúng thẩm quyền trước 01/7/2014",
            "Allocated without authority before 1/7/2014",
        ),
    ),
)

REISSUE_REASONS: tuple[tuple[str, L], ...] = (
    ("lost", L("Giấy chứng nhận bị mất", "The certificate was lost")),
    ("damaged", L("Giấy chứng nhận bị ố, nhòe, rách, hư hỏng", "The certificate is damaged")),
    ("new_form", L("Cấp đổi sang mẫu Giấy chứng nhận mới", "Exchange for the new form")),
)

FEE_EXEMPTION: tuple[tuple[str, L], ...] = (
    ("none", L("Không thuộc đối tượng miễn lệ phí", "No exemption")),
    ("poor_household", L("Hộ nghèo", "Poor household")),
    ("merit", L("Người có công với cách mạng", "Person with merit")),
)

YES_NO: tuple[tuple[str, L], ...] = (("yes", L("Có", "Yes")), ("no", L("Không", "No")))

_CCCD = (Validator("cccd"),)
_PHONE = (Validator("phone"),)
_PAST = (Validator("date_not_future"),)
_ADULT = (
    Validator("date_not_future"),
    Validator("age_at_least", {"years": 18}, "Người sử dụng đất phải đủ 18 tuổi trở lên."),
)
_NAME = (Validator("min_length", {"min": 2}),)
_SERIAL = (
    Validator(
        "regex",
        {"pattern": r"^[A-Za-z]{2}\s?\d{6}$"},
        "Số phát hành Giấy chứng nhận gồm 2 chữ cái và 6 chữ số, ví dụ DA 123456.",
    ),
)
_SHEET = (Validator("int_range", {"min": 1, "max": 999}, "Số tờ bản đồ là số nguyên từ 1 đến 999."),)
_PARCEL_NO = (Validator("int_range", {"min": 1, "max": 99999}, "Số thửa là số nguyên từ 1 đến 99999."),)
_COMMUNE = (
    Validator(
        "regex",
        {"pattern": r"^[0-9A-Za-z.]{4,32}$"},
        "Mã xã, phường gồm chữ số, chữ cái và dấu chấm, ví dụ 000.30.31.H39.",
    ),
)


def _parcel_page(title: L) -> PageSpec:
    return PageSpec(
        "parcel",
        title,
        (
            FieldSpec(
                "commune_code",
                L("Mã đơn vị hành chính cấp xã nơi có thửa đất", "Code of the commune where the parcel lies"),
                hint=L(
                    "Ghi theo Giấy chứng nhận hoặc thông báo của UBND xã, ví dụ 000.30.31.H39",
                    "As on the certificate or the commune's notice, e.g. 000.30.31.H39",
                ),
                validators=_COMMUNE,
            ),
            FieldSpec("map_sheet", L("Tờ bản đồ số", "Map sheet number"), widget="number", validators=_SHEET),
            FieldSpec(
                "parcel_number", L("Thửa đất số", "Parcel number"), widget="number", validators=_PARCEL_NO
            ),
        ),
    )


_FEE_PAGE = PageSpec(
    "fees",
    L("Miễn lệ phí", "Fee exemption"),
    (
        FieldSpec(
            "fee_exemption",
            L(
                "Người đề nghị có thuộc đối tượng được miễn lệ phí cấp Giấy chứng nhận không?",
                "Is the applicant exempt from the certificate fee?",
            ),
            widget="radio",
            choices=FEE_EXEMPTION,
            hint=L(
                "Nộp kèm giấy tờ chứng minh (sổ hộ nghèo, giấy chứng nhận người có công)",
                "Attach the proof (poor-household book, merit certificate)",
            ),
        ),
    ),
)


def _person_fields(prefix: str, who: L) -> tuple[FieldSpec, ...]:
    return (
        FieldSpec(f"{prefix}_name", L(f"Họ và tên {who.vi}", f"Full name of the {who.en}"), validators=_NAME),
        FieldSpec(
            f"{prefix}_id_number",
            L(f"Số định danh cá nhân (CCCD) của {who.vi}", f"Citizen ID number of the {who.en}"),
            widget="cccd",
            validators=_CCCD,
        ),
        FieldSpec(
            f"{prefix}_birth_date",
            L(f"Ngày sinh của {who.vi}", f"Date of birth of the {who.en}"),
            widget="date",
            validators=_ADULT,
        ),
    )


FIRST_REGISTRATION = FormSpec(
    id="land.first_registration",
    title=L(
        "Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu số 15)", "Land registration application (Form 15)"
    ),
    pages=(
        PageSpec(
            "applicant",
            L("Người sử dụng đất", "Land user"),
            (
                *_person_fields("holder", L("người sử dụng đất", "land user")),
                FieldSpec(
                    "holder_address",
                    L("Địa chỉ thường trú", "Permanent address"),
                    validators=(Validator("min_length", {"min": 5}),),
                ),
                FieldSpec(
                    "holder_phone",
                    L("Số điện thoại liên hệ", "Contact phone"),
                    widget="phone",
                    validators=_PHONE,
                ),
            ),
        ),
        PageSpec(
            "spouse",
            L("Vợ hoặc chồng cùng đứng tên", "Spouse named on the certificate"),
            (
                FieldSpec(
                    "has_spouse",
                    L(
                        "Vợ hoặc chồng có cùng đứng tên trên Giấy chứng nhận không?",
                        "Is a spouse named on the certificate too?",
                    ),
                    widget="radio",
                    choices=YES_NO,
                ),
                FieldSpec(
                    "spouse_name",
                    L("Họ và tên vợ hoặc chồng", "Spouse's full name"),
                    validators=_NAME,
                    show_if={"has_spouse": "yes"},
                ),
                FieldSpec(
                    "spouse_id_number",
                    L("Số định danh cá nhân của vợ hoặc chồng", "Spouse's citizen ID number"),
                    widget="cccd",
                    validators=_CCCD,
                    show_if={"has_spouse": "yes"},
                ),
            ),
        ),
        _parcel_page(L("Thửa đất đăng ký", "Parcel to register")),
        PageSpec(
            "use",
            L("Hiện trạng sử dụng đất", "Current use of the land"),
            (
                FieldSpec(
                    "land_use_type",
                    L("Mục đích sử dụng đất", "Land use"),
                    widget="select",
                    choices=LAND_USE_TYPES,
                ),
                FieldSpec(
                    "declared_area",
                    L("Diện tích đề nghị đăng ký (m²)", "Area applied for (m²)"),
                    widget="number",
                    validators=(
                        Validator(
                            "int_range",
                            {"min": 1, "max": 1_000_000},
                            "Diện tích là số mét vuông từ 1 đến 1.000.000.",
                        ),
                    ),
                ),
                FieldSpec(
                    "use_since",
                    L("Thời điểm bắt đầu sử dụng đất", "Date the use began"),
                    widget="date",
                    validators=_PAST,
                ),
                FieldSpec(
                    "origin", L("Nguồn gốc sử dụng đất", "Origin of the use"), widget="radio", choices=ORIGINS
                ),
            ),
        ),
        _FEE_PAGE,
        PageSpec(
            "declaration",
            L("Cam đoan", "Declaration"),
            (
                FieldSpec(
                    "no_dispute_declared",
                    L(
                        "Tôi cam đoan thửa đất không có tranh chấp và nội dung kê khai là đúng sự thật",
                        "I declare the parcel is not in dispute and the answers are true",
                    ),
                    widget="checkbox",
                ),
            ),
        ),
    ),
)

TRANSFER = FormSpec(
    id="land.transfer",
    title=L(
        "Đơn đăng ký biến động đất đai (Mẫu số 18) — chuyển nhượng",
        "Application for registration of a transfer (Form 18)",
    ),
    pages=(
        _parcel_page(L("Thửa đất chuyển nhượng", "Parcel transferred")),
        PageSpec(
            "certificate",
            L("Giấy chứng nhận đã cấp", "Certificate issued"),
            (
                FieldSpec(
                    "certificate_serial",
                    L("Số phát hành Giấy chứng nhận (số seri)", "Certificate serial"),
                    hint=L(
                        "Hai chữ cái và sáu chữ số ở trang 1, ví dụ DA 123456",
                        "Two letters and six digits on page 1",
                    ),
                    validators=_SERIAL,
                ),
            ),
        ),
        PageSpec(
            "transferor",
            L("Bên chuyển nhượng", "Transferor"),
            _person_fields("transferor", L("bên chuyển nhượng", "transferor")),
        ),
        PageSpec(
            "transferee",
            L("Bên nhận chuyển nhượng", "Transferee"),
            (
                *_person_fields("transferee", L("bên nhận chuyển nhượng", "transferee")),
                FieldSpec(
                    "transferee_address",
                    L("Địa chỉ thường trú của bên nhận chuyển nhượng", "Transferee's permanent address"),
                    validators=(Validator("min_length", {"min": 5}),),
                ),
                FieldSpec(
                    "transferee_phone",
                    L("Số điện thoại của bên nhận chuyển nhượng", "Transferee's phone"),
                    widget="phone",
                    validators=_PHONE,
                ),
            ),
        ),
        PageSpec(
            "contract",
            L("Hợp đồng chuyển nhượng", "Transfer contract"),
            (
                FieldSpec(
                    "contract_number",
                    L("Số công chứng hoặc chứng thực của hợp đồng", "Notarisation number of the contract"),
                    validators=(Validator("min_length", {"min": 1}),),
                ),
                FieldSpec(
                    "contract_date",
                    L("Ngày công chứng, chứng thực hợp đồng", "Date of notarisation"),
                    widget="date",
                    validators=_PAST,
                ),
                FieldSpec(
                    "price",
                    L("Giá chuyển nhượng ghi trong hợp đồng (đồng)", "Price stated in the contract (VND)"),
                    widget="money",
                    validators=(
                        Validator(
                            "int_range",
                            {"min": 1_000_000, "max": 10**13},
                            "Giá chuyển nhượng là số tiền từ 1.000.000 đồng trở lên.",
                        ),
                    ),
                ),
                FieldSpec(
                    "new_certificate",
                    L(
                        "Bên nhận chuyển nhượng có đề nghị cấp Giấy chứng nhận mới không?",
                        "Does the transferee ask for a new certificate?",
                    ),
                    widget="radio",
                    choices=YES_NO,
                    hint=L(
                        "Nếu không, Văn phòng đăng ký đất đai xác nhận biến động vào Giấy chứng nhận đã cấp",
                        "If not, the office endorses the change on the existing certificate",
                    ),
                ),
            ),
        ),
        _FEE_PAGE,
    ),
)

REISSUE = FormSpec(
    id="land.reissue",
    title=L(
        "Đơn đề nghị cấp đổi, cấp lại Giấy chứng nhận (Mẫu số 18)",
        "Application for replacement or re-issue (Form 18)",
    ),
    pages=(
        PageSpec(
            "holder",
            L("Người đứng tên trên Giấy chứng nhận", "Holder named on the certificate"),
            (
                *_person_fields("holder", L("người đứng tên", "holder")),
                FieldSpec(
                    "holder_phone",
                    L("Số điện thoại liên hệ", "Contact phone"),
                    widget="phone",
                    validators=_PHONE,
                ),
            ),
        ),
        _parcel_page(L("Thửa đất", "Parcel")),
        PageSpec(
            "certificate",
            L("Giấy chứng nhận đã cấp", "Certificate issued"),
            (
                FieldSpec(
                    "certificate_serial",
                    L("Số phát hành Giấy chứng nhận (số seri)", "Certificate serial"),
                    validators=_SERIAL,
                ),
                FieldSpec("reason", L("Lý do đề nghị", "Reason"), widget="radio", choices=REISSUE_REASONS),
                FieldSpec(
                    "loss_reported_on",
                    L("Ngày trình báo mất với Công an cấp xã", "Date the loss was reported to the police"),
                    widget="date",
                    validators=_PAST,
                    show_if={"reason": "lost"},
                ),
            ),
        ),
        _FEE_PAGE,
    ),
)

ALL = (FIRST_REGISTRATION, TRANSFER, REISSUE)
