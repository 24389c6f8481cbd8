"""Helpers for the browser tests: small real PDFs, OTPs from the dev messages, TOTP codes,
screenshots and the axe-core audit, staff accounts (admin by identity's CLI, officers by the
API) and signing in through the portal's pages."""
from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pyotp
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from servicekit.testing import wait_until

ROOT = Path(__file__).resolve().parents[2]
BLOCKING_IMPACTS = ("serious", "critical")
PROCEDURE = "1.001193"  # Đăng ký khai sinh
AGENCY = "000.00.21.H29"  # a commune of Hồ Chí Minh City that performs it
PROVINCE = "79"
PASSWORD = "Hoa-sen-no-mua-he-2026"


def tiny_pdf(title: str) -> bytes:
    """A valid one-page PDF (correct xref offsets) showing ``title`` (ASCII)."""
    text = title.encode("ascii", "replace").replace(b"(", b"[").replace(b")", b"]")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n"
            "%%EOF\n").encode()
    return bytes(out)


class DevMessages:
    """OTP codes as the development SMS/email providers delivered them (never from a page)."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/api/notify/dev/messages"
        self.seen: set[tuple[str, str]] = set()

    def _messages(self) -> list[dict]:
        response = requests.get(self.url, timeout=5)
        assert response.status_code == 200, f"dev messages: {response.status_code}"
        return response.json()["messages"]

    def new_code(self, destination_digits: str, timeout: float = 20.0) -> str:
        """The 6-digit code of the newest unseen message to a phone/email ending so."""
        def find():
            for message in self._messages():  # newest first
                key = (message["to"], message["sent_at"])
                if key in self.seen or not message["to"].endswith(destination_digits):
                    continue
                found = re.search(r"\b(\d{6})\b", message["body"])
                if found:
                    self.seen.add(key)
                    return found.group(1)
            return None
        return wait_until(find, timeout, message=f"no OTP message to …{destination_digits} within "
                        f"{timeout:.0f}s: identity's outbox relay must publish "
                        "identity.otp_requested and notify's worker deliver it")

    def mark_all_seen(self) -> None:
        self.seen |= {(m["to"], m["sent_at"]) for m in self._messages()}


class Totp:
    """Codes from an authenticator secret; never the same time step twice (replay refused)."""

    def __init__(self, secret: str) -> None:
        self.totp = pyotp.TOTP(secret)
        self.used: set[int] = set()

    def code(self) -> str:
        step = int(time.time() // self.totp.interval)
        while step in self.used:
            time.sleep(0.5)
            step = int(time.time() // self.totp.interval)
        self.used.add(step)
        return self.totp.at(step * self.totp.interval)


class Recorder:
    """A numbered screenshot of every page and an axe-core audit of the main ones; ``prefix``
    keeps the screenshots of one test module apart from another's."""

    def __init__(self, directory: Path, prefix: str = "") -> None:
        self.directory = directory
        self.prefix = prefix
        self.count = 0
        self.axe = Axe()
        self.violations: dict[str, list[dict]] = {}

    def shot(self, page: Page, name: str, audit: bool = False) -> None:
        self.count += 1
        path = self.directory / f"{self.prefix}{self.count:02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if audit:
            self.audit(page, name)

    def audit(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        blocking = [v for v in results.response["violations"]
                    if v.get("impact") in BLOCKING_IMPACTS]
        (self.directory / f"axe-{self.prefix}{name}.json").write_text(
            json.dumps(results.response["violations"], ensure_ascii=False, indent=1))
        if blocking:
            self.violations[f"{name} ({page.url})"] = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]} for v in blocking]

    def no_horizontal_scroll(self, page: Page, name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.viewport_size["width"]
        assert width <= viewport, f"{name}: page is {width}px wide on a {viewport}px screen"


# -- pages ---------------------------------------------------------------------------------------

def submit(page: Page, label: str) -> None:
    page.get_by_role("button", name=label).first.click()
    page.wait_for_load_state("domcontentloaded")


def watch(page: Page) -> list[str]:
    """Collect what the CSP refused and any stylesheet, script or image that failed."""
    found: list[str] = []
    page.on("console", lambda m: found.append(m.text)
            if m.type == "error" and "Content Security Policy" in m.text else None)
    page.on("response", lambda r: found.append(f"{r.status} {r.url}")
            if r.status >= 400 and r.request.resource_type in ("stylesheet", "script", "image",
                                                              "font") else None)
    return found


def citizen_sees(page: Page, rec: Recorder, url: str, label: str, name: str) -> None:
    page.goto(url)
    expect(page.locator(".facts .tag").first).to_have_text(label)
    rec.shot(page, name)


# -- accounts and signing in ---------------------------------------------------------------------

def create_admin(platform) -> dict[str, str]:
    admin = {"email": f"quantri{random.randrange(10**6)}@example.vn", "password": PASSWORD}
    result = subprocess.run(
        [sys.executable, "-m", "identity.cli", "create-admin", "--email", admin["email"],
         "--full-name", "Trần Văn Quản Trị", "--password-stdin", "--another"],
        input=admin["password"] + "\n", env=platform.service_env(), capture_output=True,
        text=True, timeout=60, cwd=ROOT)
    assert result.returncode == 0, f"identity CLI create-admin failed: {result.stderr}"
    return admin


def api_sign_in(base: str, username: str, password: str) -> tuple[str, Totp]:
    """Sign an admin in through the API (first sign-in enrols TOTP)."""
    login = requests.post(f"{base}/api/identity/login",
                          json={"username": username, "password": password}, timeout=10)
    assert login.status_code == 200, login.text
    body = login.json()
    assert body["method"] == "totp_enrolment", body
    totp = Totp(body["totp"]["secret"])
    verify = requests.post(f"{base}/api/identity/login/verify",
                           json={"challenge_id": body["challenge_id"], "code": totp.code()},
                           timeout=10)
    assert verify.status_code == 200, verify.text
    return verify.json()["access_token"], totp


def create_officer(base: str, admin_token: str) -> dict[str, str]:
    email = f"canbo{random.randrange(10**6)}@example.vn"
    response = requests.post(
        f"{base}/api/identity/officers", headers={"Authorization": f"Bearer {admin_token}"},
        json={"full_name": "Lê Văn Cán Bộ", "email": email, "role": "officer",
              "agency": AGENCY, "province": PROVINCE}, timeout=10)
    assert response.status_code == 201, response.text
    return {"email": email, "password": response.json()["initial_password"]}


def sign_in_with_totp(page: Page, rec: Recorder, base: str, who: dict, name: str,
                      totp: Totp | None = None) -> Totp:
    page.goto(f"{base}/dang-nhap")
    page.fill("#f-username", who["email"])
    page.fill("#f-password", who["password"])
    submit(page, "Tiếp tục")
    if totp is None:  # first sign-in: the page shows the secret to enrol an authenticator
        expect(page.locator("h1")).to_have_text("Cài đặt ứng dụng xác thực")
        expect(page.locator("img[alt^='Mã QR']")).to_be_visible()
        totp = Totp(page.locator("#totp-secret").inner_text().strip())
        rec.shot(page, f"{name}-totp-enrolment", audit=True)
    else:
        expect(page.locator("h1")).to_have_text("Nhập mã xác thực")
    page.fill("#f-code", totp.code())
    submit(page, "Đăng nhập")
    if page.locator("h1", has_text="Lưu lại các mã khôi phục").count():
        rec.shot(page, f"{name}-recovery-codes")
        page.get_by_role("link", name="Tôi đã lưu, tiếp tục").click()
    return totp


def sign_in_with_otp(page: Page, base: str, username: str, password: str, phone: str,
                     messages: DevMessages) -> None:
    """A citizen signs in on the portal with a password and the code sent to their phone."""
    messages.mark_all_seen()  # codes sent before (e.g. an API sign-in) are not this one
    page.goto(f"{base}/dang-nhap")
    page.fill("#f-username", username)
    page.fill("#f-password", password)
    submit(page, "Tiếp tục")
    expect(page.locator("h1")).to_have_text("Nhập mã xác thực")
    page.fill("#f-code", messages.new_code(phone[1:]))
    submit(page, "Đăng nhập")
    expect(page.locator(".notice--success")).to_contain_text("Đăng nhập thành công")
