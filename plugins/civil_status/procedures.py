"""The procedures of the civil-status domain (Civil Status Law 2014, NĐ 123/2015, NĐ 63/2024).

Codes are those of the national procedure database for commune-level civil status; the two
variants (marriage needing verification, the NĐ 63/2024 group-1 linked procedure) carry a local
suffix on the national code they extend (see docs/plugins/civil_status.md).
"""

from __future__ import annotations

import dataclasses
from datetime import time

from core.api import DocumentRequirement, L, ProcedureSpec

DOMAIN = "civil_status"

BIRTH = "1.001193"
MARRIAGE = "1.000894"
MARRIAGE_VERIFY = "1.000894-XM"
DEATH = "1.000656"
BIRTH_LINKED = "1.001193-LT"
BIRTH_LINKED_VERIFY = "1.001193-LT-XM"
"""NĐ 63/2024 group 1 when the competent agencies must verify: 5 working days instead of 3 (R49)."""

LAW = "Luật Hộ tịch số 60/2014/QH13"
DECREE = "Nghị định số 123/2015/NĐ-CP quy định chi tiết một số điều và biện pháp thi hành Luật Hộ tịch"
CIRCULAR = "Thông tư số 04/2024/TT-BTP sửa đổi, bổ sung Thông tư số 04/2020/TT-BTP"
FEE_CIRCULAR = "Thông tư số 85/2019/TT-BTC hướng dẫn về phí và lệ phí thuộc thẩm quyền của HĐND cấp tỉnh"
FAMILY_LAW = "Luật Hôn nhân và gia đình số 52/2014/QH13"
LINKED_DECREE = "Nghị định số 63/2024/NĐ-CP về thực hiện liên thông điện tử các nhóm thủ tục hành chính"

_CUTOFF = time(15, 0)


def _doc(
    code: str,
    vi: str,
    en: str,
    *,
    originals: int = 1,
    copies: int = 0,
    required: bool = True,
    note: tuple[str, str] | None = None,
    template: str | None = None,
    upload: bool = True,
) -> DocumentRequirement:
    return DocumentRequirement(
        code,
        L(vi, en),
        originals=originals,
        copies=copies,
        required=required,
        note=L(*note) if note else None,
        template=template,
        upload=upload,
    )


_AUTHORISATION = _doc(
    "authorisation",
    "Văn bản ủy quyền (có chứng thực)",
    "Authorisation (certified)",
    required=False,
    note=(
        "Khi người đi đăng ký được ủy quyền; ông, bà, cha, mẹ, con, vợ, chồng, anh, chị, em ruột không cần ủy quyền",
        "When acting for someone; close relatives need no authorisation",
    ),
)
_ID = _doc(
    "identity",
    "Giấy tờ tùy thân có ảnh của người đi đăng ký (xuất trình)",
    "Photo ID of the declarant (shown)",
    copies=0,
    upload=False,
    note=(
        "Không cần nếu thông tin đã có trong Cơ sở dữ liệu quốc gia về dân cư",
        "Not needed when the data is in the national population database",
    ),
)

_BIRTH_DOCS = (
    _doc(
        "declaration",
        "Tờ khai đăng ký khai sinh",
        "Birth registration declaration",
        template="Mẫu Tờ khai đăng ký khai sinh, Thông tư 04/2024/TT-BTP",
    ),
    _doc(
        "birth_certificate",
        "Giấy chứng sinh do cơ sở y tế cấp",
        "Medical birth certificate (giấy chứng sinh)",
        note=(
            "Nếu không có: văn bản của người làm chứng, hoặc giấy cam đoan về việc sinh",
            "Otherwise a witness statement or a sworn statement of the birth",
        ),
    ),
    _ID,
    _AUTHORISATION,
)

ALL = (
    ProcedureSpec(
        code=BIRTH,
        domain=DOMAIN,
        name=L("Đăng ký khai sinh", "Birth registration"),
        agency_level="commune",
        processing_days=0,
        legal_basis=(f"{LAW}, Điều 13 đến Điều 17", f"{DECREE}, Điều 9", CIRCULAR, FEE_CIRCULAR),
        documents=_BIRTH_DOCS,
        form="civil_status.birth",
        workflow="civil_status.same_day",
        results=("birth_extract",),
        online_level="toan_trinh",
        cutoff=_CUTOFF,
        fee_summary=L(
            "Miễn lệ phí khi đăng ký đúng hạn (trong 60 ngày từ ngày sinh); quá hạn nộp lệ phí theo Nghị "
            "quyết HĐND tỉnh",
            "Free within 60 days of the birth; late registration fee set by the provincial council",
        ),
        result_name=L("Trích lục khai sinh (bản chính)", "Birth registration extract (original)"),
        description=L(
            "Cha, mẹ, ông, bà hoặc người thân thích đăng ký khai sinh cho trẻ tại Ủy ban nhân dân cấp xã nơi cư trú "
            "của cha hoặc mẹ; giải quyết ngay trong ngày, hồ sơ nhận sau 15 giờ trả trong ngày làm việc tiếp theo.",
            "Parents or relatives register the child's birth at the commune; done the same working day.",
        ),
    ),
    ProcedureSpec(
        code=MARRIAGE,
        domain=DOMAIN,
        name=L("Đăng ký kết hôn", "Marriage registration"),
        agency_level="commune",
        processing_days=0,
        legal_basis=(
            f"{LAW}, Điều 17 và Điều 18",
            f"{FAMILY_LAW}, Điều 5 và Điều 8",
            f"{DECREE}, Điều 10",
            CIRCULAR,
        ),
        documents=(
            _doc(
                "declaration",
                "Tờ khai đăng ký kết hôn (hai bên cùng ký)",
                "Marriage registration declaration (signed by both)",
                template="Mẫu Tờ khai đăng ký kết hôn, Thông tư 04/2024/TT-BTP",
            ),
            _doc(
                "marital_status",
                "Giấy xác nhận tình trạng hôn nhân",
                "Certificate of marital status",
                required=False,
                note=(
                    "Khi một bên đăng ký thường trú tại xã khác nơi đăng ký kết hôn",
                    "When a party resides in another commune",
                ),
            ),
            _doc(
                "identity",
                "Giấy tờ tùy thân có ảnh của hai bên nam, nữ (xuất trình)",
                "Photo ID of both parties (shown)",
                copies=0,
                upload=False,
            ),
        ),
        form="civil_status.marriage",
        workflow="civil_status.same_day",
        results=("marriage_certificate",),
        online_level="mot_phan",
        cutoff=_CUTOFF,
        fee_summary=L(
            "Miễn lệ phí đối với công dân Việt Nam cư trú ở trong nước",
            "Free for Vietnamese citizens residing in Vietnam",
        ),
        result_name=L("Giấy chứng nhận kết hôn", "Marriage certificate"),
        description=L(
            "Hai bên nam, nữ cùng có mặt tại Ủy ban nhân dân cấp xã nơi cư trú của một trong hai bên; "
            "nam từ đủ 20 tuổi, nữ từ đủ 18 tuổi, không đang có vợ hoặc chồng.",
            "Both parties appear at the commune; man at least 20, woman at least 18, neither already married.",
        ),
    ),
    ProcedureSpec(
        code=MARRIAGE_VERIFY,
        domain=DOMAIN,
        name=L(
            "Đăng ký kết hôn (trường hợp cần xác minh điều kiện kết hôn)",
            "Marriage registration (conditions to be verified)",
        ),
        agency_level="commune",
        processing_days=5,
        legal_basis=(
            f"{LAW}, Điều 18 khoản 2",
            f"{FAMILY_LAW}, Điều 5 và Điều 8",
            f"{DECREE}, Điều 10",
            CIRCULAR,
        ),
        documents=(
            _doc(
                "declaration",
                "Tờ khai đăng ký kết hôn (hai bên cùng ký)",
                "Marriage registration declaration (signed by both)",
                template="Mẫu Tờ khai đăng ký kết hôn, Thông tư 04/2024/TT-BTP",
            ),
            _doc(
                "marital_status",
                "Giấy xác nhận tình trạng hôn nhân",
                "Certificate of marital status",
                required=False,
                note=(
                    "Khi một bên đăng ký thường trú tại xã khác nơi đăng ký kết hôn",
                    "When a party resides in another commune",
                ),
            ),
            _doc(
                "identity",
                "Giấy tờ tùy thân có ảnh của hai bên nam, nữ (xuất trình)",
                "Photo ID of both parties (shown)",
                copies=0,
                upload=False,
            ),
        ),
        form="civil_status.marriage",
        workflow="civil_status.marriage_verify",
        results=("marriage_certificate",),
        online_level="mot_phan",
        cutoff=_CUTOFF,
        fee_summary=L(
            "Miễn lệ phí đối với công dân Việt Nam cư trú ở trong nước",
            "Free for Vietnamese citizens residing in Vietnam",
        ),
        result_name=L("Giấy chứng nhận kết hôn", "Marriage certificate"),
        description=L(
            "Như đăng ký kết hôn, khi công chức tư pháp - hộ tịch cần xác minh điều kiện kết hôn: "
            "thời hạn không quá 05 ngày làm việc.",
            "Marriage registration when the conditions must be verified: at most 5 working days.",
        ),
    ),
    ProcedureSpec(
        code=DEATH,
        domain=DOMAIN,
        name=L("Đăng ký khai tử", "Death registration"),
        agency_level="commune",
        processing_days=0,
        legal_basis=(f"{LAW}, Điều 32 đến Điều 34", f"{DECREE}, Điều 4", CIRCULAR, FEE_CIRCULAR),
        documents=(
            _doc(
                "declaration",
                "Tờ khai đăng ký khai tử",
                "Death registration declaration",
                template="Mẫu Tờ khai đăng ký khai tử, Thông tư 04/2024/TT-BTP",
            ),
            _doc(
                "death_notice",
                "Giấy báo tử hoặc giấy tờ thay thế giấy báo tử",
                "Death notice or a document replacing it",
                note=(
                    "Do cơ sở y tế, cơ quan công an hoặc Ủy ban nhân dân cấp xã cấp",
                    "Issued by a hospital, the police or the commune",
                ),
            ),
            _ID,
            _AUTHORISATION,
        ),
        form="civil_status.death",
        workflow="civil_status.same_day",
        results=("death_extract",),
        online_level="toan_trinh",
        cutoff=_CUTOFF,
        fee_summary=L(
            "Miễn lệ phí khi đăng ký đúng hạn (trong 15 ngày từ ngày chết); quá hạn nộp lệ phí theo Nghị "
            "quyết HĐND tỉnh",
            "Free within 15 days of the death; late registration fee set by the provincial council",
        ),
        result_name=L("Trích lục khai tử (bản chính)", "Death registration extract (original)"),
        description=L(
            "Vợ, chồng, con, cha, mẹ hoặc người thân thích đăng ký khai tử tại Ủy ban nhân dân cấp xã nơi cư trú "
            "cuối cùng của người chết; giải quyết ngay trong ngày.",
            "A relative registers the death at the commune of the last residence; done the same working day.",
        ),
    ),
    ProcedureSpec(
        code=BIRTH_LINKED,
        domain=DOMAIN,
        name=L(
            "Liên thông thủ tục hành chính về đăng ký khai sinh, đăng ký thường trú, cấp thẻ bảo hiểm y tế "
            "cho trẻ em dưới 6 tuổi",
            "Linked procedure: birth registration, permanent residence registration and health-insurance "
            "card for a child under 6",
        ),
        agency_level="commune",
        processing_days=3,
        legal_basis=(
            f"{LINKED_DECREE}, nhóm thủ tục 1",
            f"{LAW}, Điều 13 đến Điều 17",
            "Luật Cư trú số 68/2020/QH14, Điều 20 và Điều 22",
            "Luật Bảo hiểm y tế số 25/2008/QH12 (sửa đổi, bổ sung)",
        ),
        documents=(
            _doc(
                "declaration",
                "Tờ khai điện tử liên thông (Mẫu số 01 ban hành kèm theo Nghị định số 63/2024/NĐ-CP)",
                "Linked e-declaration (Form 01 of Decree 63/2024)",
                template="Mẫu số 01, Nghị định 63/2024/NĐ-CP",
            ),
            _doc(
                "birth_certificate",
                "Giấy chứng sinh (bản điện tử có chữ ký số của cơ sở y tế) hoặc giấy tờ thay thế",
                "Medical birth certificate (digitally signed) or a substitute",
            ),
            _doc(
                "residence_papers",
                "Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp",
                "Proof of lawful residence",
                required=False,
                copies=1,
                originals=0,
                note=(
                    "Khi trẻ đăng ký thường trú tại nơi khác nơi thường trú của cha, mẹ",
                    "When the child registers away from the parents",
                ),
            ),
            _AUTHORISATION,
        ),
        form="civil_status.birth_linked",
        workflow="civil_status.birth_linked",
        results=(),
        online_level="toan_trinh",
        cutoff=_CUTOFF,
        fee_summary=L(
            "Không làm tăng chi phí: miễn lệ phí đăng ký khai sinh đúng hạn, đăng ký thường trú và cấp thẻ "
            "BHYT cho trẻ dưới 6 tuổi",
            "No added cost: free on-time birth registration, residence registration and health-insurance card",
        ),
        result_name=L(
            "Trích lục khai sinh; thông báo kết quả đăng ký thường trú; thẻ bảo hiểm y tế",
            "Birth extract; residence registration notice; health-insurance card",
        ),
        description=L(
            "Một bộ hồ sơ, một mã hồ sơ, ba cơ quan, ba kết quả: Ủy ban nhân dân cấp xã đăng ký khai sinh, "
            "sau đó Công an đăng ký thường trú và Bảo hiểm xã hội cấp thẻ bảo hiểm y tế song song.",
            "One application, one code, three agencies, three results.",
        ),
    ),
)

_LINKED = next(p for p in ALL if p.code == BIRTH_LINKED)
ALL = (
    *ALL,
    dataclasses.replace(
        _LINKED,
        code=BIRTH_LINKED_VERIFY,
        name=L(
            _LINKED.name.vi + " (trường hợp cần xác minh)",
            (_LINKED.name.en or "") + " (verification needed)",
        ),
        processing_days=5,
        workflow="civil_status.birth_linked_verify",
        description=L(
            "Như liên thông khai sinh - thường trú - bảo hiểm y tế, khi cơ quan có thẩm quyền cần xác minh: "
            "thời hạn không quá 05 ngày làm việc kể từ khi nhận đủ hồ sơ (Nghị định 63/2024/NĐ-CP).",
            "The linked birth - residence - health-insurance group when verification is needed: at most 5 "
            "working days from a complete dossier (Decree 63/2024).",
        ),
    ),
)

BY_CODE = {p.code: p for p in ALL}
CODES = frozenset(BY_CODE)
