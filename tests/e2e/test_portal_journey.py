"""The whole journey in a real browser (Debian Chromium, headless): a citizen registers, signs
in with an OTP, finds a procedure by typing without accents, fills the e-form, attaches each
required document, submits, downloads the receipt and tracks the dossier; an officer (TOTP)
takes it through to "returned"; the citizen sees every status. Every page is screenshotted
under test-artifacts/e2e/; the main pages pass an axe-core audit (no serious or critical
violations), and the citizen's pages fit a 360 px wide phone."""
from __future__ import annotations

import json
import random
import time
from datetime import date, timedelta
from pathlib import Path

from e2e_support import (
    AGENCY,
    PASSWORD,
    PROCEDURE,
    DevMessages,
    Recorder,
    api_sign_in,
    citizen_sees,
    create_admin,
    create_officer,
    sign_in_with_totp,
    submit,
    tiny_pdf,
    watch,
)
from playwright.sync_api import expect

from servicekit.testing import wait_until

PHONE_WIDTH = 360


def _citizen() -> dict[str, str]:
    rand = random.Random()
    return {
        "cccd": "079190" + f"{rand.randrange(10**6):06d}",  # HCM, 1990s female, born 1990
        "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "1990-05-01",
        "phone": "09" + f"{rand.randrange(10**8):08d}",
        "email": f"hoa{rand.randrange(10**6)}@example.vn",
    }


def test_citizen_and_officer_journey(platform, browser, artifacts):
    started = time.monotonic()
    base = platform.base_url
    rec = Recorder(artifacts)
    messages = DevMessages(base)
    person = _citizen()
    phone_ctx = browser.new_context(viewport={"width": PHONE_WIDTH, "height": 780},
                                    locale="vi-VN", accept_downloads=True)
    page = phone_ctx.new_page()
    page.set_default_timeout(15000)
    problems = watch(page)

    # -- home, keyboard skip link, large text --------------------------------------------------
    page.goto(base + "/")
    expect(page.locator("h1")).to_have_text("Dịch vụ công trực tuyến")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    rec.shot(page, "home", audit=True)
    rec.no_horizontal_scroll(page, "home")
    page.get_by_role("button", name="Chữ to").click()
    expect(page.locator("body")).to_have_class("text-large")
    expect(page.get_by_role("button", name="Chữ to")).to_have_attribute("aria-pressed", "true")
    rec.shot(page, "home-large-text")
    page.get_by_role("button", name="Chữ to").click()
    expect(page.locator("body")).not_to_have_class("text-large")

    # -- without JavaScript: searching, reading a procedure, large text still work ------------
    plain = browser.new_context(java_script_enabled=False, viewport={"width": PHONE_WIDTH,
                                                                     "height": 780})
    no_js = plain.new_page()
    no_js.goto(f"{base}/thu-tuc?q=khai+sinh")
    expect(no_js.locator(".result-list a", has_text="đăng ký khai sinh").first).to_be_visible()
    no_js.get_by_role("button", name="Chữ to").click()
    expect(no_js.locator("body")).to_have_class("text-large")
    no_js.goto(f"{base}/tra-cuu?code=sai-ma")
    expect(no_js.locator("#f-code-error")).to_be_visible()
    rec.shot(no_js, "no-javascript-tracking-error")  # axe itself needs JavaScript
    plain.close()

    # -- register with an OTP ----------------------------------------------------------------
    page.goto(base + "/dang-ky")
    submit(page, "Gửi mã xác thực")  # empty form: errors next to each field
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-cccd-error")).to_be_visible()
    expect(page.locator("#f-cccd")).to_have_attribute("aria-invalid", "true")
    rec.shot(page, "register-errors", audit=True)
    for field in ("cccd", "full_name", "date_of_birth", "phone", "email"):
        page.fill(f"#f-{field}", person[field])
    page.fill("#f-password", PASSWORD)
    page.fill("#f-password_confirm", PASSWORD)
    rec.shot(page, "register-filled")
    submit(page, "Gửi mã xác thực")
    expect(page.locator("h1")).to_have_text("Nhập mã xác thực")
    assert not page.locator("text=/\\b\\d{6}\\b/").count(), "the OTP must never be on a page"
    rec.shot(page, "register-otp", audit=True)
    page.fill("#f-code", messages.new_code(person["phone"][1:]))
    submit(page, "Xác nhận")
    expect(page.locator(".notice--success")).to_contain_text("Đăng ký tài khoản thành công")

    # -- sign in with password + OTP, with the keyboard only ---------------------------------
    rec.shot(page, "login", audit=True)
    page.keyboard.press("Tab")  # the skip link comes first
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # first stop inside the main content
    expect(page.locator("#f-username")).to_be_focused()
    outline = page.eval_on_selector("#f-username", "e => getComputedStyle(e).outlineStyle")
    assert outline != "none", "keyboard focus must be visible"
    page.keyboard.type(person["cccd"])
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_load_state("domcontentloaded")
    expect(page.locator("h1")).to_have_text("Nhập mã xác thực")
    rec.shot(page, "login-otp")
    page.fill("#f-code", messages.new_code(person["phone"][1:]))
    submit(page, "Đăng nhập")
    expect(page.locator(".notice--success")).to_contain_text("Đăng nhập thành công")
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")
    expect(page.locator(".empty")).to_contain_text("Bạn chưa có hồ sơ nào")
    rec.shot(page, "my-dossiers-empty", audit=True)
    cookie = next(c for c in phone_ctx.cookies() if c["name"] == "motcua_portal")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    assert "access" not in page.content() and "eyJ" not in page.content()

    # -- profile: consent to autofill --------------------------------------------------------
    page.goto(base + "/tai-khoan")
    page.check("#f-agree")
    submit(page, "Ghi nhận đồng ý")
    expect(page.locator(".notice--success")).to_contain_text("đồng ý cho tự động điền")
    rec.shot(page, "profile-consent", audit=True)

    # -- search without accents, open the procedure -------------------------------------------
    page.goto(base + "/")
    page.fill("#f-q", "dang ky khai sinh")
    page.keyboard.press("Enter")
    page.wait_for_load_state("domcontentloaded")
    result = page.locator(".result-list a", has_text="Thủ tục đăng ký khai sinh").first
    expect(result).to_be_visible()
    rec.shot(page, "search-results", audit=True)
    rec.no_horizontal_scroll(page, "search")
    result.click()
    expect(page.locator("h1")).to_have_text("Thủ tục đăng ký khai sinh")
    assert page.url.endswith(f"/thu-tuc/{PROCEDURE}")
    expect(page.locator("#h-thanh-phan")).to_be_visible()
    expect(page.locator("#h-can-cu")).to_be_visible()
    template = page.locator("a[download]", has_text="Tải mẫu").first
    with page.expect_download() as template_download:
        template.click()
    assert template_download.value.suggested_filename.endswith(".docx")
    rec.shot(page, "procedure", audit=True)
    rec.no_horizontal_scroll(page, "procedure")

    # -- start: choose the agency --------------------------------------------------------------
    page.get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    page.check(f"input[name='agency_code'][value='{AGENCY}']")
    rec.shot(page, "dossier-start", audit=True)
    submit(page, "Bắt đầu")

    # -- step 1: e-form, prefilled from the profile -------------------------------------------
    expect(page.locator("h1")).to_have_text("Điền tờ khai")
    expect(page.locator(".steps [aria-current='step']")).to_contain_text("Điền tờ khai")
    expect(page.locator("#f-applicant-full_name")).to_have_value(person["full_name"])
    expect(page.locator("#f-form-ho_ten")).to_have_value(person["full_name"])
    expect(page.locator("#f-form-so_dinh_danh")).to_have_value(person["cccd"])
    expect(page.locator("#f-form-dien_thoai")).to_have_value(person["phone"])  # 0…, not +84…
    # the applicant's identity is the verified account's: shown, read-only (issue 20, 1)
    for selector, value in (("#f-applicant-cccd", person["cccd"]),
                            ("#f-applicant-date_of_birth", person["date_of_birth"]),
                            ("#f-form-ngay_sinh", person["date_of_birth"]),
                            ("#f-form-so_dinh_danh", person["cccd"])):
        expect(page.locator(selector)).to_have_value(value)
        expect(page.locator(selector)).not_to_be_editable()
    rec.shot(page, "eform-prefilled", audit=True)
    submit(page, "Lưu và tiếp tục")  # required fields still empty: errors on their fields
    expect(page.locator(".error-summary")).to_be_visible()
    expect(page.locator("#f-form-tre_ho_ten-error")).to_be_visible()
    rec.shot(page, "eform-errors", audit=True)
    newborn = (date.today() - timedelta(days=8)).isoformat()
    fill = {
        "#f-applicant-phone": person["phone"], "#f-form-dien_thoai": person["phone"],
        "#f-form-noi_cu_tru": "12 Lê Lợi, phường Sài Gòn, TP. Hồ Chí Minh",
        "#f-form-tre_ho_ten": "Nguyễn Minh An", "#f-form-tre_ngay_sinh": newborn,
        "#f-form-tre_noi_sinh": "Bệnh viện Từ Dũ", "#f-form-tre_dan_toc": "Kinh",
        "#f-form-tre_quoc_tich": "Việt Nam", "#f-form-tre_que_quan": "Hà Nội",
        "#f-form-me_ho_ten": person["full_name"],
    }
    for selector, value in fill.items():
        page.fill(selector, value)
    page.select_option("#f-form-quan_he", "me")
    page.check("input[name='form.tre_gioi_tinh'][value='nam']")
    page.check("input[name='form.hinh_thuc_nhan'][value='truc_tiep']")
    page.check("input[name='applicant.return_method'][value='counter']")
    page.check("#f-form-cam_doan")
    submit(page, "Lưu và tiếp tục")

    # -- step 2: one real PDF per required document --------------------------------------------
    expect(page.locator("h1")).to_have_text("Đính kèm giấy tờ")
    rec.shot(page, "documents-empty", audit=True)
    required = page.locator("li.component", has=page.locator("strong.required"))
    codes = [required.nth(i).get_attribute("id")[2:] for i in range(required.count())]
    assert codes, "the procedure has required documents"
    for code in codes:
        item = page.locator(f"#c-{code}")
        item.locator("input[type=file]").set_input_files(
            {"name": f"{code}.pdf", "mimeType": "application/pdf",
             "buffer": tiny_pdf(f"motcua e2e {code}")})
        item.get_by_role("button", name="Tải lên").click()
        page.wait_for_load_state("domcontentloaded")
        expect(page.locator(f"#c-{code} .status-ok")).to_be_visible()
    rec.shot(page, "documents-uploaded", audit=True)
    rec.no_horizontal_scroll(page, "documents")
    page.get_by_role("link", name="Tiếp tục: kiểm tra hồ sơ").click()

    # -- step 3: review, submit -----------------------------------------------------------------
    expect(page.locator("h1")).to_have_text("Kiểm tra lại trước khi nộp")
    expect(page.locator(".checklist li.missing")).to_have_count(0)
    rec.shot(page, "review", audit=True)
    submit(page, "Nộp hồ sơ")
    expect(page.locator("h1")).to_have_text("Đã nộp hồ sơ thành công")
    code = page.locator("#ma-ho-so").inner_text().strip()
    assert code.startswith(f"{AGENCY}-"), code
    rec.shot(page, "submitted", audit=True)
    with page.expect_download() as receipt_download:
        page.get_by_role("link", name="Tải giấy tiếp nhận (PDF)").click()
    receipt = receipt_download.value
    receipt.save_as(str(artifacts / "giay-tiep-nhan.pdf"))
    assert (artifacts / "giay-tiep-nhan.pdf").read_bytes().startswith(b"%PDF")
    page.get_by_role("link", name="Xem hồ sơ và tiến trình").click()
    dossier_url = page.url
    expect(page.locator(".facts .tag").first).to_have_text("Mới đăng ký")
    rec.shot(page, "dossier-submitted", audit=True)

    # -- track by code (the read model follows events: allow it a moment) --------------------
    def tracked(label: str):
        page.goto(f"{base}/tra-cuu?code={code}")
        return page.locator(".result .tag").first.inner_text() == label if \
            page.locator(".result .tag").count() else False
    wait_until(lambda: tracked("Mới đăng ký"), 20, message=f"tracking never showed {code}")
    rec.shot(page, "tracking", audit=True)
    rec.no_horizontal_scroll(page, "tracking")

    # -- an officer of the agency, with an authenticator (TOTP) ---------------------------------
    admin = create_admin(platform)
    admin_token, admin_totp = api_sign_in(base, admin["email"], admin["password"])
    officer = create_officer(base, admin_token)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN",
                               accept_downloads=True)
    staff = desk.new_page()
    problems += watch(staff)
    staff.set_default_timeout(15000)
    sign_in_with_totp(staff, rec, base, officer, "officer")
    expect(staff.locator("h1")).to_have_text("Hồ sơ của cơ quan")
    staff.get_by_role("link", name="Mới đăng ký").first.click()
    row = staff.locator("tr", has_text=code)
    expect(row).to_be_visible()
    rec.shot(staff, "officer-queue", audit=True)
    row.get_by_role("link", name=code).click()
    expect(staff.locator("h1")).to_have_text(f"Hồ sơ {code}")
    expect(staff.locator("#h-giay-to ~ ul.files a")).to_have_count(len(codes))
    rec.shot(staff, "officer-dossier", audit=True)

    # -- a supplement round: the officer asks for a clearer document, the citizen sends it ----
    staff.get_by_role("link", name="Yêu cầu bổ sung giấy tờ", exact=True).click()
    submit(staff, "Gửi yêu cầu bổ sung")  # nothing filled: errors on both fields
    expect(staff.locator("#f-missing_items-error")).to_be_visible()
    expect(staff.locator("#f-reason-error")).to_be_visible()
    staff.fill("#f-missing_items", "Giấy chứng sinh (bản chụp rõ nét hơn)")
    staff.fill("#f-reason", "Bản chụp giấy chứng sinh bị mờ, không đọc được.")
    rec.shot(staff, "officer-request-supplement", audit=True)
    submit(staff, "Gửi yêu cầu bổ sung")
    expect(staff.locator(".notice--success")).to_contain_text("Yêu cầu bổ sung giấy tờ")
    citizen_sees(page, rec, dossier_url, "Yêu cầu bổ sung giấy tờ", "citizen-supplement")
    expect(page.locator(".panel--warning")).to_contain_text("bản chụp rõ nét hơn")
    page.get_by_role("link", name="Bổ sung giấy tờ").click()
    birth = page.locator("#c-tp-4")
    birth.locator("input[type=file]").set_input_files(
        {"name": "giay-chung-sinh-ro.pdf", "mimeType": "application/pdf",
         "buffer": tiny_pdf("Giay chung sinh - ban ro")})
    birth.get_by_role("button", name="Tải lên").click()
    expect(page.locator("#c-tp-4 .files")).to_contain_text("giay-chung-sinh-ro.pdf")
    page.get_by_role("link", name="Tiếp tục: kiểm tra hồ sơ").click()
    submit(page, "Gửi bổ sung hồ sơ")
    expect(page.locator(".notice--success")).to_contain_text("Đã gửi bổ sung")
    expect(page.locator(".facts .tag").first).to_have_text("Mới đăng ký")
    rec.shot(page, "citizen-supplemented")
    staff.reload()

    steps = [  # action link, inputs, button, citizen sees
        ("Tiếp nhận hồ sơ", {}, "Tiếp nhận", "Được tiếp nhận"),
        ("Bắt đầu xử lý", {}, "Bắt đầu xử lý", "Đang xử lý"),
        ("Yêu cầu nộp phí, lệ phí", {"#f-amount": "8.000", "#f-note": "Phí cấp 1 bản sao."},
         "Gửi yêu cầu nộp phí", "Yêu cầu thực hiện nghĩa vụ tài chính"),
        ("Ghi nhận đã nộp phí, lệ phí", {"#f-receipt_number": "BL-2026-000125"},
         "Ghi nhận đã nộp", "Đang xử lý"),
        ("Hoàn thành xử lý", {"#f-result": "Đã cấp Giấy khai sinh số 125/2026."},
         "Hoàn thành", "Đã xử lý xong"),
        ("Trả kết quả", {"radio": "counter"}, "Xác nhận đã trả kết quả", "Đã trả kết quả"),
    ]
    for index, (link, inputs, button, label) in enumerate(steps, start=1):
        staff.get_by_role("link", name=link, exact=True).click()
        expect(staff.locator("h1")).to_have_text(link)
        for selector, value in inputs.items():
            if selector == "radio":
                staff.check(f"input[name='return_method'][value='{value}']")
            else:
                staff.fill(selector, value)
        if link == "Hoàn thành xử lý":
            staff.set_input_files("#f-result_file", {
                "name": "ket-qua.pdf", "mimeType": "application/pdf",
                "buffer": tiny_pdf("Giay khai sinh 125/2026")})
        rec.shot(staff, f"officer-action-{index}", audit=index in (1, 3, 5))
        submit(staff, button)
        expect(staff.locator(".notice--success")).to_contain_text(label)
        citizen_sees(page, rec, dossier_url, label, f"citizen-sees-{index}")
    # 9 status changes + the document added during the supplement (a recorded change)
    expect(page.locator(".timeline__status")).to_have_count(10)
    expect(page.locator(".timeline__status", has_text="Công dân bổ sung hồ sơ")).to_have_count(1)
    expect(page.locator("text=Đã cấp Giấy khai sinh số 125/2026.").first).to_be_visible()
    rec.shot(page, "citizen-returned", audit=True)
    rec.no_horizontal_scroll(page, "dossier")
    wait_until(lambda: tracked("Đã trả kết quả"), 20, message="tracking never showed 'returned'")
    rec.shot(page, "tracking-returned")

    # -- the citizen's inbox has the notices ---------------------------------------------------
    def notices() -> bool:
        page.goto(base + "/thong-bao")
        return page.locator(".inbox li").count() >= 2
    wait_until(notices, 20, message="no notification reached the citizen's inbox")
    rec.shot(page, "inbox", audit=True)
    page.get_by_role("button", name="Đánh dấu tất cả là đã đọc").click()
    expect(page.locator(".inbox li.unread")).to_have_count(0)

    # -- the citizen's right of access: everything identity keeps, as a file -----------------
    page.goto(base + "/tai-khoan")
    with page.expect_download() as export:
        page.get_by_role("link", name="Tải về dữ liệu cá nhân").click()
    exported = json.loads(Path(export.value.path()).read_text())
    assert exported["profile"]["full_name"] == person["full_name"]

    # -- the officer's queue filters and the statistics -----------------------------------------
    staff.goto(base + "/can-bo?qua_han=1")
    rec.shot(staff, "officer-overdue", audit=True)
    staff.goto(base + "/thong-ke")
    rec.shot(staff, "officer-statistics")

    admin_desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    boss = admin_desk.new_page()
    boss.set_default_timeout(15000)
    sign_in_with_totp(boss, rec, base, admin, "admin", admin_totp)
    expect(boss.locator("h1")).to_have_text("Thống kê giải quyết hồ sơ đúng hạn")

    def counted() -> bool:
        boss.goto(base + "/thong-ke")
        row = boss.locator("table.stats tbody tr", has_text="Ủy ban nhân dân")
        return row.count() > 0 and "100,0%" in row.first.inner_text()
    wait_until(counted, 20, message="statistics never counted the returned dossier on time")
    rec.shot(boss, "admin-statistics", audit=True)

    for context in (phone_ctx, desk, admin_desk):
        context.close()
    assert not rec.violations, f"axe-core: serious or critical violations: {rec.violations}"
    assert not problems, f"refused by the CSP or missing page resources: {problems}"
    assert time.monotonic() - started < 170, "the journey should stay under three minutes"
