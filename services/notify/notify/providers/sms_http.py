"""SMS through an HTTP gateway: URL, API key and JSON payload shape come from settings.

The payload template is JSON whose string values may use ``$to``, ``$text``, ``$sender``,
``$reference`` and ``$unicode`` (``1`` when the text needs UCS-2, else ``0``), e.g.
``{"Phone": "$to", "Content": "$text", "Brandname": "$sender", "IsUnicode": "$unicode"}``.
Values are substituted into the parsed structure, never into raw JSON, so a message cannot
break out of its field.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from typing import Any

import requests

from notify.domain.sms import is_gsm7
from notify.providers.base import (
    OutgoingMessage,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)

DEFAULT_PAYLOAD = '{"to": "$to", "text": "$text", "sender": "$sender", "reference": "$reference"}'
RETRYABLE_STATUS = frozenset({408, 425, 429})


@dataclass(frozen=True)
class HttpSmsSettings:
    url: str
    api_key: str = ""
    api_key_header: str = "Authorization"
    api_key_prefix: str = "Bearer "
    payload_template: str = DEFAULT_PAYLOAD
    sender: str = "MOTCUA"
    connect_timeout: float = 3.0
    read_timeout: float = 10.0
    reference_field: str = "id"  # where the gateway's message id is in its JSON answer
    name: str = "sms_http"


def fill_payload(template: Any, values: dict[str, str]) -> Any:
    """Substitute ``values`` into every string of a parsed JSON structure."""
    if isinstance(template, str):
        return string.Template(template).safe_substitute(values)
    if isinstance(template, list):
        return [fill_payload(item, values) for item in template]
    if isinstance(template, dict):
        return {key: fill_payload(value, values) for key, value in template.items()}
    return template


class HttpSmsProvider:
    def __init__(self, settings: HttpSmsSettings, session: requests.Session | None = None):
        self.settings = settings
        self.name = settings.name
        self.session = session or requests.Session()
        self._template = json.loads(settings.payload_template)

    def payload(self, message: OutgoingMessage) -> Any:
        return fill_payload(
            self._template,
            {
                "to": message.to,
                "text": message.text,
                "sender": self.settings.sender,
                "reference": message.reference,
                "unicode": "0" if is_gsm7(message.text) else "1",
            },
        )

    def send(self, message: OutgoingMessage) -> str:
        s = self.settings
        headers = {"Content-Type": "application/json"}
        if s.api_key:
            headers[s.api_key_header] = f"{s.api_key_prefix}{s.api_key}"
        try:
            response = self.session.post(
                s.url,
                json=self.payload(message),
                headers=headers,
                timeout=(s.connect_timeout, s.read_timeout),
            )
        except requests.RequestException as exc:
            raise TemporaryDeliveryError(
                f"cổng SMS không phản hồi: {type(exc).__name__}", provider=self.name
            ) from exc
        status = response.status_code
        if status >= 500 or status in RETRYABLE_STATUS:
            raise TemporaryDeliveryError(f"cổng SMS trả lời HTTP {status}", provider=self.name)
        if status >= 400:
            raise PermanentDeliveryError(f"cổng SMS từ chối: HTTP {status}", provider=self.name)
        try:
            answer = response.json()
        except ValueError:
            return ""
        return str(answer.get(s.reference_field, "")) if isinstance(answer, dict) else ""
