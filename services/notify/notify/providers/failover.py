"""Failover between two SMS providers after repeated errors (a small circuit breaker).

The active provider serves every message. After ``threshold`` consecutive temporary errors
it is put aside and the other one takes over; the message that tripped the switch is tried
on the new provider at once. After ``cooldown`` seconds the primary is tried again. Permanent
errors (a bad number) say nothing about the provider's health and do not count. The state is
per process: each worker replica decides for itself.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from notify.providers.base import DeliveryError, OutgoingMessage, Provider

log = logging.getLogger(__name__)


class FailoverProvider:
    name = "failover"

    def __init__(
        self,
        primary: Provider,
        secondary: Provider,
        *,
        threshold: int = 3,
        cooldown: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.providers = (primary, secondary)
        self.threshold = max(1, threshold)
        self.cooldown = cooldown
        self.clock = clock
        self._active = 0
        self._errors = 0
        self._switched_at = 0.0
        self._lock = threading.Lock()

    @property
    def active(self) -> Provider:
        with self._lock:
            self._maybe_fail_back()
            return self.providers[self._active]

    def _maybe_fail_back(self) -> None:
        if self._active == 1 and self.clock() - self._switched_at >= self.cooldown:
            log.info("sms failover: trying primary provider again")
            self._active, self._errors = 0, 0

    def _record(self, index: int, ok: bool) -> bool:
        """Count a result for provider ``index``; return True if this tripped a switch."""
        with self._lock:
            if index != self._active:
                return False
            if ok:
                self._errors = 0
                return False
            self._errors += 1
            if self._errors < self.threshold:
                return False
            self._active, self._errors = 1 - index, 0
            self._switched_at = self.clock()
            log.warning(
                "sms failover: %s failed %d times in a row, switching to %s",
                self.providers[index].name,
                self.threshold,
                self.providers[self._active].name,
            )
            return True

    def send(self, message: OutgoingMessage) -> str:
        with self._lock:
            self._maybe_fail_back()
            index = self._active
        provider = self.providers[index]
        try:
            reference = provider.send(message)
        except DeliveryError as exc:
            if exc.permanent:
                raise
            if not self._record(index, ok=False):
                raise
            return self.providers[1 - index].send(message)
        self._record(index, ok=True)
        return reference
