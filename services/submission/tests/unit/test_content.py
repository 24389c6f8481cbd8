"""Uploads are checked by structure, not only by their magic number (issue 20, finding 14)."""
import io

import pytest

from servicekit.testing import files
from submission.domain.content import ContentLimits, check_structure
from submission.domain.errors import UploadRefused


def refusal(name: str, extension: str, data: bytes, limits: ContentLimits | None = None
            ) -> UploadRefused:
    stream = io.BytesIO(data)
    with pytest.raises(UploadRefused) as caught:
        check_structure(name, extension, stream, limits)
    assert stream.tell() == 0  # the caller may still read (or discard) it
    return caught.value


@pytest.mark.parametrize("name,extension,data", [
    ("to-khai.pdf", "pdf", files.minimal_pdf("to khai")),
    ("ban-ve.pdf", "pdf", files.minimal_pdf(pad=200_000)),
    ("du-lieu.xml", "xml", files.minimal_xml()),
    ("to-khai.docx", "docx", files.minimal_docx()),
    ("anh.png", "png", files.minimal_png(32, 32)),
])
def test_well_formed_files_pass(name, extension, data):
    stream = io.BytesIO(data)
    check_structure(name, extension, stream)
    assert stream.tell() == 0


def test_a_pdf_that_does_not_parse_is_refused():
    error = refusal("x.pdf", "pdf", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n")
    assert error.http_status == 415 and "không phải tệp PDF hợp lệ" in error.message


def test_a_pdf_html_polyglot_is_refused():
    data = files.pdf_html_polyglot()
    import pypdf  # the polyglot really is a PDF a reader opens

    assert len(pypdf.PdfReader(io.BytesIO(data)).pages) == 1
    error = refusal("giay-to.pdf", "pdf", data)
    assert error.http_status == 422 and "HTML" in error.message


def test_html_appended_after_the_end_of_a_pdf_is_refused():
    data = files.minimal_pdf(trailing=b"\n<!DOCTYPE html><p>x</p>")
    assert refusal("a.pdf", "pdf", data).http_status == 422


def test_a_pdf_running_javascript_is_refused():
    error = refusal("a.pdf", "pdf", files.pdf_with_javascript())
    assert error.http_status == 422 and "JavaScript" in error.message


def test_a_pdf_with_an_escaped_javascript_name_is_refused():
    # /J#61vaScript is /JavaScript once the reader decodes the name
    data = files.minimal_pdf(catalog_extra=b"/OpenAction << /S /J#61vaScript /JS (x) >> ")
    assert refusal("a.pdf", "pdf", data).http_status == 422


@pytest.mark.parametrize("data", [files.xml_with_external_entity(),
                                  files.xml_with_entity_expansion(),
                                  b'<?xml version="1.0"?><!DOCTYPE a SYSTEM "http://x/a.dtd"><a/>'])
def test_xml_with_a_dtd_or_entities_is_refused(data):
    error = refusal("du-lieu.xml", "xml", data)
    assert error.http_status == 422 and "DTD" in error.message


@pytest.mark.parametrize("data", [
    files.xml_with_script(),
    b"<a><script>alert(1)</script></a>",
    b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    b'<a href="javascript:alert(1)"/>',
    b'<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="x.xsl"?><a/>',
])
def test_xml_with_a_script_is_refused(data):
    assert refusal("du-lieu.xml", "xml", data).http_status == 422


def test_xml_that_does_not_parse_is_refused():
    assert refusal("du-lieu.xml", "xml", b"<?xml version='1.0'?><a><b></a>").http_status == 415


def test_a_zip_bomb_named_docx_is_refused_while_inflating():
    data = files.zip_bomb_docx(100 * files.MB)
    assert len(data) < 200_000  # 100 MB expanded, a few hundred kilobytes on disk
    error = refusal("to-khai.docx", "docx", data)
    assert error.http_status == 413 and "zip bomb" in error.message


def test_the_expansion_ratio_is_bounded_below_the_size_limit():
    # 3 MB of zeros stays under the 50 MB ceiling but expands ~1000 times its stored size
    error = refusal("to-khai.docx", "docx", files.zip_bomb_docx(3 * files.MB))
    assert error.http_status == 413


def test_member_count_is_bounded():
    many = {f"word/media/{i}.bin": b"x" for i in range(20)}
    error = refusal("a.docx", "docx", files.minimal_docx(many), ContentLimits(zip_max_members=10))
    assert error.http_status == 413


@pytest.mark.parametrize("extra,status", [
    ({"word/vbaProject.bin": b"macro"}, 422),
    ({"../../evil.xml": b"<a/>"}, 415),
    ({"word/settings.xml": files.xml_with_external_entity()}, 422),
])
def test_office_files_with_macros_escaping_paths_or_entities_are_refused(extra, status):
    assert refusal("a.docx", "docx", files.minimal_docx(extra)).http_status == status


def test_a_zip_without_the_parts_of_its_type_is_refused():
    assert refusal("a.xlsx", "xlsx", files.minimal_docx()).http_status == 415
    assert refusal("a.docx", "docx", b"PK\x03\x04 not really a zip").http_status == 415


def test_images_must_decode():
    truncated = files.minimal_png(64, 64)[:70]
    assert refusal("anh.png", "png", truncated).http_status == 415


def test_an_image_beyond_the_pixel_limit_is_refused():
    error = refusal("anh.png", "png", files.minimal_png(200, 200),
                    ContentLimits(image_max_pixels=10_000))
    assert error.http_status == 413


def test_an_image_carrying_html_is_refused():
    data = files.minimal_png(trailing=b"<html><script>alert(1)</script></html>")
    assert refusal("anh.png", "png", data).http_status == 422
