"""The deny-list of ended sessions, consulted by every token verifier.

Every access token carries ``sid``: the session (identity's refresh-token family) it was
issued in. When a session ends before its access tokens expire (sign-out, password change or
reset, account deletion, a second-factor change, a refresh token replayed), identity lists its
``sid`` here for the access-token lifetime plus a margin; by then every token of that session
has expired by itself, so the entry may go. No clock is compared with another: a session is
listed or it is not, whatever the time on the machine that asks.

The list lives in Redis (``REDIS_URL``, keys ``<REVOCATION_PREFIX>:<sid>``), shared by every
process of every service. When Redis cannot be reached the check *fails open*: tokens whose
signature and claims are valid are accepted, a warning is logged and
``motcua_revocation_unavailable_total`` counts it, and Redis is not asked again for a few
seconds (so an outage costs no time per request). The risk taken: during the outage, a session
ended in the last ``IDENTITY_ACCESS_TOKEN_TTL_SECONDS`` (15 minutes at most) keeps reading and
writing through its already-issued access tokens until they expire, as before this list
existed. Refresh tokens are refused regardless (identity's own database), and identity itself
checks sessions in its database, not here: password, contacts and second factor cannot be
changed with an ended session even while Redis is down. Identity's worker writes the entries
of sessions ended in the last access-token lifetime again every little while, so entries lost
with Redis (a restart without persistence, a write during an outage) come back.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from typing import Protocol

import redis
from prometheus_client import Counter

from servicekit.config import ServiceSettings

log = logging.getLogger(__name__)

UNAVAILABLE = Counter(
    "motcua_revocation_unavailable_total",
    "Session deny-list checks or writes that could not reach Redis (tokens accepted).",
    ["operation"],
)
RETRY_AFTER_SECONDS = 5.0  # after a failure, Redis is left alone this long


class RevocationUnavailable(Exception):
    """The deny-list could not be written (Redis unreachable)."""


class Revocations(Protocol):
    def is_revoked(self, sid: str) -> bool: ...


class RedisRevocations:
    """The deny-list in Redis: ``revoke`` (identity) and ``is_revoked`` (every verifier)."""

    def __init__(self, url: str, *, prefix: str = "motcua:revoked-session",
                 timeout: float = 0.25, client: redis.Redis | None = None) -> None:
        self.prefix = prefix
        self._redis = client or redis.Redis.from_url(
            url, socket_connect_timeout=timeout, socket_timeout=timeout)
        self._lock = threading.Lock()
        self._resting_until = 0.0

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> RedisRevocations:
        return cls(settings.redis_url, prefix=settings.revocation_prefix,
                   timeout=settings.revocation_timeout_seconds)

    def _key(self, sid: str) -> str:
        return f"{self.prefix}:{sid}"

    def _resting(self) -> bool:
        with self._lock:
            return time.monotonic() < self._resting_until

    def _failed(self, operation: str, error: Exception) -> None:
        UNAVAILABLE.labels(operation).inc()
        with self._lock:
            first = time.monotonic() >= self._resting_until
            self._resting_until = time.monotonic() + RETRY_AFTER_SECONDS
        if first:
            log.warning("session deny-list unreachable (%s): %s", operation, type(error).__name__)

    def is_revoked(self, sid: str) -> bool:
        """Whether the session ``sid`` ended; ``False`` when Redis cannot be asked (see the
        module's docstring for the risk this takes)."""
        if self._resting():
            UNAVAILABLE.labels("check").inc()
            return False
        try:
            return bool(self._redis.exists(self._key(sid)))
        except redis.RedisError as error:
            self._failed("check", error)
            return False

    def revoke(self, sids: Iterable[str], ttl_seconds: int) -> None:
        """List ``sids`` for ``ttl_seconds``; raises :class:`RevocationUnavailable`."""
        sids = [sid for sid in sids if sid]
        if not sids:
            return
        try:
            with self._redis.pipeline(transaction=False) as pipe:
                for sid in sids:
                    pipe.set(self._key(sid), "1", ex=max(1, int(ttl_seconds)))
                pipe.execute()
        except redis.RedisError as error:
            self._failed("revoke", error)
            raise RevocationUnavailable(str(error)) from error


class MemoryRevocations:
    """The same two operations in memory, for unit tests (entries never expire)."""

    def __init__(self) -> None:
        self.revoked: dict[str, int] = {}

    def is_revoked(self, sid: str) -> bool:
        return sid in self.revoked

    def revoke(self, sids: Iterable[str], ttl_seconds: int) -> None:
        self.revoked.update({sid: int(ttl_seconds) for sid in sids if sid})
