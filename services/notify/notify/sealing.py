"""Encrypt the clear content of secret-bearing notifications (OTP) while they may be retried.

The stored notification keeps a masked body; the clear subject/text/html needed for a retry
is sealed with a key from settings and erased once the notification is final.
"""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken

from notify.domain.templates import RenderedMessage


class SealError(RuntimeError):
    """A sealed value cannot be opened (wrong key or expired)."""


class Sealer:
    def __init__(self, secret: str, max_age_seconds: int = 3600):
        key = base64.urlsafe_b64encode(hashlib.sha256(secret.encode()).digest())
        self._fernet = Fernet(key)
        self.max_age = max_age_seconds

    def seal(self, message: RenderedMessage) -> str:
        raw = json.dumps({"s": message.subject, "t": message.text, "h": message.html})
        return self._fernet.encrypt(raw.encode()).decode()

    def open(self, token: str) -> RenderedMessage:
        try:
            raw = self._fernet.decrypt(token.encode(), ttl=self.max_age)
        except InvalidToken as exc:
            raise SealError("không mở được nội dung đã mã hóa") from exc
        data = json.loads(raw)
        return RenderedMessage(subject=data["s"], text=data["t"], html=data["h"])
