"""The event envelope every message on ``motcua.events`` carries."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from servicekit.logging import get_correlation_id

EVENT_TYPE = r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_.]*$"


class EnvelopeSchema(Schema):
    """Contract of ARCHITECTURE.md § Events. Adding optional fields to ``data`` is fine;
    anything else bumps ``version``."""

    id = fields.UUID(required=True)
    type = fields.String(required=True, validate=validate.Regexp(EVENT_TYPE))
    version = fields.Integer(required=True, validate=validate.Range(min=1))
    occurred_at = fields.DateTime(required=True)
    source = fields.String(required=True, validate=validate.Length(min=1, max=64))
    tenant = fields.String(load_default=None, allow_none=True)
    correlation_id = fields.String(load_default=None, allow_none=True)
    aggregate_id = fields.String(required=True)
    aggregate_version = fields.Integer(load_default=None, allow_none=True)
    data = fields.Dict(required=True)


_schema = EnvelopeSchema()


class InvalidEnvelope(ValueError):
    """A message that is not a valid envelope: a poison message, never retried."""


def utc_now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_event(
    type: str,
    data: dict[str, Any],
    *,
    source: str,
    aggregate_id: str,
    aggregate_version: int | None = None,
    tenant: str | None = None,
    version: int = 1,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """Build an envelope; the correlation id defaults to the current request's."""
    event = {
        "id": str(uuid.uuid4()),
        "type": type,
        "version": version,
        "occurred_at": utc_now_iso(),
        "source": source,
        "tenant": tenant,
        "correlation_id": correlation_id or get_correlation_id(),
        "aggregate_id": str(aggregate_id),
        "aggregate_version": aggregate_version,
        "data": data,
    }
    errors = _schema.validate(event)
    if errors:
        raise InvalidEnvelope(errors)
    return event


def encode(event: dict[str, Any]) -> bytes:
    return json.dumps(event, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def decode(body: bytes | str) -> dict[str, Any]:
    """Parse and validate a message body; raise :class:`InvalidEnvelope` when it is not one."""
    try:
        event = json.loads(body)
    except (TypeError, ValueError) as exc:
        raise InvalidEnvelope(f"not JSON: {exc}") from exc
    if not isinstance(event, dict):
        raise InvalidEnvelope("not a JSON object")
    try:
        _schema.load(event)
    except ValidationError as exc:
        raise InvalidEnvelope(exc.messages) from exc
    return event
