"""JSON logs with the correlation id of the request or event being handled."""
from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
import uuid
from datetime import UTC, datetime

from vocabulary.masking import mask_identifier

_correlation_id: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "correlation_id", default=None
)
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def get_correlation_id() -> str | None:
    return _correlation_id.get()


def set_correlation_id(value: str | None) -> contextvars.Token:
    return _correlation_id.set(value)


def reset_correlation_id(token: contextvars.Token) -> None:
    _correlation_id.reset(token)


def new_correlation_id() -> str:
    return uuid.uuid4().hex


def accept_request_id(value: str | None) -> str:
    """Keep a caller's request id when it is safe to log and echo; otherwise make one."""
    if value and _REQUEST_ID.match(value):
        return value
    return new_correlation_id()


def mask(value: str | None, keep_start: int = 2, keep_end: int = 2) -> str:
    """Mask an identifier for logs: ``079203001234`` → ``07********34`` (the vocabulary's)."""
    return mask_identifier(value, keep_start, keep_end)


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        correlation_id = getattr(record, "correlation_id", None)
        if correlation_id:
            entry["correlation_id"] = correlation_id
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


_base_factory = logging.getLogRecordFactory()


def _record_with_correlation_id(*args, **kwargs) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.correlation_id = get_correlation_id()  # stamped when logged, in the right context
    return record


def configure_logging(service: str, level: str = "INFO") -> None:
    """Send every log record to stdout as one JSON line. Safe to call more than once."""
    logging.setLogRecordFactory(_record_with_correlation_id)
    root = logging.getLogger()
    handler = next((h for h in root.handlers if getattr(h, "_motcua", False)), None)
    if handler is None:
        handler = logging.StreamHandler(sys.stdout)
        handler._motcua = True  # type: ignore[attr-defined]
        for existing in list(root.handlers):
            root.removeHandler(existing)
        root.addHandler(handler)
    handler.setFormatter(JsonFormatter(service))
    root.setLevel(level.upper())
    for noisy in ("pymongo", "amqp", "kombu", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_fields(**fields: object) -> dict:
    """``logger.info("...", extra=log_fields(dossier=code))`` adds structured fields."""
    return {"fields": fields}
