"""Shared PDF building blocks: the embedded Unicode font and the national-motto header."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import qrcode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, Paragraph, SimpleDocTemplate, Table, TableStyle

from ..domain.calendar import VN_TZ

DEFAULT_FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT, FONT_BOLD = "MotcuaSans", "MotcuaSans-Bold"


def register_fonts(font_dir: Path | str = DEFAULT_FONT_DIR) -> None:
    """Embed DejaVu Sans (full Vietnamese coverage); the built-in PDF fonts have no ơ, ư, ạ…"""
    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    font_dir = Path(font_dir)
    pdfmetrics.registerFont(TTFont(FONT, str(font_dir / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(FONT_BOLD, str(font_dir / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)


def styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=11, leading=15, spaceAfter=2)
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12),
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "right": ParagraphStyle("right", parent=base, alignment=TA_RIGHT, spaceBefore=4),
        "center_small": ParagraphStyle("cs", parent=base, fontSize=9, leading=12,
                                       alignment=TA_CENTER),
        "center_bold": ParagraphStyle("cb", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=14,
                                leading=18, alignment=TA_CENTER, spaceBefore=10, spaceAfter=4),
    }


def escape(text: object) -> str:
    return (str(text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))


def header(agency_name: str, st: dict[str, ParagraphStyle]) -> Table:
    left = [Paragraph(escape(agency_name).upper(), st["center_bold"])]
    right = [
        Paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st["center_bold"]),
        Paragraph("<u>Độc lập - Tự do - Hạnh phúc</u>", st["center_bold"]),
    ]
    table = Table([[left, right]], colWidths=[75 * mm, 100 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def qr_image(url: str, size_mm: float = 30) -> Image:
    buffer = io.BytesIO()
    qrcode.make(url, border=1).save(buffer, format="PNG")
    buffer.seek(0)
    return Image(buffer, width=size_mm * mm, height=size_mm * mm)


def grid(rows: list[list], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
    ]))
    return table


def build(flowables: list, title: str) -> bytes:
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=20 * mm, rightMargin=15 * mm,
                            topMargin=15 * mm, bottomMargin=15 * mm, title=title,
                            author="motcua", creator="motcua submission")
    doc.build(flowables)
    return buffer.getvalue()


def vn_datetime(moment: datetime | None) -> str:
    """`08 giờ 15 phút, ngày 28/11/2026` in Vietnam time."""
    if moment is None:
        return ""
    local = moment.astimezone(VN_TZ)
    return f"{local:%H} giờ {local:%M} phút, ngày {local:%d/%m/%Y}"


def vn_date_line(moment: datetime) -> str:
    local = moment.astimezone(VN_TZ)
    return f"ngày {local.day:02d} tháng {local.month:02d} năm {local.year}"
