"""The one error shape: ``{"code", "status", "message", "errors": {field: [...]}}``."""
from __future__ import annotations

import logging
from http import HTTPStatus
from typing import Any

from flask import Flask, jsonify
from flask_smorest import abort as _smorest_abort
from marshmallow import Schema, fields
from werkzeug.exceptions import HTTPException

from servicekit.domain_errors import DomainError

log = logging.getLogger(__name__)

# Locations webargs reports errors under; the contract wants one flat {field: [...]} map.
_LOCATIONS = ("json", "query", "form", "files", "headers", "cookies", "view_args", "path")

DEFAULT_MESSAGES = {
    400: "Yêu cầu không hợp lệ.",
    401: "Bạn cần đăng nhập để thực hiện thao tác này.",
    403: "Bạn không có quyền thực hiện thao tác này.",
    404: "Không tìm thấy tài nguyên được yêu cầu.",
    405: "Phương thức không được hỗ trợ.",
    409: "Thao tác xung đột với trạng thái hiện tại.",
    413: "Dữ liệu gửi lên vượt quá dung lượng cho phép.",
    415: "Định dạng dữ liệu không được hỗ trợ.",
    422: "Dữ liệu không hợp lệ. Vui lòng kiểm tra các trường được đánh dấu.",
    429: "Bạn đã thao tác quá nhiều lần. Vui lòng thử lại sau.",
    500: "Hệ thống gặp lỗi. Vui lòng thử lại sau.",
    502: "Dịch vụ phía sau không phản hồi hợp lệ.",
    503: "Dịch vụ tạm thời không sẵn sàng. Vui lòng thử lại sau.",
    504: "Dịch vụ phía sau phản hồi quá chậm.",
}


class ErrorSchema(Schema):
    code = fields.Integer(required=True)
    status = fields.String(required=True)
    message = fields.String(required=True)
    errors = fields.Dict(keys=fields.String(), values=fields.Raw())


def flatten_errors(errors: Any) -> dict[str, Any]:
    """Merge webargs' per-location error maps into one ``{field: [messages]}`` map."""
    if not isinstance(errors, dict):
        return {"_schema": errors if isinstance(errors, list) else [str(errors)]}
    if not any(key in _LOCATIONS for key in errors):
        return errors
    flat: dict[str, Any] = {}
    for key, value in errors.items():
        if key in _LOCATIONS and isinstance(value, dict):
            flat.update(value)
        else:
            flat[key] = value
    return flat


def error_body(code: int, message: str | None = None, errors: dict | None = None) -> dict:
    try:
        status = HTTPStatus(code).phrase
    except ValueError:
        status = "Error"
    body: dict[str, Any] = {
        "code": code,
        "status": status,
        "message": message or DEFAULT_MESSAGES.get(code, status),
    }
    if errors:
        body["errors"] = flatten_errors(errors)
    return body


def error_response(code: int, message: str | None = None, errors: dict | None = None,
                   headers: dict | None = None):
    response = jsonify(error_body(code, message, errors))
    response.status_code = code
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def abort(code: int, message: str | None = None, errors: dict | None = None, **kwargs: Any):
    """Stop the request with the error shape. ``errors`` is ``{field: [messages]}``."""
    if errors is not None:
        kwargs["errors"] = errors
    _smorest_abort(code, message=message or DEFAULT_MESSAGES.get(code), **kwargs)


def handle_http_exception(error: HTTPException):
    data = getattr(error, "data", None) or {}
    code = error.code or 500
    message = data.get("message")
    if not message:
        message = DEFAULT_MESSAGES.get(code) or error.description
    errors = data.get("errors") or (data.get("messages") if isinstance(data, dict) else None)
    headers = dict(data.get("headers") or {})
    if hasattr(error, "get_headers"):
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                headers.setdefault(name, value)
    return error_response(code, message, errors, headers)


def handle_unexpected(error: Exception):
    log.exception("unhandled error")
    return error_response(500)


def handle_database_down(error: Exception):
    """The database cannot be reached: a clear, retryable 503 rather than a 500."""
    log.warning("database unavailable", extra={"fields": {"error": type(error).__name__}})
    return error_response(503, headers={"Retry-After": "5"})


def handle_unencodable_text(error: UnicodeError):
    """Text the database cannot store (a lone UTF-16 surrogate): the client's input is bad."""
    return error_response(400, "Dữ liệu chứa ký tự không hợp lệ.")


def handle_domain_error(error: DomainError):
    """A broken rule: the error's own status, message, field errors and Retry-After."""
    if error.http_status >= 500:
        log.warning("use case unavailable", extra={"fields": {
            "error": type(error).__name__, "status": error.http_status}})
    return error_response(error.http_status, error.message, error.errors or None,
                          error.headers())


def register_error_handlers(app: Flask) -> None:
    """Make every error of ``app`` use the one shape (domain, HTTP and unexpected errors)."""
    from pymongo.errors import ConnectionFailure

    app.register_error_handler(DomainError, handle_domain_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(ConnectionFailure, handle_database_down)
    app.register_error_handler(UnicodeError, handle_unencodable_text)
    app.register_error_handler(Exception, handle_unexpected)
