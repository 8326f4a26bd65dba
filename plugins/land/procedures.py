"""The procedures of the land domain (Land Law 31/2024/QH15, Decrees 101/2024 and 151/2025).

Times follow Decree 151/2025/NĐ-CP Annex I and the provincial one-stop rules (REGULATIONS.md §7.1):
first registration + certificate 20 working days (appointment 1: 15, appointment 2: 5; public
posting excluded), transfer 8 (5 + 3; determining and paying the financial obligation excluded),
re-issue 8. Remote communes get 10 more working days. The procedure codes are those listed in
docs/plugins/land.md (with the caveat written there).
"""

from __future__ import annotations

from datetime import time

from core.api import DocumentRequirement, L, ProcedureSpec

DOMAIN = "land"

FIRST = "1.012756"
TRANSFER = "1.012767"
REISSUE = "1.012779"

CODES = (FIRST, TRANSFER, REISSUE)

LAW = "Luật Đất đai số 31/2024/QH15"
D101 = "Nghị định số 101/2024/NĐ-CP ngày 29/7/2024 quy định về điều tra cơ bản đất đai; đăng ký, cấp Giấy chứng nhận"
D151 = (
    "Nghị định số 151/2025/NĐ-CP ngày 12/6/2025 về phân định thẩm quyền của chính quyền địa phương 02 cấp "
    "trong lĩnh vực đất đai"
)
D10 = "Nghị định số 10/2022/NĐ-CP về lệ phí trước bạ"
TT85 = "Thông tư số 85/2019/TT-BTC hướng dẫn về phí và lệ phí thuộc thẩm quyền quyết định của HĐND cấp tỉnh"
HDND = "Nghị quyết của HĐND tỉnh về phí thẩm định hồ sơ và lệ phí cấp Giấy chứng nhận"

REMOTE_BASIS = (
    "Quyết định số 629/QĐ-BNNMT năm 2025 của Bộ Nông nghiệp và Môi trường (thủ tục hành chính chuẩn hóa "
    "lĩnh vực đất đai), Phần II: xã miền núi, hải đảo, vùng sâu, vùng xa, vùng có điều kiện kinh tế - xã "
    "hội khó khăn, đặc biệt khó khăn được tăng thêm 10 ngày làm việc"
)
"""Source of the remote-area +10 working days (R19), as reproduced in ``tnt305/tai_lieu_noi_bo``
``src/etl/dataset/23f5a54b2cc6c165.md``."""

_AUTH = DocumentRequirement(
    "authorisation",
    L("Văn bản ủy quyền nộp hồ sơ hoặc nhận kết quả", "Authorisation to submit or collect"),
    originals=1,
    copies=0,
    required=False,
    note=L(
        "Khi nộp hồ sơ hoặc nhận kết quả thông qua người đại diện", "When acting through a representative"
    ),
)

_FIRST_DOCS = (
    DocumentRequirement(
        "application",
        L("Đơn đăng ký đất đai, tài sản gắn liền với đất", "Land registration application"),
        originals=1,
        copies=0,
        template="Mẫu số 15 (Phụ lục I, Nghị định 151/2025/NĐ-CP)",
    ),
    DocumentRequirement(
        "origin_papers",
        L(
            "Giấy tờ về quyền sử dụng đất quy định tại Điều 137 Luật Đất đai (nếu có)",
            "Papers on the right to use the land (Land Law Art. 137), if any",
        ),
        originals=0,
        copies=1,
        required=False,
        note=L(
            "Bản sao có chứng thực hoặc bản sao kèm bản chính để đối chiếu",
            "Certified copy, or copy with the original",
        ),
    ),
    DocumentRequirement(
        "cadastral_extract",
        L("Mảnh trích đo bản đồ địa chính thửa đất (nếu có)", "Cadastral survey extract, if any"),
        originals=1,
        copies=0,
        required=False,
    ),
    DocumentRequirement(
        "tax_declaration",
        L("Tờ khai lệ phí trước bạ nhà, đất", "Registration fee declaration"),
        originals=1,
        copies=0,
        template="Mẫu số 01 (Nghị định 10/2022/NĐ-CP)",
    ),
    DocumentRequirement(
        "exemption_papers",
        L(
            "Giấy tờ chứng minh thuộc đối tượng miễn, giảm nghĩa vụ tài chính (nếu có)",
            "Proof of exemption from financial obligations, if any",
        ),
        originals=0,
        copies=1,
        required=False,
    ),
    _AUTH,
)

_TRANSFER_DOCS = (
    DocumentRequirement(
        "application",
        L(
            "Đơn đăng ký biến động đất đai, tài sản gắn liền với đất",
            "Application for registration of changes",
        ),
        originals=1,
        copies=0,
        template="Mẫu số 18 (Phụ lục I, Nghị định 151/2025/NĐ-CP)",
    ),
    DocumentRequirement(
        "contract",
        L(
            "Hợp đồng chuyển nhượng quyền sử dụng đất đã được công chứng hoặc chứng thực",
            "Notarised or certified transfer contract",
        ),
        originals=1,
        copies=0,
    ),
    DocumentRequirement(
        "certificate",
        L("Bản gốc Giấy chứng nhận đã cấp", "Original of the certificate issued"),
        originals=1,
        copies=0,
        upload=False,
        note=L(
            "Nộp bản gốc tại bộ phận một cửa; trực tuyến thì tải bản quét và nộp bản gốc khi nhận kết quả",
            "Hand in the original at the counter; online, upload a scan and hand in the original on collection",
        ),
    ),
    DocumentRequirement(
        "pit_declaration",
        L(
            "Tờ khai thuế thu nhập cá nhân đối với thu nhập từ chuyển nhượng bất động sản",
            "Personal income tax declaration for the transfer",
        ),
        originals=1,
        copies=0,
        template="Mẫu số 03/BĐS-TNCN (Thông tư 80/2021/TT-BTC)",
    ),
    DocumentRequirement(
        "tax_declaration",
        L("Tờ khai lệ phí trước bạ nhà, đất", "Registration fee declaration"),
        originals=1,
        copies=0,
        template="Mẫu số 01 (Nghị định 10/2022/NĐ-CP)",
    ),
    _AUTH,
)

_REISSUE_DOCS = (
    DocumentRequirement(
        "application",
        L("Đơn đề nghị cấp đổi, cấp lại Giấy chứng nhận", "Application for replacement or re-issue"),
        originals=1,
        copies=0,
        template="Mẫu số 18 (Phụ lục I, Nghị định 151/2025/NĐ-CP)",
    ),
    DocumentRequirement(
        "certificate",
        L("Bản gốc Giấy chứng nhận đã cấp", "Original of the certificate issued"),
        originals=1,
        copies=0,
        required=False,
        upload=False,
        note=L(
            "Khi cấp đổi do bị hư hỏng, ố nhòe hoặc cấp theo mẫu mới; không nộp khi bị mất",
            "When replaced because damaged or for the new form; not when lost",
        ),
    ),
    DocumentRequirement(
        "loss_confirmation",
        L(
            "Giấy xác nhận của Công an cấp xã về việc mất Giấy chứng nhận hoặc giấy tờ chứng minh thiên tai, hỏa hoạn",
            "Police confirmation of the loss, or proof of a disaster or fire",
        ),
        originals=1,
        copies=0,
        required=False,
        note=L("Chỉ khi Giấy chứng nhận bị mất", "Only when the certificate was lost"),
    ),
    _AUTH,
)

ALL = (
    ProcedureSpec(
        code=FIRST,
        domain=DOMAIN,
        name=L(
            "Đăng ký đất đai, tài sản gắn liền với đất, cấp Giấy chứng nhận quyền sử dụng đất lần đầu đối với cá nhân",
            "First registration of land and issue of the certificate of land-use rights to an individual",
        ),
        agency_level="commune",
        processing_days=20,
        legal_basis=(
            f"{LAW}, Điều 131, 133, 135–140",
            f"{D101}, Điều 28–36",
            f"{D151}, Phụ lục I",
            D10,
            TT85,
            HDND,
        ),
        documents=_FIRST_DOCS,
        form="land.first_registration",
        workflow="land.first_registration",
        results=("land.certificate_first",),
        online_level="mot_phan",
        cutoff=time(15, 0),
        supplement_policy="restart",
        financial_obligation=True,
        remote_area_extra_days=10,
        remote_area_basis=REMOTE_BASIS,
        originals_at_return=True,
        fee_summary=L(
            "Phí thẩm định hồ sơ và lệ phí cấp Giấy chứng nhận theo Nghị quyết HĐND tỉnh; "
            "lệ phí trước bạ (0,5%) nộp theo thông báo của cơ quan thuế",
            "Appraisal and certificate fees set by the province; registration fee (0.5%) per the tax notice",
        ),
        description=L(
            "Cá nhân đang sử dụng đất chưa được cấp Giấy chứng nhận nộp hồ sơ tại bộ phận một cửa; "
            "UBND xã nơi có đất xác nhận hiện trạng, niêm yết công khai 15 ngày, cơ quan thuế xác định "
            "nghĩa vụ tài chính, Chủ tịch UBND xã ký Giấy chứng nhận.",
            "An individual using land without a certificate applies at the one-stop desk; the commune "
            "confirms the use and posts it publicly for 15 days, tax sets the obligation, the commune chairman signs.",
        ),
        result_name=L(
            "Giấy chứng nhận quyền sử dụng đất, quyền sở hữu tài sản gắn liền với đất",
            "Certificate of land-use rights and ownership of assets attached to land",
        ),
    ),
    ProcedureSpec(
        code=TRANSFER,
        domain=DOMAIN,
        name=L(
            "Đăng ký biến động quyền sử dụng đất do chuyển nhượng quyền sử dụng đất",
            "Registration of a transfer of land-use rights",
        ),
        agency_level="department",
        processing_days=8,
        legal_basis=(
            f"{LAW}, Điều 27, 45, 133",
            f"{D101}, Điều 37",
            f"{D151}, Phụ lục I",
            D10,
            "Luật Thuế thu nhập cá nhân, Điều 14 (thuế suất 2%)",
            TT85,
            HDND,
        ),
        documents=_TRANSFER_DOCS,
        form="land.transfer",
        workflow="land.transfer",
        results=("land.certificate_transfer",),
        online_level="toan_trinh",
        cutoff=time(15, 0),
        supplement_policy="restart",
        financial_obligation=True,
        remote_area_extra_days=10,
        remote_area_basis=REMOTE_BASIS,
        originals_at_return=True,
        fee_summary=L(
            "Phí thẩm định hồ sơ và lệ phí đăng ký biến động theo Nghị quyết HĐND tỉnh; lệ phí trước bạ 0,5% "
            "và thuế thu nhập cá nhân 2% nộp theo thông báo của cơ quan thuế",
            "Provincial appraisal and registration fees; registration fee 0.5% and PIT 2% per the tax notice",
        ),
        description=L(
            "Bên nhận chuyển nhượng (hoặc bên chuyển nhượng) nộp hồ sơ đăng ký biến động trong 30 ngày kể từ "
            "ngày hợp đồng có hiệu lực; Văn phòng đăng ký đất đai kiểm tra, cơ quan thuế thông báo nghĩa vụ tài "
            "chính, sau khi nộp thuế Văn phòng đăng ký đất đai xác nhận biến động hoặc cấp Giấy chứng nhận mới.",
            "The parties register the transfer within 30 days; the land registration office checks it, tax "
            "notifies the obligation, and once paid the office endorses the change or issues a new certificate.",
        ),
        result_name=L(
            "Giấy chứng nhận được xác nhận biến động hoặc Giấy chứng nhận mới",
            "Endorsed certificate or new certificate",
        ),
    ),
    ProcedureSpec(
        code=REISSUE,
        domain=DOMAIN,
        name=L(
            "Cấp đổi, cấp lại Giấy chứng nhận quyền sử dụng đất (bị mất, hư hỏng hoặc cấp theo mẫu mới)",
            "Replacement or re-issue of a certificate of land-use rights (lost, damaged or new form)",
        ),
        agency_level="department",
        processing_days=8,
        legal_basis=(f"{LAW}, Điều 133, 135", f"{D101}, Điều 38, 39", f"{D151}, Phụ lục I", TT85, HDND),
        documents=_REISSUE_DOCS,
        form="land.reissue",
        workflow="land.reissue",
        results=("land.certificate_reissue",),
        online_level="toan_trinh",
        cutoff=time(15, 0),
        supplement_policy="restart",
        financial_obligation=False,
        remote_area_extra_days=10,
        remote_area_basis=REMOTE_BASIS,
        originals_at_return=True,
        fee_summary=L(
            "Lệ phí cấp đổi, cấp lại Giấy chứng nhận theo Nghị quyết HĐND tỉnh",
            "Replacement fee set by the province",
        ),
        description=L(
            "Người đứng tên trên Giấy chứng nhận đề nghị cấp đổi (hư hỏng, ố nhòe, mẫu cũ) hoặc cấp lại (bị mất); "
            "Văn phòng đăng ký đất đai kiểm tra hồ sơ địa chính và cấp Giấy chứng nhận mới, hủy Giấy chứng nhận cũ.",
            "A holder asks for a replacement (damaged, old form) or re-issue (lost); the land registration "
            "office checks the cadastral file, issues a new certificate and cancels the old one.",
        ),
        result_name=L("Giấy chứng nhận quyền sử dụng đất mới", "New certificate of land-use rights"),
    ),
)
