"""Giấy tiếp nhận hồ sơ và hẹn trả kết quả (receipt and appointment slip)."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table, TableStyle

from ..domain.cccd import mask_cccd
from ..domain.model import RETURN_METHODS, Dossier
from .pdfkit import (
    DEFAULT_FONT_DIR,
    build,
    escape,
    grid,
    header,
    qr_image,
    register_fonts,
    styles,
    vn_date_line,
    vn_datetime,
)


def receipt_pdf(dossier: Dossier, tracking_url: str, printed_at: datetime,
                font_dir: str | None = None) -> bytes:
    """The slip a citizen keeps: code, documents received, appointment date, QR for tracking."""
    register_fonts(font_dir or DEFAULT_FONT_DIR)
    st = styles()
    agency_name = dossier.agency.get("name") or dossier.agency["code"]
    body = [
        header(agency_name, st),
        Paragraph("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", st["title"]),
        Paragraph(f"Mã hồ sơ: <b>{escape(dossier.code)}</b>", st["center"]),
        Spacer(1, 6 * mm),
        Paragraph(f"Bộ phận tiếp nhận và trả kết quả: {escape(agency_name)}", st["body"]),
        Paragraph(f"Tiếp nhận hồ sơ của: <b>{escape(dossier.applicant.get('full_name'))}</b>",
                  st["body"]),
        Paragraph("Số định danh cá nhân: "
                  f"{escape(mask_cccd(dossier.applicant.get('cccd') or ''))}", st["body"]),
    ]
    if dossier.filer:  # a proxy filing: who filed, as the account verified them
        body.append(Paragraph(
            f"Người nộp thay (theo ủy quyền): <b>{escape(dossier.filer.get('full_name'))}</b>, "
            f"số định danh {escape(mask_cccd(dossier.filer.get('cccd') or ''))}", st["body"]))
    for label, key in (("Địa chỉ", "address"), ("Số điện thoại", "phone"), ("Email", "email")):
        if dossier.applicant.get(key):
            body.append(Paragraph(f"{label}: {escape(dossier.applicant[key])}", st["body"]))
    body += [
        Paragraph(f"Nội dung yêu cầu giải quyết: <b>{escape(dossier.procedure.get('name'))}</b>"
                  f" (mã thủ tục {escape(dossier.procedure.get('code'))})", st["body"]),
        Spacer(1, 3 * mm),
        Paragraph("1. Thành phần hồ sơ nộp gồm:", st["body"]),
        _documents_table(dossier, st),
        Spacer(1, 3 * mm),
        Paragraph("2. Số lượng hồ sơ: 01 (bộ)", st["body"]),
        Paragraph("3. Thời gian giải quyết hồ sơ theo quy định: "
                  f"{_days(dossier.procedure.get('processing_days'))} ngày làm việc", st["body"]),
        Paragraph(f"4. Thời gian nhận hồ sơ: {vn_datetime(dossier.submitted_at)}", st["body"]),
        Paragraph("5. Thời gian trả kết quả giải quyết hồ sơ: <b>"
                  + (vn_datetime(dossier.due_at) if dossier.due_at
                     else "sẽ được thông báo khi hồ sơ được tiếp nhận") + "</b>", st["body"]),
        Paragraph("6. Đăng ký nhận kết quả tại: "
                  + escape(RETURN_METHODS.get(dossier.applicant.get("return_method", "counter"),
                                              RETURN_METHODS["counter"])), st["body"]),
        Spacer(1, 4 * mm),
        _tracking_block(tracking_url, dossier.code or "", st),
        Spacer(1, 4 * mm),
        Paragraph(f"{escape(dossier.agency.get('place') or '')} {vn_date_line(printed_at)}"
                  .strip(), st["center"]),
        _signatures(st),
    ]
    return build(body, title=f"Giấy tiếp nhận hồ sơ {dossier.code}")


def _documents_table(dossier: Dossier, st) -> Table:
    rows = [[Paragraph("<b>STT</b>", st["small"]), Paragraph("<b>Tên giấy tờ</b>", st["small"]),
             Paragraph("<b>Tệp đính kèm</b>", st["small"])]]
    names = {c["code"]: c.get("name", c["code"]) for c in dossier.procedure.get("components", [])}
    received = [a for a in dossier.attachments if a["component"] != "result"]
    for index, attachment in enumerate(received, start=1):
        rows.append([
            Paragraph(str(index), st["small"]),
            Paragraph(escape(names.get(attachment["component"], attachment["component"])),
                      st["small"]),
            Paragraph(escape(attachment["file_name"]), st["small"]),
        ])
    if len(rows) == 1:
        rows.append([Paragraph("", st["small"]),
                     Paragraph("(không có giấy tờ đính kèm)", st["small"]), ""])
    return grid(rows, [12 * mm, 110 * mm, 53 * mm])


def _tracking_block(url: str, code: str, st) -> Table:
    text = [Paragraph("Tra cứu tình trạng hồ sơ bằng cách quét mã QR hoặc truy cập:", st["small"]),
            Paragraph(escape(url), st["small"]),
            Paragraph(f"và nhập mã hồ sơ <b>{escape(code)}</b>.", st["small"])]
    table = Table([[qr_image(url), text]], colWidths=[35 * mm, 140 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE")]))
    return table


def _signatures(st) -> Table:
    return Table(
        [[Paragraph("<b>NGƯỜI NỘP HỒ SƠ</b>", st["center"]),
          Paragraph("<b>NGƯỜI TIẾP NHẬN HỒ SƠ</b>", st["center"])],
         [Paragraph("(Ký và ghi rõ họ tên)", st["center_small"]),
          Paragraph("(Ký và ghi rõ họ tên)", st["center_small"])]],
        colWidths=[87 * mm, 88 * mm],
    )


def _days(value) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)
