"""How notify's objects are stored as MongoDB documents (and read back).

Times that are queried or sorted are also kept as epoch milliseconds: nx-27017 returns
datetimes written by ``$set`` as strings and then compares them unreliably. Other times are
ISO-8601 UTC strings; history entries too (no datetimes in nested data).

A notification's recipient (a phone number, an email) and its content (which names the
person) are stored sealed (servicekit.sealing), bound to the notification's id; the keyed
hash of the recipient (``recipient_hash``) is what the unique index and lookups use.
Documents written before sealing (clear ``recipient``, ``subject``, ``body``, ``html``) are
still read.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from notify.domain.addresses import canonical_address
from notify.domain.delivery import CLAIMABLE, Notification, Status, Transition
from notify.domain.templates import Channel, MessageTemplate
from servicekit.sealing import Sealer

NEVER = 2**62  # due_ms of a notification nobody should pick up
RECIPIENT = "notification.recipient"
CONTENT = "notification.content"
LEGACY_CLEAR_FIELDS = ("recipient", "subject", "body", "html")


def recipient_hash(sealer: Sealer, recipient: str) -> str:
    return sealer.index.hash(RECIPIENT, canonical_address(recipient))


def recipient_candidates(sealer: Sealer, recipient: str) -> list[str]:
    return sealer.candidates(RECIPIENT, canonical_address(recipient))


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def ms(moment: datetime | None) -> int | None:
    return None if moment is None else int(moment.timestamp() * 1000)


def parse_time(value: Any) -> datetime | None:
    """Datetimes are stored as ISO-8601 UTC strings (nx-27017 turns ``$set`` datetimes into
    strings anyway); a naive value is UTC."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def immutable_fields(n: Notification, sealer: Sealer) -> dict[str, Any]:
    content = {"subject": n.subject, "body": n.body, "html": n.html}
    return {
        "event_id": n.event_id,
        "event_type": n.event_type,
        "channel": n.channel,
        "recipient_hash": recipient_hash(sealer, n.recipient),
        "recipient_sealed": sealer.seal(f"{RECIPIENT}/{n.id}", n.recipient),
        "user_id": n.user_id,
        "priority": n.priority,
        "template_version": n.template_version,
        "sms_segments": n.sms_segments,
        # Content is fixed when the notification is created: updates need not carry it (and a
        # save racing ``forget_user`` cannot bring erased content back).
        "content_sealed": sealer.seal_json(f"{CONTENT}/{n.id}", content),
        "expires_at": iso(n.expires_at),
        "created_at": iso(n.created_at),
        "created_ms": ms(n.created_at),
    }


def mutable_fields(n: Notification) -> dict[str, Any]:
    return {
        "status": str(n.status),
        "attempts": n.attempts,
        "next_attempt_at": iso(n.next_attempt_at),
        "due_ms": ms(n.next_attempt_at) if n.status in CLAIMABLE else NEVER,
        "provider": n.provider,
        "provider_reference": n.provider_reference,
        "last_error": n.last_error,
        "sealed": n.sealed,
        "read": n.read_at is not None,
        "read_at": iso(n.read_at),
        "updated_ms": ms(n.history[-1].at),
        "history": [
            {"status": str(t.status), "at": iso(t.at), "attempt": t.attempt, "detail": t.detail}
            for t in n.history
        ],
    }


def _recipient(doc: dict[str, Any], sealer: Sealer) -> str:
    if doc.get("recipient_sealed"):
        return sealer.open(f"{RECIPIENT}/{doc['_id']}", doc["recipient_sealed"]) or ""
    if str(doc.get("recipient_hash", "")).startswith("erased:"):
        return doc["recipient_hash"]
    return doc.get("recipient") or ""


def notification_from(doc: dict[str, Any], sealer: Sealer) -> Notification:
    content = sealer.open_json(f"{CONTENT}/{doc['_id']}", doc.get("content_sealed"), None) \
        or {k: doc.get(k, "") for k in ("subject", "body", "html")}
    return Notification(
        id=doc["_id"],
        event_id=doc["event_id"],
        event_type=doc["event_type"],
        channel=doc["channel"],
        recipient=_recipient(doc, sealer),
        user_id=doc.get("user_id"),
        created_at=parse_time(doc["created_at"]),
        subject=content.get("subject", ""),
        body=content.get("body", ""),
        html=content.get("html", ""),
        priority=doc.get("priority", 0),
        template_version=doc.get("template_version", 0),
        sms_segments=doc.get("sms_segments", 0),
        expires_at=parse_time(doc.get("expires_at")),
        status=Status(doc["status"]),
        attempts=doc.get("attempts", 0),
        next_attempt_at=parse_time(doc.get("next_attempt_at")),
        provider=doc.get("provider", ""),
        provider_reference=doc.get("provider_reference", ""),
        last_error=doc.get("last_error", ""),
        sealed=doc.get("sealed"),
        read_at=parse_time(doc.get("read_at")),
        revision=doc.get("revision", 0),
        history=[
            Transition(Status(t["status"]), parse_time(t["at"]), t.get("attempt", 0), t["detail"])
            for t in doc.get("history", [])
        ],
    )


def template_from(doc: dict[str, Any]) -> MessageTemplate:
    return MessageTemplate(
        event_type=doc["event_type"],
        channel=Channel(doc["channel"]),
        text=doc.get("text", ""),
        subject=doc.get("subject", ""),
        html=doc.get("html", ""),
        version=doc["version"],
    )
