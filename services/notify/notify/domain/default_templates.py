"""Version-1 templates shipped with the service (an administrator may save newer ones)."""

from __future__ import annotations

import html

from notify.domain.events import CONTACT_CHANGED, OTP_REQUESTED, SECURITY_ALERT, USER_REGISTERED
from notify.domain.templates import Channel, MessageTemplate

FOOTER = "Đây là thư tự động từ Cổng dịch vụ công motcua, vui lòng không trả lời thư này."
LINKS = ("receipt_url", "tracking_url", "portal_url")
# A code never lands in an inbox; a contact-change notice is for the replaced phone or email.
NOT_IN_INBOX = (OTP_REQUESTED, CONTACT_CHANGED)

# event type: (subject, body, sms). Dossier and account bodies get a greeting and a footer.
TEXTS: dict[str, tuple[str, str, str]] = {
    OTP_REQUESTED: (
        "Mã xác thực (OTP) để ${purpose_label}",
        "Mã xác thực (OTP) của bạn là: ${otp_code}\n"
        "Mã có hiệu lực trong ${expires_minutes} phút, dùng để ${purpose_label}.\n"
        "Không cung cấp mã này cho bất kỳ ai, kể cả người tự xưng là cán bộ cơ quan nhà nước.\n"
        "Nếu bạn không thực hiện yêu cầu này, hãy bỏ qua thư.",
        "motcua: Mã OTP của bạn là ${otp_code}, hiệu lực ${expires_minutes} phút. "
        "Không chia sẻ mã này cho bất kỳ ai.",
    ),
    USER_REGISTERED: (
        "Chào mừng bạn đến với Cổng dịch vụ công motcua",
        "Tài khoản của bạn trên Cổng dịch vụ công motcua đã được tạo thành công.\n"
        "Đăng nhập tại ${portal_url} để nộp và theo dõi hồ sơ thủ tục hành chính trực tuyến.",
        "motcua: Tài khoản dịch vụ công của bạn đã được tạo. Đăng nhập tại ${portal_url}",
    ),
    CONTACT_CHANGED: (
        "${field_label} đăng nhập tài khoản motcua của bạn đã được thay đổi",
        "${field_label} đăng nhập của tài khoản motcua đã được thay đổi lúc ${changed_at}.\n"
        "${field_label} mới: ${new_destination_masked}. Từ nay mã xác thực (OTP) sẽ được gửi "
        "tới ${field_label} mới, không còn gửi tới đây nữa.\n"
        "Nếu bạn đã thực hiện thay đổi này, bạn không cần làm gì thêm.\n"
        "Nếu không phải bạn, hãy liên hệ ngay bộ phận hỗ trợ của Cổng dịch vụ công motcua "
        "(${portal_url}) hoặc Bộ phận Một cửa gần nhất để được hỗ trợ lấy lại tài khoản.",
        "motcua: ${field_label} đăng nhập tài khoản của bạn đã được đổi lúc ${changed_at}. "
        "Nếu không phải bạn, hãy liên hệ ngay bộ phận hỗ trợ.",
    ),
    SECURITY_ALERT: (
        "Thông báo bảo mật: ${alert_title}",
        "${alert_text}\n"
        "Thời điểm: ${at}.\n"
        "Nếu chính bạn đã thực hiện, bạn không cần làm gì thêm.\n"
        "Nếu không phải bạn, hãy đặt lại mật khẩu ngay tại ${portal_url} (mục Quên mật khẩu, "
        "mã sẽ gửi tới số điện thoại hoặc email của bạn): mọi phiên đăng nhập khác sẽ kết "
        "thúc. Cần hỗ trợ, hãy liên hệ Bộ phận Một cửa gần nhất.",
        "motcua: ${alert_title} lúc ${at}. Nếu không phải bạn, hãy đặt lại mật khẩu ngay.",
    ),
    "dossier.submitted": (
        "Hồ sơ ${dossier_code} đã được nộp trực tuyến",
        "Hồ sơ ${procedure_name} của bạn đã được gửi đến ${agency_name} lúc ${submitted_at}.\n"
        "Mã hồ sơ: ${dossier_code}.\n"
        "Giấy tiếp nhận hồ sơ: ${receipt_url}\n"
        "Theo dõi tình trạng hồ sơ: ${tracking_url}",
        "motcua: Hồ sơ ${dossier_code} đã được nộp. Giấy tiếp nhận: ${receipt_url}",
    ),
    "dossier.accepted": (
        "Hồ sơ ${dossier_code} đã được tiếp nhận",
        "${agency_name} đã tiếp nhận hồ sơ ${dossier_code} (${procedure_name}).\n"
        "Ngày hẹn trả kết quả: ${appointment_date}.\n"
        "Theo dõi tình trạng hồ sơ: ${tracking_url}",
        "motcua: Hồ sơ ${dossier_code} đã được tiếp nhận. Hẹn trả kết quả: ${appointment_date}.",
    ),
    "dossier.supplement_requested": (
        "Hồ sơ ${dossier_code} cần bổ sung giấy tờ",
        "${agency_name} đề nghị bạn bổ sung hồ sơ ${dossier_code} (${procedure_name}).\n"
        "Nội dung cần bổ sung: ${missing_documents}.\n${note}\n"
        "Vui lòng đăng nhập để bổ sung hồ sơ: ${tracking_url}",
        "motcua: Hồ sơ ${dossier_code} cần bổ sung: ${missing_documents}.",
    ),
    "dossier.payment_requested": (
        "Hồ sơ ${dossier_code}: yêu cầu thực hiện nghĩa vụ tài chính",
        "Hồ sơ ${dossier_code} (${procedure_name}) cần thực hiện nghĩa vụ tài chính: "
        "${amount}.\n${note}\n"
        "Vui lòng nộp tại Bộ phận Một cửa của ${agency_name} hoặc theo hướng dẫn của cơ quan.",
        "motcua: Hồ sơ ${dossier_code} cần nộp ${amount} tại ${agency_name}.",
    ),
    "dossier.completed": (
        "Hồ sơ ${dossier_code} đã có kết quả",
        "Hồ sơ ${dossier_code} (${procedure_name}) đã được ${agency_name} giải quyết xong.\n"
        "Cách nhận kết quả: ${collection_instructions}.\n${note}\n"
        "Khi nhận trực tiếp, vui lòng mang theo giấy tiếp nhận hồ sơ và giấy tờ tùy thân.",
        "motcua: Hồ sơ ${dossier_code} đã có kết quả. Nhận kết quả: ${collection_instructions}.",
    ),
    "dossier.returned": (
        "Hồ sơ ${dossier_code} đã trả kết quả",
        "Kết quả giải quyết hồ sơ ${dossier_code} (${procedure_name}) đã được trả: "
        "${collection_instructions}. ${postal_tracking}\n"
        "Cảm ơn bạn đã sử dụng dịch vụ công trực tuyến.",
        "motcua: Hồ sơ ${dossier_code} đã trả kết quả. ${postal_tracking}",
    ),
    "dossier.not_accepted": (
        "Hồ sơ ${dossier_code} không được tiếp nhận",
        "${agency_name} không tiếp nhận hồ sơ ${dossier_code} (${procedure_name}).\n"
        "Lý do: ${reason}.\n"
        "Bạn có thể hoàn thiện và nộp lại hồ sơ mới.",
        "motcua: Hồ sơ ${dossier_code} không được tiếp nhận. Lý do: ${reason}.",
    ),
    "dossier.stopped": (
        "Hồ sơ ${dossier_code} bị dừng xử lý",
        "${agency_name} thông báo dừng xử lý hồ sơ ${dossier_code} (${procedure_name}).\n"
        "Lý do: ${reason}.",
        "motcua: Hồ sơ ${dossier_code} bị dừng xử lý. Lý do: ${reason}.",
    ),
    "dossier.extended": (
        "Thư xin lỗi và hẹn lại ngày trả kết quả hồ sơ ${dossier_code}",
        "${agency_name} chân thành xin lỗi vì hồ sơ ${dossier_code} (${procedure_name}) "
        "chưa thể trả kết quả đúng hẹn.\n"
        "Lý do: ${reason}.\n"
        "Ngày hẹn trả kết quả mới: ${new_appointment_date}.\n"
        "Mong bạn thông cảm.",
        "motcua: Xin lỗi, hồ sơ ${dossier_code} chậm trả kết quả. "
        "Hẹn lại ngày ${new_appointment_date}.",
    ),
    "dossier.withdrawn": (
        "Hồ sơ ${dossier_code} đã được rút",
        "Yêu cầu rút hồ sơ ${dossier_code} (${procedure_name}) tại ${agency_name} "
        "đã được ghi nhận.",
        "motcua: Hồ sơ ${dossier_code} đã được rút theo yêu cầu của bạn.",
    ),
}


def _email_text(event_type: str, body: str) -> str:
    greeting = "" if event_type == OTP_REQUESTED else "Kính gửi ${full_name},\n\n"
    return f"{greeting}{body}\n\n{FOOTER}"


def _email_html(text: str) -> str:
    """Paragraphs from ``text``; link placeholders become links (values escaped at render)."""
    paragraphs = []
    for line in text.split("\n"):
        if not line.strip():
            continue
        line = html.escape(line, quote=False)
        for name in LINKS:
            placeholder = "${" + name + "}"
            line = line.replace(placeholder, f'<a href="{placeholder}">{placeholder}</a>')
        paragraphs.append(f"<p>{line}</p>")
    return (
        '<!doctype html><html lang="vi"><body style="font-family:Arial,sans-serif">'
        + "".join(paragraphs)
        + "</body></html>"
    )


def _build() -> list[MessageTemplate]:
    templates = []
    for event_type, (subject, body, sms) in TEXTS.items():
        text = _email_text(event_type, body)
        templates.append(
            MessageTemplate(event_type, Channel.EMAIL, text, subject, _email_html(text), 1)
        )
        templates.append(MessageTemplate(event_type, Channel.SMS, sms, version=1))
        if event_type not in NOT_IN_INBOX:
            templates.append(MessageTemplate(event_type, Channel.IN_APP, body, subject, version=1))
    return templates


DEFAULT_TEMPLATES: dict[tuple[str, Channel], MessageTemplate] = {t.key: t for t in _build()}
