"""Message templates (R37): one per occasion, with a subject, a mail body and a short SMS text.

Placeholders are ``{name}``; a missing value renders as an empty string. Context keys used:
``code``, ``procedure_name``, ``applicant_name``, ``agency_name``, ``reason``, ``appointment``,
``link``, ``late_agency``, ``amount`` and ``pay_link`` (fee due); for the account messages ``code`` is
the username and ``reason`` what matched (the CCCD, the e-mail).
"""

from __future__ import annotations

import string
from dataclasses import dataclass

__all__ = ("Message", "MESSAGES", "render")


@dataclass(frozen=True, slots=True)
class Message:
    subject: str
    body: str
    sms: str


_SIGN = (
    "\n\nTrân trọng,\n{agency_name}\n(Thư gửi tự động từ hệ thống một cửa; vui lòng không trả lời thư này.)"
)

MESSAGES: dict[str, Message] = {
    "receipt": Message(
        "Đã tiếp nhận hồ sơ {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\n{agency_name} đã tiếp nhận hồ sơ «{procedure_name}» của "
        "Ông/Bà, mã hồ sơ {code}.\nNgày hẹn trả kết quả: {appointment}.\nÔng/Bà tra cứu tình trạng hồ sơ "
        "tại {link} bằng mã hồ sơ." + _SIGN,
        "Hồ sơ {code} đã được tiếp nhận. Hẹn trả kết quả: {appointment}. Tra cứu: {link}",
    ),
    "supplement_requested": Message(
        "Hồ sơ {code} cần bổ sung, hoàn thiện",
        "Kính gửi Ông/Bà {applicant_name},\n\nHồ sơ «{procedure_name}» (mã {code}) chưa đầy đủ, chưa hợp lệ. "
        "Đề nghị Ông/Bà bổ sung, hoàn thiện như sau:\n{reason}\n\nThời gian giải quyết được tính lại từ khi "
        "nhận đủ hồ sơ. Tra cứu hồ sơ tại {link}." + _SIGN,
        "Hồ sơ {code} cần bổ sung, hoàn thiện. Chi tiết: {link}",
    ),
    "refused": Message(
        "Hồ sơ {code} không được giải quyết",
        "Kính gửi Ông/Bà {applicant_name},\n\n{agency_name} từ chối giải quyết hồ sơ «{procedure_name}» "
        "(mã {code}) với lý do:\n{reason}\n\nTra cứu hồ sơ tại {link}." + _SIGN,
        "Hồ sơ {code} không được giải quyết. Lý do xem tại: {link}",
    ),
    "apology": Message(
        "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\nHồ sơ «{procedure_name}» (mã {code}) của Ông/Bà chưa được "
        "giải quyết đúng hạn. {late_agency} xin lỗi Ông/Bà vì sự chậm trễ này.\nLý do: {reason}\n"
        "Ngày hẹn trả kết quả mới: {appointment}.\nTra cứu hồ sơ tại {link}." + _SIGN,
        "Xin lỗi: hồ sơ {code} bị trễ hạn. Hẹn trả kết quả mới: {appointment}. Chi tiết: {link}",
    ),
    "fee_due": Message(
        "Hồ sơ {code}: phí, lệ phí cần nộp",
        "Kính gửi Ông/Bà {applicant_name},\n\nHồ sơ «{procedure_name}» (mã {code}) có phí, lệ phí phải nộp: "
        "{amount}.\nÔng/Bà nộp tại bộ phận một cửa, chuyển khoản hoặc thanh toán trực tuyến tại {pay_link} "
        "(đăng nhập tài khoản đã nộp hồ sơ). Kết quả được trả khi đã nộp đủ phí, lệ phí." + _SIGN,
        "Hồ sơ {code}: phí, lệ phí cần nộp {amount}. Nộp tại bộ phận một cửa hoặc trực tuyến: {pay_link}",
    ),
    "result_ready": Message(
        "Đã có kết quả giải quyết hồ sơ {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\nHồ sơ «{procedure_name}» (mã {code}) đã có kết quả. Ông/Bà "
        "nhận kết quả theo hình thức đã đăng ký; khi đến nhận trực tiếp, vui lòng mang theo giấy tiếp nhận "
        "hồ sơ và giấy tờ tùy thân.\nTra cứu hồ sơ tại {link}." + _SIGN,
        "Hồ sơ {code} đã có kết quả. Chi tiết: {link}",
    ),
    "stopped": Message(
        "Dừng giải quyết hồ sơ {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\nHồ sơ «{procedure_name}» (mã {code}) đã được dừng giải quyết.\n"
        "Lý do: {reason}\n\nTra cứu hồ sơ tại {link}." + _SIGN,
        "Hồ sơ {code} đã dừng giải quyết. Chi tiết: {link}",
    ),
    "returned": Message(
        "Đã trả kết quả hồ sơ {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\nKết quả hồ sơ «{procedure_name}» (mã {code}) đã được trao cho "
        "Ông/Bà. Ông/Bà có thể đánh giá mức độ hài lòng tại {link}." + _SIGN,
        "Đã trả kết quả hồ sơ {code}. Đánh giá tại: {link}",
    ),
    "closed": Message(
        "Kết thúc hồ sơ {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\nHồ sơ «{procedure_name}» (mã {code}) đã kết thúc vì không "
        "được bổ sung, hoàn thiện trong thời hạn.\n{reason}\nTra cứu hồ sơ tại {link}." + _SIGN,
        "Hồ sơ {code} đã kết thúc do không bổ sung đúng hạn. Chi tiết: {link}",
    ),
    "late_warning": Message(
        "Hồ sơ {code} đã quá hạn giải quyết",
        "Hồ sơ «{procedure_name}» (mã {code}, người nộp {applicant_name}) đã quá hạn giải quyết tại "
        "{late_agency}. Hạn trả kết quả: {appointment}.\nĐề nghị xử lý và, nếu cần, gửi thư xin lỗi kèm ngày hẹn mới "
        "cho người nộp hồ sơ.\n{link}",
        "Hồ sơ {code} đã quá hạn tại {late_agency}. Xử lý: {link}",
    ),
    "deadline_near": Message(
        "Hồ sơ {code} sắp đến hạn giải quyết",
        "Hồ sơ «{procedure_name}» (mã {code}, người nộp {applicant_name}) còn không quá một ngày làm việc "
        "là đến hạn trả kết quả: {appointment}.\nĐang ở bước: {step_name}, do {holder} xử lý.\n"
        "Đề nghị hoàn thành bước này đúng hạn.\n{link}",
        "Hồ sơ {code} sắp đến hạn ({appointment}), bước {step_name} ({holder}). {link}",
    ),
    "deadline_overdue": Message(
        "Hồ sơ {code} đã quá hạn giải quyết",
        "Hồ sơ «{procedure_name}» (mã {code}, người nộp {applicant_name}) đã quá hạn trả kết quả: "
        "{appointment}.\nĐang ở bước: {step_name}, do {holder} xử lý.\nĐề nghị xử lý ngay và, nếu cần, "
        "gửi thư xin lỗi kèm ngày hẹn mới cho người nộp hồ sơ.\n{link}",
        "Hồ sơ {code} đã quá hạn ({appointment}), bước {step_name} ({holder}). {link}",
    ),
    "online_submitted": Message(
        "Hồ sơ trực tuyến mới {code}: tiếp nhận hoặc yêu cầu bổ sung trước {appointment}",
        "Cổng dịch vụ công vừa nhận hồ sơ «{procedure_name}» (người nộp {applicant_name}) gửi {agency_name}.\n"
        "Đề nghị kiểm tra và tiếp nhận; nếu hồ sơ chưa đầy đủ, gửi yêu cầu bổ sung một lần, đầy đủ nội dung, "
        "chậm nhất {appointment} (8 giờ làm việc kể từ khi nhận); sau thời điểm đó phải ghi rõ lý do.\n{link}",
        "Hồ sơ trực tuyến mới {code}: tiếp nhận hoặc yêu cầu bổ sung trước {appointment}. {link}",
    ),
    "apology_prompt": Message(
        "Hồ sơ {code} sắp quá hạn: lập Phiếu xin lỗi và đề nghị gia hạn (Mẫu 04)",
        "Hồ sơ «{procedure_name}» (mã {code}, người nộp {applicant_name}) còn không quá một ngày làm việc "
        "là đến hạn trả kết quả: {appointment}.\nĐang ở bước: {step_name}, do {holder} xử lý.\n"
        "Nếu không kịp trả kết quả đúng hạn, {late_agency} phải lập Phiếu xin lỗi và đề nghị gia hạn thời "
        "gian giải quyết (Mẫu 04) nêu rõ lý do và ngày hẹn mới, gửi người nộp hồ sơ chậm nhất trước hạn "
        "trả kết quả; nếu không, hồ sơ sẽ được báo lên lãnh đạo cấp trên khi quá hạn.\n{link}",
        "Hồ sơ {code} sắp quá hạn ({appointment}): nếu không kịp, lập Mẫu 04 xin lỗi, hẹn lại. {link}",
    ),
    "apology_escalation": Message(
        "Hồ sơ {code} đã quá hạn mà chưa có Phiếu xin lỗi (Mẫu 04)",
        "Hồ sơ «{procedure_name}» (mã {code}, người nộp {applicant_name}) đã quá hạn trả kết quả "
        "({appointment}) mà {late_agency} chưa lập Phiếu xin lỗi và đề nghị gia hạn thời gian giải quyết "
        "(Mẫu 04).\nĐang ở bước: {step_name}, do {holder} xử lý.\nĐề nghị lãnh đạo chỉ đạo xử lý ngay và "
        "gửi thư xin lỗi kèm ngày hẹn mới cho người nộp hồ sơ.\n{link}",
        "Hồ sơ {code} quá hạn ({appointment}), {late_agency} chưa lập Mẫu 04. {link}",
    ),
    "apology_reminder": Message(
        "Hồ sơ {code} quá hạn: thư xin lỗi phải gửi trong 3 ngày làm việc",
        "Hồ sơ «{procedure_name}» (mã {code}, người nộp {applicant_name}) đã quá hạn trả kết quả "
        "({appointment}) do {late_agency}, và đến {reason} (3 ngày làm việc sau ngày hẹn) vẫn chưa có thư xin "
        "lỗi và hẹn lại ngày trả kết quả (Mẫu 04).\nĐề nghị lãnh đạo ký, gửi ngay thư xin lỗi cho người nộp "
        "hồ sơ và tổ chức kiểm điểm trách nhiệm của cán bộ liên quan trong 7 ngày làm việc kể từ ngày hẹn.\n{link}",
        "Hồ sơ {code} quá hạn từ {appointment}, chưa có thư xin lỗi (hạn 3 ngày làm việc). {link}",
    ),
    "account_created": Message(
        "Đã tạo tài khoản {code} trên hệ thống một cửa",
        "Kính gửi Ông/Bà {applicant_name},\n\nTài khoản công dân {code} của Ông/Bà đã được tạo. Ông/Bà đăng nhập "
        "tại {link} bằng tên đăng nhập này và mật khẩu đã chọn.\nNếu không phải Ông/Bà đăng ký, vui lòng báo cho "
        "bộ phận một cửa." + _SIGN,
        "Tài khoản {code} đã được tạo. Đăng nhập: {link}",
    ),
    "registration_attempt": Message(
        "Có người đăng ký tài khoản bằng thông tin của tài khoản {code}",
        "Kính gửi Ông/Bà {applicant_name},\n\nHệ thống vừa nhận một yêu cầu đăng ký tài khoản mới với {reason} "
        "trùng với tài khoản {code} của Ông/Bà. Tài khoản mới không được tạo.\nNếu chính Ông/Bà đăng ký, Ông/Bà "
        "đã có tài khoản: đăng nhập tại {link}. Nếu không phải Ông/Bà, Ông/Bà không cần làm gì; tài khoản vẫn an "
        "toàn. Nếu thấy điều bất thường, vui lòng báo cho bộ phận một cửa." + _SIGN,
        "Có người đăng ký tài khoản mới trùng thông tin với tài khoản {code} của Ông/Bà; không tạo tài khoản mới.",
    ),
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, context: dict) -> Message:
    """The message of ``template`` with ``context`` filled in.

    Raises:
        KeyError: no such template.
    """
    msg = MESSAGES[template]
    values = _Blank({k: "" if v is None else v for k, v in context.items()})
    fmt = string.Formatter()
    return Message(*(fmt.vformat(part, (), values).strip() for part in (msg.subject, msg.body, msg.sms)))
