"""Helpers for the browser journey: small real PDFs, OTPs from the dev messages, TOTP codes,
screenshots and the axe-core audit."""
from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pyotp
import requests
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

from servicekit.testing import wait_until

BLOCKING_IMPACTS = ("serious", "critical")


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
    """A numbered screenshot of every page and an axe-core audit of the main ones."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.count = 0
        self.axe = Axe()
        self.violations: dict[str, list[dict]] = {}

    def shot(self, page: Page, name: str, audit: bool = False) -> None:
        self.count += 1
        page.screenshot(path=str(self.directory / f"{self.count:02d}-{name}.png"), full_page=True)
        if audit:
            self.audit(page, name)

    def audit(self, page: Page, name: str) -> None:
        results = self.axe.run(page)
        blocking = [v for v in results.response["violations"]
                    if v.get("impact") in BLOCKING_IMPACTS]
        (self.directory / f"axe-{name}.json").write_text(
            json.dumps(results.response["violations"], ensure_ascii=False, indent=1))
        if blocking:
            self.violations[f"{name} ({page.url})"] = [
                {"id": v["id"], "impact": v["impact"], "help": v["help"],
                 "nodes": [n["target"] for n in v["nodes"]][:5]} for v in blocking]

    def no_horizontal_scroll(self, page: Page, name: str) -> None:
        width = page.evaluate("document.documentElement.scrollWidth")
        viewport = page.viewport_size["width"]
        assert width <= viewport, f"{name}: page is {width}px wide on a {viewport}px screen"
