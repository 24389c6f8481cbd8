"""A real gunicorn with servicekit.gunicorn_conf: what gunicorn refuses itself, before the app
runs, is answered in the platform's JSON error shape too; everything else still reaches Flask.

Requests are written on raw sockets: HTTP clients refuse to send most of them.
"""
from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest
import requests

from servicekit.config import ServiceSettings
from servicekit.testing import ServiceProcess

TESTS = Path(__file__).parent
METRICS_AUTH = {"Authorization": f"Bearer {ServiceSettings.from_env({}).metrics_token}"}


def _sample(env: dict[str, str] | None = None, **kwargs) -> ServiceProcess:
    """sample_web's app under gunicorn with servicekit.gunicorn_conf."""
    pythonpath = os.pathsep.join(filter(None, [str(TESTS), os.environ.get("PYTHONPATH")]))
    return ServiceProcess.gunicorn("sample_web:create_app()",
                                   {"PYTHONPATH": pythonpath, **(env or {})}, **kwargs)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with _sample(workers=2, log_path=log) as process:
        yield process


def exchange(server: ServiceProcess, request: bytes) -> tuple[int, dict[str, str], bytes]:
    """Send ``request`` as is, read until the server closes: (status, headers, body)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip()
               for name, value in (line.split(":", 1) for line in lines)}
    return int(status_line.split()[1]), headers, body


def assert_error_shape(status: int, headers: dict[str, str], body: bytes, expected: int) -> dict:
    assert status == expected, body
    assert headers["content-type"] == "application/json"
    assert headers["connection"] == "close"
    assert int(headers["content-length"]) == len(body)
    error = json.loads(body)
    assert set(error) == {"code", "status", "message"}
    assert error["code"] == expected and error["status"]
    assert error["message"].isascii() is False  # Vietnamese, like every other error
    return error


def test_an_over_long_url_is_a_json_414(server):
    response = exchange(server, b"GET /notes/1?q=" + b"a" * 5000 + b" HTTP/1.1\r\n"
                                b"Host: x\r\n\r\n")
    error = assert_error_shape(*response, expected=414)
    assert error["message"] == "Địa chỉ (URL) của yêu cầu quá dài."


@pytest.mark.parametrize("headers", [
    b"X-Big: " + b"a" * 9000 + b"\r\n",                                 # one header too large
    b"".join(b"X-H%d: v\r\n" % n for n in range(120)),                  # too many headers
], ids=["too-large", "too-many"])
def test_oversized_headers_are_a_json_431(server, headers):
    response = exchange(server, b"GET /notes/1 HTTP/1.1\r\nHost: x\r\n" + headers + b"\r\n")
    assert_error_shape(*response, expected=431)


@pytest.mark.parametrize("request_bytes", [
    b"THIS IS NOT HTTP\r\n\r\n",                                       # request line
    b"GET /notes/1 HTTP/9.9\r\nHost: x\r\n\r\n",                       # HTTP version
    b"GET /notes/1 HTTP/1.1\r\nHost: x\r\nBad Header: v\r\n\r\n",      # header name
], ids=["request-line", "version", "header-name"])
def test_a_malformed_request_is_a_json_400(server, request_bytes):
    error = assert_error_shape(*exchange(server, request_bytes), expected=400)
    assert error["message"] == "Yêu cầu HTTP không đúng định dạng."


def test_normal_requests_and_the_apps_own_errors_still_go_through_flask(server):
    status, headers, body = exchange(server, b"GET /notes/1 HTTP/1.1\r\nHost: x\r\n"
                                             b"Connection: close\r\n\r\n")
    assert status == 200 and json.loads(body) == {"title": "Tờ khai gốc"}
    assert headers["x-request-id"]  # the app answered, not gunicorn
    with requests.Session() as session:  # keep-alive: the connection is reused
        for _ in range(3):
            assert session.get(server.url + "/notes/1", timeout=5).ok
        crash = session.get(server.url + "/boom", timeout=5)
    assert crash.status_code == 500 and crash.json()["code"] == 500
    assert crash.headers["X-Request-ID"]
    long_but_allowed = requests.get(server.url + "/notes/1", params={"q": "a" * 3000}, timeout=5)
    assert long_but_allowed.status_code == 200


def test_multipart_reaches_only_the_endpoints_that_take_it(server):
    upload = requests.post(server.url + "/uploads", data={"label": "CCCD"},
                           files={"file": ("a.pdf", b"%PDF-1.4")}, timeout=5)
    assert upload.status_code == 201 and upload.json() == {"label": "CCCD", "size": 8}
    patch = requests.patch(server.url + "/notes/1", files={"title": (None, "Kẻ Gian")},
                           timeout=5)
    assert patch.status_code == 415 and patch.json()["code"] == 415
    assert requests.get(server.url + "/notes/1", timeout=5).json() == {"title": "Tờ khai gốc"}


def _requests_counted(server: ServiceProcess) -> float:
    metrics = requests.get(server.url + "/metrics", timeout=5, headers=METRICS_AUTH).text
    assert "python_gc_objects_collected_total" not in metrics  # multiprocess mode, not one
    return sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()  # worker's own
               if line.startswith('http_requests_total{endpoint="/notes/<note_id>"'))


def test_metrics_are_summed_over_every_worker(server):
    before = _requests_counted(server)
    for _ in range(10):
        assert requests.get(server.url + "/notes/1", timeout=5,
                            headers={"Connection": "close"}).ok
    assert _requests_counted(server) - before == 10


def test_each_master_has_a_metrics_directory_of_its_own_removed_when_it_stops(tmp_path):
    unset = {"PROMETHEUS_MULTIPROC_DIR": "", "TMPDIR": str(tmp_path)}
    with _sample(unset) as first, _sample(unset):
        requests.get(first.url + "/notes/1", timeout=5)
        directories = list(tmp_path.glob("motcua-metrics-*"))
        assert len(directories) == 2
        assert any(any(d.glob("*.db")) for d in directories)
    assert list(tmp_path.glob("motcua-metrics-*")) == []


def test_a_given_metrics_directory_is_emptied_at_start(tmp_path):
    (tmp_path / "counter_999.db").write_bytes(b"left by a previous run")
    with _sample({"PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}) as server:
        requests.get(server.url + "/notes/1", timeout=5)
        files = {path.name for path in tmp_path.iterdir()}
    assert "counter_999.db" not in files and files
