"""The other ways a dossier ends or moves, in a real browser (Debian Chromium, headless), on one
platform for the module: an officer extends the due date (the citizen sees the new date and
downloads the apology letter), refuses to accept (not_accept) or stops processing, each with a
reason the citizen reads; a citizen withdraws a submitted dossier and the officer sees it.

Citizens and dossiers are prepared through the API (infra/local/journeys.py); what is under
test is done on the portal's pages. Screenshots go to test-artifacts/e2e/outcomes-*.png; the
action pages pass an axe-core audit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from e2e_support import (
    AGENCY,
    PROCEDURE,
    DevMessages,
    Recorder,
    api_sign_in,
    citizen_sees,
    create_admin,
    create_officer,
    sign_in_with_otp,
    sign_in_with_totp,
    submit,
    watch,
)
from playwright.sync_api import Page, expect

from infra.local import journeys

VN = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass
class Desks:
    """A signed-in citizen (browser and API) and a signed-in officer of the agency (browser)."""
    base: str
    person: journeys.Person
    api: journeys.Api
    citizen: Page
    officer: Page
    rec: Recorder
    problems: list[list[str]]

    def submitted(self) -> dict:
        return journeys.submit_dossier(self.api, self.person, PROCEDURE, AGENCY)

    def citizen_url(self, dossier: dict) -> str:
        return f"{self.base}/ho-so/{dossier['id']}"

    def open_for_officer(self, dossier: dict) -> None:
        self.officer.goto(f"{self.base}/can-bo/ho-so/{dossier['id']}")
        expect(self.officer.locator("h1")).to_have_text(f"Hồ sơ {dossier['code']}")

    def officer_does(self, link: str, button: str, label: str, fill: dict[str, str] | None = None,
                     shot: str | None = None) -> None:
        """On the officer's dossier page: open an action, fill it, submit, see the new status."""
        self.officer.get_by_role("link", name=link, exact=True).click()
        expect(self.officer.locator("h1")).to_have_text(link)
        for selector, value in (fill or {}).items():
            self.officer.fill(selector, value)
        if shot:
            self.rec.shot(self.officer, shot, audit=True)
        self.officer.get_by_role("button", name=button, exact=True).click()
        self.officer.wait_for_load_state("domcontentloaded")
        expect(self.officer.locator(".notice--success")).to_contain_text(
            f"Trạng thái mới: {label}")
        expect(self.officer.locator(".facts .tag").first).to_have_text(label)

    def refuses_empty_reason(self, link: str, button: str) -> None:
        """The reason is required: submitting without one shows the error on its field."""
        self.officer.get_by_role("link", name=link, exact=True).click()
        expect(self.officer.locator(".notice--warning")).to_contain_text("không thể hoàn tác")
        self.officer.get_by_role("button", name=button, exact=True).click()
        self.officer.wait_for_load_state("domcontentloaded")
        expect(self.officer.locator("#f-reason-error")).to_be_visible()
        self.officer.get_by_role("link", name="Hủy, quay lại hồ sơ").click()

    def assert_clean(self) -> None:
        assert not self.rec.violations, (
            f"axe-core: serious or critical violations: {self.rec.violations}")
        found = [problem for page in self.problems for problem in page]
        assert not found, f"refused by the CSP or missing page resources: {found}"


@pytest.fixture(scope="module")
def desks(module_platform, browser, artifacts):
    base = module_platform.base_url
    rec = Recorder(artifacts, prefix="outcomes-")
    person, citizen_api = journeys.citizen(journeys.Api(base))
    admin = create_admin(module_platform)
    admin_token, _ = api_sign_in(base, admin["email"], admin["password"])
    officer = create_officer(base, admin_token)

    phone = browser.new_context(viewport={"width": 360, "height": 780}, locale="vi-VN",
                                accept_downloads=True)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    citizen, staff = phone.new_page(), desk.new_page()
    for page in (citizen, staff):
        page.set_default_timeout(15000)
    problems = [watch(citizen), watch(staff)]  # filled by each page's listeners
    sign_in_with_otp(citizen, base, person.cccd, person.password, person.phone,
                     DevMessages(base))
    sign_in_with_totp(staff, rec, base, officer, "officer")
    expect(staff.locator("h1")).to_have_text("Hồ sơ của cơ quan")
    yield Desks(base, person, citizen_api, citizen, staff, rec, problems)
    phone.close()
    desk.close()


def _later_working_day(due_at: str, days: int = 7) -> date:
    """A working day (no weekend, no public holiday) ``days`` or more after the due date."""
    day = datetime.fromisoformat(due_at.replace("Z", "+00:00")).astimezone(VN).date()
    day += timedelta(days=days)
    off = holidays.Vietnam(years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in off:
        day += timedelta(days=1)
    return day


def _due_date(page: Page):
    return page.locator(".facts div", has_text="Ngày hẹn trả kết quả").locator("dd")


def test_officer_extends_the_due_date_and_the_citizen_gets_the_apology(desks: Desks):
    dossier = desks.submitted()
    desks.open_for_officer(dossier)
    desks.officer_does("Tiếp nhận hồ sơ", "Tiếp nhận", "Được tiếp nhận")
    due_at = desks.api.json("GET", f"/api/submission/dossiers/{dossier['id']}")["due_at"]
    new_due = _later_working_day(due_at)
    reason = "Cần xác minh thêm thông tin nơi sinh với bệnh viện."

    desks.officer.get_by_role("link", name="Gia hạn ngày hẹn trả", exact=True).click()
    submit(desks.officer, "Gia hạn")  # nothing filled: errors on both fields
    expect(desks.officer.locator("#f-new_due_at-error")).to_be_visible()
    expect(desks.officer.locator("#f-reason-error")).to_be_visible()
    desks.officer.get_by_role("link", name="Hủy, quay lại hồ sơ").click()
    desks.officer_does("Gia hạn ngày hẹn trả", "Gia hạn", "Được tiếp nhận",
                       {"#f-new_due_at": new_due.isoformat(), "#f-reason": reason},
                       shot="officer-extend")
    shown = f"ngày {new_due:%d/%m/%Y}"
    expect(_due_date(desks.officer)).to_contain_text(shown)

    citizen = desks.citizen
    citizen_sees(citizen, desks.rec, desks.citizen_url(dossier), "Được tiếp nhận",
                 "citizen-extended")
    expect(_due_date(citizen)).to_contain_text(shown)
    expect(citizen.locator("main")).to_contain_text("Ngày hẹn đã được gia hạn tới")
    expect(citizen.locator(".timeline")).to_contain_text(f"Lý do, ghi chú: {reason}")
    expect(citizen.locator(".timeline")).to_contain_text("Ngày hẹn trả mới: ")
    letter = citizen.get_by_role("link", name="Tải phiếu xin lỗi và hẹn lại ngày trả (PDF)")
    expect(letter).to_have_count(1)
    with citizen.expect_download() as download:
        letter.click()
    name = download.value.suggested_filename
    assert name.startswith("phieu-xin-loi") and name.endswith(".pdf"), name
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    pdf = citizen.request.get(desks.base + letter.get_attribute("href"))
    assert pdf.status == 200, pdf.status
    assert pdf.headers["content-type"].startswith("application/pdf"), pdf.headers
    assert pdf.body().startswith(b"%PDF")
    desks.rec.audit(citizen, "citizen-extended")
    desks.assert_clean()


def test_officer_refuses_to_accept_with_a_reason_the_citizen_reads(desks: Desks):
    dossier = desks.submitted()
    reason = "Thủ tục này thuộc thẩm quyền của UBND nơi cư trú của người mẹ."
    desks.open_for_officer(dossier)
    desks.refuses_empty_reason("Từ chối tiếp nhận", "Từ chối tiếp nhận")
    desks.officer_does("Từ chối tiếp nhận", "Từ chối tiếp nhận", "Không được tiếp nhận",
                       {"#f-reason": reason}, shot="officer-not-accept")
    expect(desks.officer.locator("#h-thao-tac ~ p").first).to_have_text(
        "Hồ sơ đã kết thúc, không còn thao tác nào.")

    citizen = desks.citizen
    citizen_sees(citizen, desks.rec, desks.citizen_url(dossier), "Không được tiếp nhận",
                 "citizen-not-accepted")
    expect(citizen.locator(".timeline")).to_contain_text(f"Lý do, ghi chú: {reason}")
    expect(citizen.get_by_role("link", name="Tôi muốn rút hồ sơ này")).to_have_count(0)
    desks.assert_clean()


def test_officer_stops_processing_with_a_reason_the_citizen_reads(desks: Desks):
    dossier = desks.submitted()
    reason = "Người nộp đề nghị dừng để nộp lại tại nơi đăng ký thường trú."
    desks.open_for_officer(dossier)
    desks.officer_does("Tiếp nhận hồ sơ", "Tiếp nhận", "Được tiếp nhận")
    desks.officer_does("Bắt đầu xử lý", "Bắt đầu xử lý", "Đang xử lý")
    desks.refuses_empty_reason("Dừng xử lý", "Dừng xử lý")
    desks.officer_does("Dừng xử lý", "Dừng xử lý", "Dừng xử lý", {"#f-reason": reason},
                       shot="officer-stop")
    expect(desks.officer.locator("#h-thao-tac ~ p").first).to_have_text(
        "Hồ sơ đã kết thúc, không còn thao tác nào.")

    citizen = desks.citizen
    citizen_sees(citizen, desks.rec, desks.citizen_url(dossier), "Dừng xử lý", "citizen-stopped")
    expect(citizen.locator(".timeline")).to_contain_text(f"Lý do, ghi chú: {reason}")
    expect(citizen.get_by_role("link", name="Tôi muốn rút hồ sơ này")).to_have_count(0)
    desks.assert_clean()


def test_citizen_withdraws_a_submitted_dossier_and_the_officer_sees_it(desks: Desks):
    dossier = desks.submitted()
    reason = "Tôi sẽ nộp hồ sơ trực tiếp tại bộ phận một cửa."
    citizen = desks.citizen
    citizen.goto(desks.citizen_url(dossier))
    expect(citizen.locator(".facts .tag").first).to_have_text("Mới đăng ký")
    citizen.get_by_role("link", name="Tôi muốn rút hồ sơ này").click()
    expect(citizen.locator("h1")).to_have_text(f"Rút hồ sơ {dossier['code']}")
    submit(citizen, "Rút hồ sơ")  # not confirmed: the error sits on the checkbox
    expect(citizen.locator("#f-confirm-error")).to_be_visible()
    citizen.fill("#f-reason", reason)
    citizen.check("#f-confirm")
    desks.rec.shot(citizen, "citizen-withdraw", audit=True)
    desks.rec.no_horizontal_scroll(citizen, "withdraw")
    submit(citizen, "Rút hồ sơ")
    expect(citizen.locator(".notice--success")).to_contain_text("Đã rút hồ sơ.")
    expect(citizen.locator(".facts .tag").first).to_have_text("Công dân yêu cầu rút hồ sơ")
    expect(citizen.locator(".timeline")).to_contain_text(f"Lý do, ghi chú: {reason}")
    expect(citizen.get_by_role("link", name="Tôi muốn rút hồ sơ này")).to_have_count(0)
    desks.rec.shot(citizen, "citizen-withdrawn")

    officer = desks.officer
    officer.goto(f"{desks.base}/can-bo?trang_thai=withdrawn")
    row = officer.locator("tr", has_text=dossier["code"])
    expect(row).to_contain_text("Công dân yêu cầu rút hồ sơ")
    row.get_by_role("link", name=dossier["code"]).click()
    expect(officer.locator(".facts .tag").first).to_have_text("Công dân yêu cầu rút hồ sơ")
    expect(officer.locator(".timeline")).to_contain_text(f"Lý do, ghi chú: {reason}")
    expect(officer.locator("ul.action-list")).to_have_count(0)
    desks.rec.shot(officer, "officer-withdrawn")
    desks.assert_clean()
