"""Application forms as data: one topic per page; the API accepts the answers whole.

Per-field checks are declarative (``Validator``); cross-field and registry checks live in
``validation.py`` (the ``validate_application`` hook).
"""

from __future__ import annotations

from core.api import FieldSpec, FormSpec, L, PageSpec, Validator

GENDERS = (("nam", L("Nam", "Male")), ("nu", L("Nữ", "Female")))
YES_NO = (("co", L("Có", "Yes")), ("khong", L("Không", "No")))
RELATIONS = (
    ("me", L("Mẹ", "Mother")),
    ("cha", L("Cha", "Father")),
    ("ong_ba", L("Ông, bà", "Grandparent")),
    ("nguoi_than", L("Người thân thích khác", "Other relative")),
    ("uy_quyen", L("Người được ủy quyền", "Authorised person")),
)
DEATH_RELATIONS = (
    ("vo_chong", L("Vợ hoặc chồng", "Spouse")),
    ("con", L("Con", "Child")),
    ("cha_me", L("Cha, mẹ", "Parent")),
    ("nguoi_than", L("Người thân thích khác", "Other relative")),
    ("uy_quyen", L("Người được ủy quyền", "Authorised person")),
)
DEATH_NOTICE_ISSUERS = (
    ("co_so_y_te", L("Cơ sở y tế (người chết tại cơ sở y tế)", "Medical facility")),
    ("cong_an", L("Cơ quan công an", "Police")),
    ("ubnd_xa", L("Ủy ban nhân dân cấp xã (chết tại nơi cư trú)", "Commune People's Committee")),
    ("khac", L("Cơ quan, đơn vị khác", "Other body")),
)

_CCCD = (Validator("cccd"),)
_PAST = (Validator("date_not_future"),)
_NAME = (
    Validator("min_length", {"min": 2}, "Nhập đầy đủ họ, chữ đệm và tên"),
    Validator("max_length", {"max": 100}),
)
_COPIES = (Validator("int_range", {"min": 0, "max": 10}, "Số bản sao trích lục từ 0 đến 10 bản"),)


def _f(name: str, vi: str, en: str, **kw) -> FieldSpec:
    return FieldSpec(name, L(vi, en), **kw)


_SEX_OF = {"mother": "female", "father": "male", "wife": "female", "husband": "male"}
"""The sex a person's CCCD must show, by the form section they are named in."""


def _cccd_of(prefix: str) -> tuple[Validator, ...]:
    """The CCCD of the person on page ``prefix``: checked against their date of birth and sex."""
    return (Validator("cccd", {"birth_date": f"{prefix}_birth_date", "sex_is": _SEX_OF[prefix]}),)


def _parent(prefix: str, vi: str, en: str, show_if=None) -> PageSpec:
    return PageSpec(
        id=prefix,
        title=L(vi, en),
        show_if=show_if,
        fields=(
            _f(f"{prefix}_full_name", "Họ, chữ đệm và tên", "Full name", validators=_NAME),
            _f(
                f"{prefix}_birth_date",
                "Ngày, tháng, năm sinh",
                "Date of birth",
                widget="date",
                validators=_PAST,
            ),
            _f(
                f"{prefix}_cccd",
                "Số định danh cá nhân (số căn cước)",
                "Personal ID number",
                widget="cccd",
                validators=_cccd_of(prefix),
            ),
            _f(f"{prefix}_ethnicity", "Dân tộc", "Ethnicity", hint=L("Ví dụ: Kinh", "e.g. Kinh")),
            _f(f"{prefix}_residence", "Nơi cư trú", "Residence"),
        ),
    )


_CHILD = PageSpec(
    id="child",
    title=L("Thông tin người được khai sinh", "The child"),
    fields=(
        _f("child_full_name", "Họ, chữ đệm và tên của trẻ", "Child's full name", validators=_NAME),
        _f("child_gender", "Giới tính", "Sex", widget="radio", choices=GENDERS),
        _f("child_birth_date", "Ngày, tháng, năm sinh", "Date of birth", widget="date", validators=_PAST),
        _f(
            "child_birth_place",
            "Nơi sinh",
            "Place of birth",
            hint=L(
                "Tên cơ sở y tế, hoặc địa chỉ nơi sinh nếu sinh ngoài cơ sở y tế",
                "Name of the medical facility or the address",
            ),
        ),
        _f("child_ethnicity", "Dân tộc", "Ethnicity", hint=L("Ví dụ: Kinh", "e.g. Kinh")),
        _f("child_nationality", "Quốc tịch", "Nationality", hint=L("Ví dụ: Việt Nam", "e.g. Việt Nam")),
        _f("child_hometown", "Quê quán", "Home town", required=False),
        _f(
            "birth_certificate_number",
            "Số giấy chứng sinh",
            "Medical birth certificate number",
            required=False,
            validators=(Validator("max_length", {"max": 30}),),
        ),
    ),
)

_FATHER_KNOWN = PageSpec(
    id="father_known",
    title=L("Thông tin người cha", "The father"),
    fields=(
        _f(
            "father_known",
            "Có xác định được người cha không?",
            "Is the father known?",
            widget="radio",
            choices=YES_NO,
        ),
    ),
)

_DECLARANT = PageSpec(
    id="declarant",
    title=L("Người đi đăng ký", "The declarant"),
    fields=(
        _f(
            "declarant_relation",
            "Quan hệ với người được khai sinh",
            "Relationship to the child",
            widget="select",
            choices=RELATIONS,
        ),
        _f(
            "extract_copies",
            "Số bản sao trích lục khai sinh đề nghị cấp",
            "Extra certified copies requested",
            widget="number",
            required=False,
            validators=_COPIES,
        ),
    ),
)

BIRTH = FormSpec(
    id="civil_status.birth",
    title=L("Tờ khai đăng ký khai sinh", "Birth registration declaration"),
    pages=(
        _CHILD,
        _parent("mother", "Thông tin người mẹ", "The mother"),
        _FATHER_KNOWN,
        _parent(
            "father", "Thông tin chi tiết về người cha", "Father's details", show_if={"father_known": "co"}
        ),
        _DECLARANT,
    ),
)

BIRTH_LINKED = FormSpec(
    id="civil_status.birth_linked",
    title=L(
        "Tờ khai điện tử liên thông khai sinh, thường trú, bảo hiểm y tế",
        "Linked birth, residence and health-insurance declaration",
    ),
    pages=(
        _CHILD,
        _parent("mother", "Thông tin người mẹ", "The mother"),
        _FATHER_KNOWN,
        _parent(
            "father", "Thông tin chi tiết về người cha", "Father's details", show_if={"father_known": "co"}
        ),
        PageSpec(
            id="residence",
            title=L("Đăng ký thường trú cho trẻ", "The child's permanent residence"),
            fields=(
                _f(
                    "residence_address",
                    "Địa chỉ đăng ký thường trú",
                    "Address of permanent residence",
                    validators=(
                        Validator(
                            "min_length", {"min": 10}, "Ghi đủ số nhà, đường hoặc thôn, ấp và xã, phường"
                        ),
                    ),
                ),
                _f("household_head_name", "Họ và tên chủ hộ", "Head of household", validators=_NAME),
                _f(
                    "household_head_cccd",
                    "Số định danh cá nhân của chủ hộ",
                    "Head of household's personal ID number",
                    widget="cccd",
                    validators=_CCCD,
                ),
                _f(
                    "relation_to_head",
                    "Quan hệ của trẻ với chủ hộ",
                    "Child's relationship to the head",
                    hint=L("Ví dụ: con, cháu", "e.g. child, grandchild"),
                ),
            ),
        ),
        PageSpec(
            id="health_insurance",
            title=L("Cấp thẻ bảo hiểm y tế", "Health-insurance card"),
            fields=(
                _f(
                    "hi_facility",
                    "Nơi đăng ký khám bệnh, chữa bệnh ban đầu",
                    "Primary care facility",
                    hint=L("Ví dụ: Trạm Y tế phường Trấn Biên", "e.g. the commune health station"),
                ),
            ),
        ),
        _DECLARANT,
    ),
)


def _spouse(prefix: str, vi: str, en: str) -> PageSpec:
    return PageSpec(
        id=prefix,
        title=L(vi, en),
        fields=(
            _f(f"{prefix}_full_name", "Họ, chữ đệm và tên", "Full name", validators=_NAME),
            _f(
                f"{prefix}_birth_date",
                "Ngày, tháng, năm sinh",
                "Date of birth",
                widget="date",
                validators=_PAST,
            ),
            _f(
                f"{prefix}_cccd",
                "Số định danh cá nhân (số căn cước)",
                "Personal ID number",
                widget="cccd",
                validators=_cccd_of(prefix),
            ),
            _f(f"{prefix}_ethnicity", "Dân tộc", "Ethnicity"),
            _f(
                f"{prefix}_nationality",
                "Quốc tịch",
                "Nationality",
                hint=L("Ví dụ: Việt Nam", "e.g. Việt Nam"),
            ),
            _f(f"{prefix}_residence", "Nơi cư trú", "Residence"),
            _f(
                f"{prefix}_marriage_times",
                "Kết hôn lần thứ mấy",
                "Which marriage is this",
                widget="number",
                validators=(Validator("int_range", {"min": 1, "max": 9}, "Ghi số lần kết hôn, ví dụ 1"),),
            ),
        ),
    )


MARRIAGE = FormSpec(
    id="civil_status.marriage",
    title=L("Tờ khai đăng ký kết hôn", "Marriage registration declaration"),
    pages=(
        _spouse("husband", "Thông tin bên nam", "The man"),
        _spouse("wife", "Thông tin bên nữ", "The woman"),
        PageSpec(
            id="confirm",
            title=L("Cam đoan của hai bên", "Both parties' declaration"),
            fields=(
                _f(
                    "voluntary",
                    "Hai bên cam đoan tự nguyện kết hôn, đủ điều kiện kết hôn theo Luật Hôn nhân và gia đình",
                    "Both declare they marry voluntarily and meet the legal conditions",
                    widget="radio",
                    choices=YES_NO,
                    validators=(
                        Validator(
                            "choice",
                            {"values": ["co"]},
                            "Chỉ đăng ký kết hôn khi cả hai bên tự nguyện cam đoan",
                        ),
                    ),
                ),
                _f(
                    "extract_copies",
                    "Số bản sao trích lục kết hôn đề nghị cấp",
                    "Extra certified copies requested",
                    widget="number",
                    required=False,
                    validators=_COPIES,
                ),
            ),
        ),
    ),
)

DEATH = FormSpec(
    id="civil_status.death",
    title=L("Tờ khai đăng ký khai tử", "Death registration declaration"),
    pages=(
        PageSpec(
            id="deceased",
            title=L("Thông tin người đã chết", "The deceased"),
            fields=(
                _f("deceased_full_name", "Họ, chữ đệm và tên", "Full name", validators=_NAME),
                _f("deceased_gender", "Giới tính", "Sex", widget="radio", choices=GENDERS),
                _f(
                    "deceased_birth_date",
                    "Ngày, tháng, năm sinh",
                    "Date of birth",
                    widget="date",
                    validators=_PAST,
                ),
                _f(
                    "deceased_cccd",
                    "Số định danh cá nhân (số căn cước)",
                    "Personal ID number",
                    widget="cccd",
                    validators=(
                        Validator("cccd", {"birth_date": "deceased_birth_date", "sex": "deceased_gender"}),
                    ),
                ),
                _f("deceased_ethnicity", "Dân tộc", "Ethnicity"),
                _f("deceased_nationality", "Quốc tịch", "Nationality"),
                _f("deceased_residence", "Nơi cư trú cuối cùng", "Last residence"),
            ),
        ),
        PageSpec(
            id="death",
            title=L("Thông tin về việc chết", "The death"),
            fields=(
                _f("death_date", "Ngày chết", "Date of death", widget="date", validators=_PAST),
                _f(
                    "death_time",
                    "Giờ, phút chết",
                    "Time of death",
                    required=False,
                    validators=(
                        Validator(
                            "regex",
                            {"pattern": r"^([01]\d|2[0-3]):[0-5]\d$"},
                            "Ghi giờ, phút theo dạng 14:30",
                        ),
                    ),
                ),
                _f("death_place", "Nơi chết", "Place of death"),
                _f("death_cause", "Nguyên nhân chết", "Cause of death", required=False),
                _f(
                    "death_notice_issuer",
                    "Giấy báo tử do cơ quan nào cấp",
                    "Death notice issued by",
                    widget="select",
                    choices=DEATH_NOTICE_ISSUERS,
                ),
                _f(
                    "death_notice_number",
                    "Số giấy báo tử",
                    "Death notice number",
                    required=False,
                    validators=(Validator("max_length", {"max": 30}),),
                ),
            ),
        ),
        PageSpec(
            id="declarant",
            title=L("Người đi đăng ký khai tử", "The declarant"),
            fields=(
                _f(
                    "declarant_relation",
                    "Quan hệ với người đã chết",
                    "Relationship to the deceased",
                    widget="select",
                    choices=DEATH_RELATIONS,
                ),
                _f(
                    "extract_copies",
                    "Số bản sao trích lục khai tử đề nghị cấp",
                    "Extra certified copies requested",
                    widget="number",
                    required=False,
                    validators=_COPIES,
                ),
            ),
        ),
    ),
)

ALL = (BIRTH, BIRTH_LINKED, MARRIAGE, DEATH)
