import unicodedata

import pytest

from submission.domain.errors import UploadRefused
from submission.domain.uploads import check_sizes, check_type, detect_mime, safe_file_name

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 48


@pytest.mark.parametrize("name", [
    "../../etc/passwd.pdf", "..\\..\\boot.pdf", "/abs/file.pdf", "a/b.pdf", "bad\x00.pdf",
    "tab\tname.pdf", ".hidden.pdf", "C:evil.pdf", "", "   ", "no_extension",
])
def test_unsafe_names_are_refused(name):
    with pytest.raises(UploadRefused):
        safe_file_name(name)


def test_vietnamese_names_are_kept_nfc():
    decomposed = unicodedata.normalize("NFD", "Giấy chứng sinh.pdf")
    assert len(decomposed) > len("Giấy chứng sinh.pdf")
    assert safe_file_name(decomposed) == "Giấy chứng sinh.pdf"


def test_type_is_detected_from_content():
    assert detect_mime(PDF) == "application/pdf"
    assert detect_mime(PNG) == "image/png"
    assert detect_mime(b"hello") is None
    assert detect_mime(b"\xef\xbb\xbf<?xml version='1.0'?><a/>") == "application/xml"


def test_renamed_exe_is_refused():
    with pytest.raises(UploadRefused) as exc:
        check_type("hoa_don.pdf", detect_mime(EXE), ["pdf"])
    assert exc.value.http_status == 415


def test_content_must_match_extension():
    with pytest.raises(UploadRefused):
        check_type("anh.jpg", detect_mime(PNG), ["jpg", "png"])


def test_component_allowed_types_are_enforced():
    with pytest.raises(UploadRefused) as exc:
        check_type("anh.png", detect_mime(PNG), ["pdf"])
    assert "không được chấp nhận" in exc.value.message


def test_matching_file_passes():
    assert check_type("GIAY.PDF", detect_mime(PDF), ["pdf", "jpeg"]) == "application/pdf"


def test_size_limits_per_component_and_dossier():
    check_sizes(10 * 1024 * 1024, None, 0, 50 * 1024 * 1024)
    with pytest.raises(UploadRefused) as exc:
        check_sizes(10 * 1024 * 1024 + 1, None, 0, 50 * 1024 * 1024)
    assert exc.value.http_status == 413 and "10 MB" in exc.value.message
    with pytest.raises(UploadRefused):
        check_sizes(2_000, 1_000, 0, 50_000)
    with pytest.raises(UploadRefused):
        check_sizes(2_000, None, 49_000, 50_000)
    with pytest.raises(UploadRefused):
        check_sizes(0, None, 0, 50_000)
