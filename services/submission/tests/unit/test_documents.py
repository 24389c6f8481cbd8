import io
from datetime import datetime

import pypdf
import pytest

from submission.documents.apology import apology_pdf
from submission.documents.form_view import form_html
from submission.documents.receipt import receipt_pdf
from submission.domain.calendar import VN_TZ, PausePolicy
from submission.domain.model import Actor

CITIZEN = Actor(id="u-1", role="citizen")
OFFICER = Actor(id="o-1", role="officer", agency="000.00.31.H29")
URL = "https://motcua.example.vn/tra-cuu?code=000.00.31.H29-260302-0001"


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture
def accepted(new_dossier, calendar):
    dossier = new_dossier()
    dossier.attachments.append({"id": "a1", "component": "giay_chung_sinh",
                                "file_name": "giấy chứng sinh.pdf", "size": 10})
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0001", at(2026, 3, 2, 8, 15))
    dossier.perform("accept", OFFICER, {}, at(2026, 3, 2, 9), calendar, PausePolicy.EXTEND)
    return dossier


def test_receipt_has_vietnamese_text_code_documents_and_appointment(accepted):
    pdf = receipt_pdf(accepted, URL, at(2026, 3, 2, 9))
    text = text_of(pdf)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "000.00.31.H29-260302-0001" in text
    assert "Nguyễn Văn An" in text
    assert "Giấy chứng sinh" in text and "giấy chứng sinh.pdf" in text
    # 1 working day from Mon 2/3 09:00 → Tue 3/3 09:00.
    assert "09 giờ 00 phút, ngày 03/03/2026" in text
    assert "079*******34" in text and "079203001234" not in text


def test_receipt_embeds_its_font_and_a_qr_image(accepted):
    pdf = receipt_pdf(accepted, URL, at(2026, 3, 2, 9))
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    page = reader.pages[0]
    fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
    embedded = {f["/BaseFont"].split("+")[-1] for f in fonts if "/FontDescriptor" in f
                and "/FontFile2" in f["/FontDescriptor"].get_object()}
    assert embedded == {"DejaVuSans", "DejaVuSans-Bold"}
    assert len(page.images) == 1


def test_a_proxy_filings_receipt_names_the_filer_too(new_dossier):
    dossier = new_dossier(applicant={"full_name": "Trần Thị Bình", "cccd": "001190004321"},
                          filer={"full_name": "Nguyễn Văn An", "cccd": "079203001234",
                                 "date_of_birth": "2003-04-05"})
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0003", at(2026, 3, 2, 8, 15))
    text = " ".join(text_of(receipt_pdf(dossier, URL, at(2026, 3, 2, 9))).split())
    assert "Tiếp nhận hồ sơ của: Trần Thị Bình" in text
    assert "Người nộp thay (theo ủy quyền): Nguyễn Văn An" in text
    assert "079*******34" in text and "079203001234" not in text


def test_receipt_before_acceptance_says_date_comes_later(new_dossier):
    dossier = new_dossier()
    dossier.submit(CITIZEN, "000.00.31.H29-260302-0002", at(2026, 3, 2, 8, 15))
    assert "sẽ được thông báo" in text_of(receipt_pdf(dossier, URL, at(2026, 3, 2, 9)))


def test_apology_letter_names_old_and_new_dates_and_reason(accepted, calendar):
    accepted.perform("extend", OFFICER, {"new_due_at": "2026-03-06", "reason": "Chờ xác minh"},
                     at(2026, 3, 3, 8), calendar, PausePolicy.EXTEND)
    text = text_of(apology_pdf(accepted, accepted.extensions[0], at(2026, 3, 3, 8)))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert "Chờ xác minh" in text
    assert "09 giờ 00 phút, ngày 03/03/2026" in text
    assert "17 giờ 00 phút, ngày 06/03/2026" in text


def test_form_view_shows_labels_values_and_escapes_input(new_dossier):
    dossier = new_dossier(form_data={"ho_ten": "<script>alert(1)</script>",
                                     "ngay_sinh": "2003-05-01", "gioi_tinh": "nu"})
    html = form_html(dossier, at(2026, 3, 2, 9))
    assert "Thủ tục đăng ký khai sinh" in html
    assert "01/05/2003" in html and "Nữ" in html
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html
