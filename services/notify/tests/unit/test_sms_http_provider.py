import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from notify.providers.base import OutgoingMessage, PermanentDeliveryError, TemporaryDeliveryError
from notify.providers.sms_http import HttpSmsProvider, HttpSmsSettings

MESSAGE = OutgoingMessage(channel="sms", to="0912345678", text='Mã "OTP": 123456', reference="n1")


class Gateway:
    """A tiny SMS gateway: records requests, answers with the next scripted status."""

    def __init__(self):
        self.requests = []
        self.statuses = []
        self.delay = 0.0
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append((dict(self.headers), json.loads(body)))
                time.sleep(gateway.delay)
                status = gateway.statuses.pop(0) if gateway.statuses else 200
                answer = json.dumps({"id": f"gw-{len(gateway.requests)}"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway():
    with Gateway() as gw:
        yield gw


def test_the_payload_template_and_api_key_are_used(gateway):
    settings = HttpSmsSettings(
        url=gateway.url,
        api_key="k-123",
        api_key_header="X-Api-Key",
        api_key_prefix="",
        sender="UBND-HCM",
        payload_template='{"Phone": "$to", "Content": "$text", "Brandname": "$sender",'
        ' "IsUnicode": "$unicode", "meta": ["$reference"]}',
    )
    reference = HttpSmsProvider(settings).send(MESSAGE)
    [(headers, payload)] = gateway.requests
    assert headers["X-Api-Key"] == "k-123"
    assert payload == {
        "Phone": "0912345678",
        "Content": 'Mã "OTP": 123456',  # quotes cannot break out of the field
        "Brandname": "UBND-HCM",
        "IsUnicode": "1",
        "meta": ["n1"],
    }
    assert reference == "gw-1"


def test_server_errors_and_throttling_are_temporary(gateway):
    provider = HttpSmsProvider(HttpSmsSettings(url=gateway.url))
    for status in (500, 503, 429):
        gateway.statuses.append(status)
        with pytest.raises(TemporaryDeliveryError, match=str(status)):
            provider.send(MESSAGE)


def test_a_rejected_number_is_permanent(gateway):
    gateway.statuses.append(400)
    with pytest.raises(PermanentDeliveryError):
        HttpSmsProvider(HttpSmsSettings(url=gateway.url)).send(MESSAGE)


def test_a_slow_gateway_times_out_as_a_temporary_error(gateway):
    gateway.delay = 1.0
    settings = HttpSmsSettings(url=gateway.url, read_timeout=0.2)
    started = time.monotonic()
    with pytest.raises(TemporaryDeliveryError, match="Timeout"):
        HttpSmsProvider(settings).send(MESSAGE)
    assert time.monotonic() - started < 0.9


def test_an_unreachable_gateway_is_a_temporary_error():
    settings = HttpSmsSettings(url="http://127.0.0.1:9/send", connect_timeout=0.5)
    with pytest.raises(TemporaryDeliveryError):
        HttpSmsProvider(settings).send(MESSAGE)


def test_failover_moves_to_the_second_gateway_after_repeated_errors():
    from notify.providers.failover import FailoverProvider

    with Gateway() as down, Gateway() as backup:
        down.statuses = [503] * 10
        failover = FailoverProvider(
            HttpSmsProvider(HttpSmsSettings(url=down.url, name="gw1")),
            HttpSmsProvider(HttpSmsSettings(url=backup.url, name="gw2")),
            threshold=2,
        )
        with pytest.raises(TemporaryDeliveryError):
            failover.send(MESSAGE)
        assert failover.send(MESSAGE) == "gw-1"  # second error: switched, sent via gw2
        assert failover.send(MESSAGE) == "gw-2"
        assert (len(down.requests), len(backup.requests)) == (2, 2)
