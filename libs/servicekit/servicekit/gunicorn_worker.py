"""gunicorn's threaded worker, answering what gunicorn refuses itself in the one error shape.

gunicorn reads the request line and the headers before the app runs; a request it cannot
parse (a request line over ``limit_request_line``, too many or too large headers, a malformed
line or header) is answered by the worker itself — by default with an HTML page. This worker
answers with the JSON body of :mod:`servicekit.errors` instead. Errors of the app never come
here: Flask turns them into that shape itself.
"""
from __future__ import annotations

import json
import ssl
from http import HTTPStatus

from gunicorn import util
from gunicorn.http import errors as http
from gunicorn.workers.gthread import ThreadWorker

from servicekit.errors import error_body

# The status gunicorn's own ``handle_error`` gives each error; the first match wins (a few
# are subclasses of ``ParseException``, every other parse error is the client's: 400).
_STATUSES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], int], ...] = (
    ((http.InvalidResponseHeader, http.InvalidResponseHeaderName), 500),  # the app's header
    (http.ConfigurationProblem, 500),
    (http.LimitRequestLine, 414),
    (http.LimitRequestHeaders, 431),
    (http.ExpectationFailed, 417),
    (http.UnsupportedTransferCoding, 501),
    ((http.ForbiddenProxyRequest, ssl.SSLError), 403),
    (http.ParseException, 400),
)
MESSAGES = {
    400: "Yêu cầu HTTP không đúng định dạng.",
    414: "Địa chỉ (URL) của yêu cầu quá dài.",
    417: "Không đáp ứng được điều kiện trong tiêu đề Expect của yêu cầu.",
    431: "Phần tiêu đề (header) của yêu cầu quá lớn hoặc quá nhiều.",
    501: "Kiểu truyền dữ liệu (Transfer-Encoding) của yêu cầu không được hỗ trợ.",
}  # other statuses: servicekit.errors' default message


def status_for(exc: BaseException) -> int:
    """The HTTP status gunicorn answers ``exc`` with (500 for anything not the client's)."""
    return next((status for kinds, status in _STATUSES if isinstance(exc, kinds)), 500)


def error_response_bytes(status: int) -> bytes:
    """A complete HTTP/1.1 response carrying the error shape; the connection is closed after
    it, as gunicorn does, since the rest of what the client sent cannot be trusted."""
    body = json.dumps(error_body(status, MESSAGES.get(status)), ensure_ascii=False,
                      separators=(",", ":"), sort_keys=True).encode()  # as Flask writes it
    head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
            "Connection: close\r\n"
            "Content-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class JsonErrorWorker(ThreadWorker):
    """gunicorn's ``gthread`` worker whose own error answers use the platform's JSON shape."""

    def handle_error(self, req, client, addr, exc):
        status = status_for(exc)
        if status < 500:
            self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        else:
            self.log.exception("Error handling request %s", getattr(req, "uri", "(no URI read)"))
        try:
            util.write_nonblock(client, error_response_bytes(status))
        except Exception:  # the client is gone: nothing to answer
            self.log.debug("Failed to send error message.")
