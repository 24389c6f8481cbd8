"""Structure checks of an uploaded file, after its type was detected from the magic number.

A magic number says how a file begins, not what it is: a PDF may carry an HTML page that a
browser renders, an XML file may pull in external entities or carry a script, a ".docx" may
expand to gigabytes. Each accepted type is therefore opened the way its readers open it:

* PDF: it must parse (pypdf) and have a page; it may not be encrypted nor carry active
  content (JavaScript, launch actions, embedded files) nor HTML markup anywhere in its bytes
  (a PDF/HTML polyglot);
* XML: parsed by defusedxml with no DTD, no entity, no external reference; no script element,
  no event-handler attribute, no XHTML element, no stylesheet instruction;
* Office Open XML (docx, xlsx): a zip within a member count, a total expanded size and an
  expansion ratio (counted while inflating, not trusted from the headers), with the parts its
  type needs, no macro project, no member path leaving the archive, every XML part as above;
* images: they decode (Pillow), within a pixel count, and carry no HTML markup.

Pure functions over a seekable binary stream; every refusal is an ``UploadRefused`` with a
Vietnamese message, raised before anything is stored.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree

from .errors import UploadRefused

CHUNK = 1024 * 1024

# Markup a browser would render as a page: never legitimate inside a PDF or an image.
_HTML_MARKERS = re.compile(
    rb"<(?:!doctype\s+html|html[\s>/]|head[\s>]|body[\s>/]|script[\s>/]|iframe[\s>/]"
    rb"|object[\s>/]|embed[\s>/]|meta\s+http-equiv)|javascript:",
    re.IGNORECASE)
_OVERLAP = 32  # a marker split over two chunks is still seen

# PDF names whose presence means code the reader runs or files it drops.
_PDF_ACTIVE = frozenset({"/JavaScript", "/JS", "/Launch", "/EmbeddedFile", "/EmbeddedFiles",
                         "/RichMedia", "/XFA", "/SubmitForm", "/ImportData"})
_PDF_MAX_OBJECTS = 200_000  # the walk for active content stops (and refuses) beyond this

_XHTML_NS = "http://www.w3.org/1999/xhtml"

_OOXML_PARTS = {  # extension → the part every such document has
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
}

_INVALID = "Tệp “{name}” không phải tệp {kind} hợp lệ hoặc đã bị hỏng."
_ACTIVE = ("Tệp {kind} “{name}” chứa nội dung có thể thực thi ({what}) nên không được chấp "
           "nhận. Vui lòng gửi lại tệp không chứa mã lệnh (ví dụ bản quét hoặc bản in ra PDF).")


@dataclass(frozen=True)
class ContentLimits:
    zip_max_members: int = 1000
    zip_max_expanded_bytes: int = 50 * 1024 * 1024
    zip_max_ratio: int = 100  # expanded size / stored size, over the whole archive
    image_max_pixels: int = 50_000_000  # an A4 page scanned at 600 dpi is 35 million


def check_structure(name: str, extension: str, stream: BinaryIO,
                    limits: ContentLimits | None = None) -> None:
    """Refuse the upload unless its content is a well-formed, inert file of its type.

    ``extension`` is the normalised one the type check accepted (``pdf``, ``jpg``, ``docx``,
    …); the stream is left at position 0.
    """
    limits = limits or ContentLimits()
    check = _CHECKS.get(extension)
    try:
        if check is not None:
            check(name, stream, limits)
    finally:
        stream.seek(0)


# ---- PDF ------------------------------------------------------------------------------------
def _check_pdf(name: str, stream: BinaryIO, limits: ContentLimits) -> None:
    from pypdf import PdfReader

    _refuse_html(name, stream, "PDF")
    try:
        reader = PdfReader(stream, strict=False)
        if reader.is_encrypted:
            raise UploadRefused(f"Tệp “{name}” được đặt mật khẩu; vui lòng gửi bản không "
                                "đặt mật khẩu để cán bộ mở được.", http_status=422)
        if len(reader.pages) < 1:
            raise UploadRefused(_INVALID.format(name=name, kind="PDF"), http_status=415)
        found = _pdf_active_content(reader.trailer)
    except UploadRefused:
        raise
    except Exception:  # noqa: BLE001 - any parser failure (or recursion) means "not a PDF"
        raise UploadRefused(_INVALID.format(name=name, kind="PDF"), http_status=415) from None
    if found:
        raise UploadRefused(_ACTIVE.format(name=name, what=found, kind="PDF"),
                            http_status=422)


def _pdf_active_content(trailer) -> str | None:
    """The first active-content name reachable from the trailer, walking every object once."""
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, NameObject

    seen: set[tuple[int, int]] = set()
    pending = [trailer]
    visited = 0
    while pending:
        node = pending.pop()
        if isinstance(node, IndirectObject):
            key = (node.idnum, node.generation)
            if key in seen:
                continue
            seen.add(key)
            node = node.get_object()
        visited += 1
        if visited > _PDF_MAX_OBJECTS:
            return "cấu trúc quá lớn"
        if isinstance(node, DictionaryObject):
            for key, value in node.items():
                if key in _PDF_ACTIVE:
                    return key.lstrip("/")
                if key == "/S" and isinstance(value, NameObject) and value in _PDF_ACTIVE:
                    return value.lstrip("/")
                pending.append(value)
        elif isinstance(node, ArrayObject):
            pending.extend(node)
    return None


# ---- images ---------------------------------------------------------------------------------
def _check_image(name: str, stream: BinaryIO, limits: ContentLimits) -> None:
    from PIL import Image

    _refuse_html(name, stream, "ảnh")
    invalid = UploadRefused(_INVALID.format(name=name, kind="ảnh"), http_status=415)
    try:
        with Image.open(stream) as image:
            width, height = image.size
            if width * height > limits.image_max_pixels:
                raise UploadRefused(
                    f"Ảnh “{name}” quá lớn ({width}×{height} điểm ảnh); vui lòng gửi ảnh "
                    f"dưới {limits.image_max_pixels // 1_000_000} triệu điểm ảnh.",
                    http_status=413)
            image.load()  # decodes every pixel: a truncated or forged image fails here
    except UploadRefused:
        raise
    except (Image.DecompressionBombError, OSError, ValueError, SyntaxError):
        raise invalid from None
    except Exception:  # noqa: BLE001 - a decoder's unexpected failure is a broken image
        raise invalid from None


# ---- XML ------------------------------------------------------------------------------------
def _check_xml(name: str, stream: BinaryIO, limits: ContentLimits) -> None:
    _check_xml_bytes(name, stream.read(), "XML")


def _check_xml_bytes(name: str, data: bytes, kind: str) -> None:
    try:
        root = SafeElementTree.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                          forbid_external=True)
    except DefusedXmlException:
        raise UploadRefused(
            f"Tệp “{name}” khai báo DTD hoặc thực thể (entity) XML, có thể dùng để đọc trộm "
            "dữ liệu của hệ thống, nên không được chấp nhận.", http_status=422) from None
    except SafeElementTree.ParseError:
        raise UploadRefused(_INVALID.format(name=name, kind=kind), http_status=415) from None
    if b"<?xml-stylesheet" in data:
        raise UploadRefused(_ACTIVE.format(name=name, what="xml-stylesheet", kind=kind),
                            http_status=422)
    for element in root.iter():
        namespace, _, local = str(element.tag).rpartition("}")
        if local.lower() == "script" or namespace.lstrip("{") == _XHTML_NS:
            raise UploadRefused(_ACTIVE.format(name=name, what=f"<{local}>", kind=kind),
                                http_status=422)
        for attribute, value in element.attrib.items():
            local_attr = attribute.rpartition("}")[2].lower()
            if local_attr.startswith("on") or "javascript:" in value.lower().replace(" ", ""):
                raise UploadRefused(_ACTIVE.format(name=name, what=local_attr, kind=kind),
                                    http_status=422)


# ---- Office Open XML (zip) ------------------------------------------------------------------
def _check_ooxml(extension: str):
    def check(name: str, stream: BinaryIO, limits: ContentLimits) -> None:
        kind = extension.upper()
        stream.seek(0, 2)
        stored = max(stream.tell(), 1)
        stream.seek(0)
        try:
            archive = zipfile.ZipFile(stream)
            members = archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
            raise UploadRefused(_INVALID.format(name=name, kind=kind), http_status=415) from None
        if len(members) > limits.zip_max_members:
            raise UploadRefused(f"Tệp “{name}” có quá nhiều thành phần bên trong "
                                f"(tối đa {limits.zip_max_members}).", http_status=413)
        names = {m.filename for m in members}
        if "[Content_Types].xml" not in names or _OOXML_PARTS[extension] not in names:
            raise UploadRefused(_INVALID.format(name=name, kind=kind), http_status=415)
        budget = min(limits.zip_max_expanded_bytes, stored * limits.zip_max_ratio)
        expanded = 0
        with archive:
            for member in members:
                _check_member_name(name, member.filename, kind)
                if member.filename.lower().endswith("vbaproject.bin"):
                    raise UploadRefused(_ACTIVE.format(name=name, what="macro", kind=kind),
                                        http_status=422)
                xml = member.filename.endswith((".xml", ".rels"))
                data = bytearray() if xml else None
                expanded = _inflate(archive, member, name, expanded, budget, data, kind,
                                    limits)
                if data is not None:
                    _check_xml_bytes(name, bytes(data), kind)
    return check


def _check_member_name(name: str, member: str, kind: str) -> None:
    parts = member.replace("\\", "/").split("/")
    if member.startswith(("/", "\\")) or ".." in parts or ":" in member:
        raise UploadRefused(_INVALID.format(name=name, kind=kind), http_status=415)


def _inflate(archive: zipfile.ZipFile, member: zipfile.ZipInfo, name: str, expanded: int,
             budget: int, keep: bytearray | None, kind: str, limits: ContentLimits) -> int:
    """Inflate one member chunk by chunk, counting real bytes (headers may lie)."""
    try:
        with archive.open(member) as source:
            while chunk := source.read(CHUNK):
                expanded += len(chunk)
                if expanded > budget:
                    raise UploadRefused(
                        f"Tệp “{name}” giải nén ra dung lượng bất thường (cho phép tối đa "
                        f"{limits.zip_max_expanded_bytes // (1024 * 1024)} MB và không quá "
                        f"{limits.zip_max_ratio} lần dung lượng tệp), có thể là tệp nén độc "
                        "hại (zip bomb), nên không được chấp nhận.", http_status=413)
                if keep is not None:
                    keep += chunk
    except UploadRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, EOFError,
            RuntimeError):  # bad CRC, unknown compression, encrypted member
        raise UploadRefused(_INVALID.format(name=name, kind=kind), http_status=415) from None
    return expanded


# ---- shared ---------------------------------------------------------------------------------
def _refuse_html(name: str, stream: BinaryIO, kind: str) -> None:
    stream.seek(0)
    tail = b""
    while chunk := stream.read(CHUNK):
        window = tail + chunk
        if _HTML_MARKERS.search(window):
            stream.seek(0)
            raise UploadRefused(
                f"Tệp “{name}” chứa mã trang web (HTML/JavaScript) lẫn trong tệp {kind} nên "
                "không được chấp nhận.", http_status=422)
        tail = window[-_OVERLAP:]
    stream.seek(0)


_CHECKS = {
    "pdf": _check_pdf,
    "jpg": _check_image,
    "png": _check_image,
    "tif": _check_image,
    "xml": _check_xml,
    "docx": _check_ooxml("docx"),
    "xlsx": _check_ooxml("xlsx"),
}
