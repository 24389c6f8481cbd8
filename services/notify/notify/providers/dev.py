"""Development providers: record what was delivered so people and tests can read it.

Only wired when the service is not in production (see ``notify.bootstrap``). The record is
the message as delivered, OTP included: that is how ``make run`` users read their code.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from notify.domain.addresses import address_variants
from notify.providers.base import OutgoingMessage, Provider


@dataclass(frozen=True)
class DevMessage:
    channel: str
    to: str
    subject: str
    body: str
    sent_at: datetime


class DevSink(Protocol):
    def record(self, message: DevMessage) -> None: ...

    def list(self, to: str | None = None, limit: int = 50) -> list[DevMessage]: ...


class InMemoryDevSink:
    """A process-local sink (unit tests, single-process runs)."""

    def __init__(self) -> None:
        self._messages: list[DevMessage] = []
        self._lock = threading.Lock()

    def record(self, message: DevMessage) -> None:
        with self._lock:
            self._messages.append(message)

    def list(self, to: str | None = None, limit: int = 50) -> list[DevMessage]:
        with self._lock:
            wanted = set(address_variants(to)) if to else None
            found = [m for m in self._messages if wanted is None or m.to in wanted]
        return sorted(found, key=lambda m: m.sent_at, reverse=True)[:limit]


def _now() -> datetime:
    return datetime.now(UTC)


class DevProvider:
    """Delivers nowhere; only records (the default SMS provider in development)."""

    def __init__(self, sink: DevSink, name: str = "dev", clock: Callable[[], datetime] = _now):
        self.sink, self.name, self.clock = sink, name, clock

    def send(self, message: OutgoingMessage) -> str:
        self.sink.record(
            DevMessage(message.channel, message.to, message.subject, message.text, self.clock())
        )
        return message.reference


class RecordingProvider:
    """Delivers through ``inner`` and, once it succeeded, records the message (development)."""

    def __init__(self, inner: Provider, sink: DevSink, clock: Callable[[], datetime] = _now):
        self.inner, self.sink, self.clock = inner, sink, clock
        self.name = inner.name

    def send(self, message: OutgoingMessage) -> str:
        reference = self.inner.send(message)
        self.sink.record(
            DevMessage(message.channel, message.to, message.subject, message.text, self.clock())
        )
        return reference
