"""A notification's delivery lifecycle, as a state machine.

    created ──claim──▶ sending ──▶ delivered
                          │
                          ├──▶ permanent_failure   (the provider refused it for good:
                          │                          bad address, unknown number)
                          ├──▶ temporary_failure ──claim──▶ sending ...  (retried with
                          │        │                          exponential backoff)
                          │        └──▶ technical_failure (expired before it could be retried)
                          └──▶ technical_failure   (retries used up)

A final failure records a ``notify.delivery_failed`` event on the notification; the
repository writes it to the outbox in the same update as the new state.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from notify.domain.events import DELIVERY_FAILED
from notify.domain.masking import mask_recipient


class Status(StrEnum):
    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary_failure"
    PERMANENT_FAILURE = "permanent_failure"
    TECHNICAL_FAILURE = "technical_failure"


FINAL = frozenset({Status.DELIVERED, Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE})
FAILED = frozenset({Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE})
# Notifications a sender may pick up (created, or waiting for a retry).
CLAIMABLE = frozenset({Status.CREATED, Status.TEMPORARY_FAILURE})

TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.CREATED: frozenset({Status.SENDING, Status.TECHNICAL_FAILURE}),
    Status.SENDING: frozenset(
        {
            Status.DELIVERED,
            Status.TEMPORARY_FAILURE,
            Status.PERMANENT_FAILURE,
            Status.TECHNICAL_FAILURE,
        }
    ),
    Status.TEMPORARY_FAILURE: frozenset({Status.SENDING, Status.TECHNICAL_FAILURE}),
    Status.DELIVERED: frozenset(),
    Status.PERMANENT_FAILURE: frozenset(),
    Status.TECHNICAL_FAILURE: frozenset(),
}


class IllegalTransition(RuntimeError):
    def __init__(self, current: Status, target: Status):
        super().__init__(f"không thể chuyển thông báo từ {current} sang {target}")
        self.current, self.target = current, target


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff: ``base_delay * factor**(attempt-1)``, capped at ``max_delay``."""

    max_attempts: int = 5
    base_delay: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    max_delay: timedelta = timedelta(hours=1)

    def delay_after(self, attempt: int) -> timedelta:
        seconds = self.base_delay.total_seconds() * self.factor ** max(0, attempt - 1)
        return min(timedelta(seconds=seconds), self.max_delay)


@dataclass
class Transition:
    status: Status
    at: datetime
    attempt: int
    detail: str = ""


@dataclass
class Notification:
    event_id: str
    event_type: str
    channel: str
    recipient: str
    created_at: datetime
    subject: str = ""
    body: str = ""  # what is stored and shown: secrets already masked
    html: str = ""
    user_id: str | None = None
    priority: int = 0
    template_version: int = 0
    sms_segments: int = 0  # SMS only: parts the provider bills for
    expires_at: datetime | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    status: Status = Status.CREATED
    attempts: int = 0
    next_attempt_at: datetime | None = None
    provider: str = ""
    provider_reference: str = ""
    last_error: str = ""
    history: list[Transition] = field(default_factory=list)
    # Clear content of a notification holding a secret, encrypted by the sender's sealer;
    # dropped as soon as the notification reaches a final state.
    sealed: str | None = None
    read_at: datetime | None = None  # in-app notifications: when the citizen read it
    revision: int = 0  # optimistic concurrency: bumped by every save
    pending_events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if self.next_attempt_at is None and self.status == Status.CREATED:
            self.next_attempt_at = self.created_at
        if not self.history:
            self.history.append(Transition(self.status, self.created_at, 0))

    @property
    def is_final(self) -> bool:
        return self.status in FINAL

    def _move(self, target: Status, now: datetime, detail: str = "") -> None:
        if target not in TRANSITIONS[self.status]:
            raise IllegalTransition(self.status, target)
        self.status = target
        self.history.append(Transition(target, now, self.attempts, detail))

    def start_sending(self, now: datetime) -> None:
        """Claim for one attempt; an expired notification fails instead of being sent."""
        if self.expires_at is not None and now >= self.expires_at:
            self._fail_final(Status.TECHNICAL_FAILURE, now, "hết hạn trước khi gửi được")
            return
        self.attempts += 1
        self.next_attempt_at = None
        self._move(Status.SENDING, now)

    def delivered(self, now: datetime, provider: str, reference: str = "") -> None:
        self.provider, self.provider_reference = provider, reference
        self.last_error = ""
        self.sealed = None
        self._move(Status.DELIVERED, now, provider)

    def failed(
        self, now: datetime, error: str, *, permanent: bool, policy: RetryPolicy, provider: str = ""
    ) -> None:
        """Record a failed attempt: retry later, or fail for good."""
        self.provider = provider or self.provider
        self.last_error = error
        if permanent:
            self._fail_final(Status.PERMANENT_FAILURE, now, error)
            return
        if self.attempts >= policy.max_attempts:
            self._fail_final(Status.TECHNICAL_FAILURE, now, f"hết số lần thử: {error}")
            return
        retry_at = now + policy.delay_after(self.attempts)
        if self.expires_at is not None and retry_at >= self.expires_at:
            self._fail_final(Status.TECHNICAL_FAILURE, now, f"hết hạn: {error}")
            return
        self._move(Status.TEMPORARY_FAILURE, now, error)
        self.next_attempt_at = retry_at

    def abandon(self, now: datetime, reason: str) -> None:
        """Give up without a provider verdict (content lost, stale claim past its expiry)."""
        self.last_error = reason
        self._fail_final(Status.TECHNICAL_FAILURE, now, reason)

    def _fail_final(self, target: Status, now: datetime, detail: str) -> None:
        self._move(target, now, detail)
        self.next_attempt_at = None
        self.sealed = None
        self.last_error = detail
        self.pending_events.append(self.failure_event())

    def failure_event(self) -> dict[str, Any]:
        """Type and data of ``notify.delivery_failed``; nothing secret (the body is omitted)."""
        return {
            "type": DELIVERY_FAILED,
            "aggregate_id": self.id,
            "data": {
                "notification_id": self.id,
                "event_id": self.event_id,
                "event_type": self.event_type,
                "channel": self.channel,
                "recipient": mask_recipient(self.recipient),
                "user_id": self.user_id,
                "status": str(self.status),
                "attempts": self.attempts,
                "reason": self.last_error,
            },
        }
