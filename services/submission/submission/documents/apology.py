"""Phiếu xin lỗi và hẹn lại ngày trả kết quả (apology and extension letter)."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from ..domain.model import Dossier, parse_iso
from .pdfkit import (
    DEFAULT_FONT_DIR,
    build,
    escape,
    header,
    register_fonts,
    styles,
    vn_date_line,
    vn_datetime,
)


def apology_pdf(dossier: Dossier, extension: dict, printed_at: datetime,
                font_dir: str | None = None) -> bytes:
    """The letter for one extension (`dossier.extensions[i]`), with the new appointment."""
    register_fonts(font_dir or DEFAULT_FONT_DIR)
    st = styles()
    agency = escape(dossier.agency.get("name") or dossier.agency["code"])
    name = escape(dossier.applicant.get("full_name"))
    previous = vn_datetime(parse_iso(extension["previous_due_at"]))
    new = vn_datetime(parse_iso(extension["new_due_at"]))
    received = vn_datetime(dossier.accepted_at or dossier.submitted_at)
    body = [
        header(dossier.agency.get("name") or dossier.agency["code"], st),
        Paragraph(vn_date_line(printed_at).capitalize(), st["right"]),
        Paragraph("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ", st["title"]),
        Paragraph(f"Kính gửi: Ông/Bà <b>{name}</b>", st["center"]),
        Spacer(1, 5 * mm),
        Paragraph(
            f"Vào {received}, {agency} tiếp nhận giải quyết hồ sơ của Ông/Bà, "
            f"mã hồ sơ <b>{escape(dossier.code)}</b>, nội dung yêu cầu giải quyết: "
            f"{escape(dossier.procedure.get('name'))}.", st["body"]),
        Paragraph(f"Thời gian hẹn trả kết quả giải quyết hồ sơ: {previous}.", st["body"]),
        Paragraph(
            f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ cho Ông/Bà "
            "đúng hẹn ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.", st["body"]),
        Paragraph(f"Lý do: {escape(extension.get('reason'))}", st["body"]),
        Paragraph(
            f"Sự chậm trễ này đã gây phiền hà cho Ông/Bà. {agency} xin lỗi Ông/Bà và "
            f"xin hẹn lại thời gian trả kết quả vào: <b>{new}</b>.", st["body"]),
        Paragraph("Xin trân trọng cảm ơn!", st["body"]),
        Spacer(1, 8 * mm),
        Table([["", Paragraph("<b>THỦ TRƯỞNG CƠ QUAN</b>", st["center"])],
               ["", Paragraph("(Ký, ghi rõ họ tên và đóng dấu)", st["center_small"])]],
              colWidths=[85 * mm, 90 * mm]),
    ]
    return build(body, title=f"Phiếu xin lỗi và hẹn lại ngày trả kết quả {dossier.code}")
