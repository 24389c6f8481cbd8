"""What the gateway attack tests share: requests sent byte for byte as written (``requests``
and browsers normalise paths, attackers do not), and the metrics token of the local stack."""
from __future__ import annotations

import dataclasses
import http.client
from dataclasses import dataclass
from urllib.parse import urlsplit

from servicekit.config import ServiceSettings

SERVICES = ("identity", "catalog", "submission", "tracking", "notify")
# What every Prometheus exposition carries; never in an answer to an outsider.
METRICS_MARKERS = ("http_requests_total", "# HELP", "# TYPE")
# What `make run` and the test stacks use (the setting's development default).
DEV_METRICS_TOKEN = next((field.default for field in dataclasses.fields(ServiceSettings)
                          if field.metadata.get("env") == "METRICS_TOKEN"), None)


@dataclass
class RawResponse:
    status_code: int
    headers: dict[str, str]
    text: str

    def json(self):
        import json

        return json.loads(self.text)


def raw_request(base_url: str, method: str, path: str, *, headers: dict | None = None,
                body: bytes | None = None, timeout: float = 15) -> RawResponse:
    """Send ``path`` exactly as given (no dot-segment removal, no re-encoding)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        sent = {"Content-Length": str(len(body or b"")), **(headers or {})}
        for name, value in sent.items():
            connection.putheader(name, value)
        connection.endheaders(body)
        response = connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()},
                           text)
    finally:
        connection.close()


def has_metrics(text: str) -> bool:
    return any(marker in text for marker in METRICS_MARKERS)
