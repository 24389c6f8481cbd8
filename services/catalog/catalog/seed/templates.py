"""Render the downloadable form templates (level 2) as small, real Word files.

Only the standard library is used: a ``.docx`` is a zip of a few XML parts. Output is
deterministic (fixed zip timestamps), so re-running the seed uploads identical bytes.
"""

from __future__ import annotations

import io
import zipfile
from typing import Any
from xml.sax.saxutils import escape

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
_FIXED_TIME = (2026, 1, 1, 0, 0, 0)
_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" '
    'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="word/document.xml"/>'
    "</Relationships>"
)


def _paragraph(
    text: str, *, bold: bool = False, italic: bool = False, align: str = "left", size_pt: int = 13
) -> str:
    props = '<w:rFonts w:ascii="Times New Roman" w:hAnsi="Times New Roman"/>'
    props += f'<w:sz w:val="{size_pt * 2}"/>'
    props += "<w:b/>" if bold else ""
    props += "<w:i/>" if italic else ""
    return (
        f'<w:p><w:pPr><w:jc w:val="{align}"/><w:spacing w:after="120"/></w:pPr>'
        f'<w:r><w:rPr>{props}</w:rPr><w:t xml:space="preserve">{escape(text)}</w:t></w:r></w:p>'
    )


def document_xml(template: dict[str, Any]) -> str:
    """The body of the form: national motto, title, addressee, fields to fill, signature."""
    parts = [
        _paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, align="center"),
        _paragraph("Độc lập - Tự do - Hạnh phúc", bold=True, align="center"),
        _paragraph(template["form_ref"], italic=True, align="right", size_pt=10),
        _paragraph(template["title"], bold=True, align="center", size_pt=15),
        _paragraph(f"Kính gửi: {template['recipient']}", align="center"),
    ]
    parts += [_paragraph(f"{label}: " + "." * 60) for label in template["fields"]]
    parts.append(_paragraph(template["commitment"], italic=True))
    parts.append(_paragraph("……………, ngày …… tháng …… năm ……", italic=True, align="right"))
    parts.append(_paragraph(template["signer"].upper(), bold=True, align="right"))
    parts.append(
        _paragraph("(Ký, ghi rõ họ, chữ đệm, tên)", italic=True, align="right", size_pt=11)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        f'<w:document xmlns:w="{_W}"><w:body>{"".join(parts)}'
        '<w:sectPr><w:pgSz w:w="11906" w:h="16838"/>'
        '<w:pgMar w:top="1134" w:right="1134" w:bottom="1134" w:left="1701"/></w:sectPr>'
        "</w:body></w:document>"
    )


def render_docx(template: dict[str, Any]) -> bytes:
    """A complete ``.docx`` file for one template description."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _RELS),
            ("word/document.xml", document_xml(template)),
        ):
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode("utf-8"))
    return buffer.getvalue()
