"""Wake the outbox relay right after a commit instead of waiting for its next poll.

A service's web process stores events in an aggregate's outbox (servicekit.outbox); the
service's worker relays them. By polling alone, every event waits for the next poll, and each
idle relay costs the database a query per interval. So:

- every process of a service watches its own writes (:class:`OutboxWriteListener`, a pymongo
  command listener that ``servicekit.mongo.connect`` installs): after a write that stored
  pending events succeeded, it *nudges*;
- a nudge is a tiny transient message to the ``motcua.outbox-wakeup`` direct exchange with the
  service's name as routing key (:class:`WakeupSender`). It is sent from one background thread
  per process and service; a write only sets a flag, so bursts coalesce into one message and a
  slow or absent broker never slows a request;
- each relay consumes an exclusive queue bound to its service's key (:func:`wakeup_queue`, see
  ``servicekit.worker``) and runs at once when a nudge arrives.

Nudges are hints. A lost one (broker restarting, process killed between commit and nudge)
costs latency only: relays still poll, at a long interval (``OUTBOX_POLL_SECONDS``).
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from kombu import Connection, Exchange, Queue
from pymongo import monitoring

from servicekit.outbox import PENDING

log = logging.getLogger("servicekit.outbox_wakeup")

EXCHANGE = Exchange("motcua.outbox-wakeup", type="direct", durable=True)
_RETRY_MAX_SECONDS = 5.0


def wakeup_queue(service: str) -> Queue:
    """A relay's private queue of nudges: gone with its connection."""
    return Queue(f"{service}.outbox-wakeup.{uuid.uuid4().hex[:12]}", exchange=EXCHANGE,
                 routing_key=service, durable=False, exclusive=True, auto_delete=True)


class WakeupSender:
    """Publishes nudges for one service from a background thread of this process."""

    _shared: dict[tuple[str, str], WakeupSender] = {}
    _shared_lock = threading.Lock()

    def __init__(self, amqp_url: str, service: str) -> None:
        self.amqp_url = amqp_url
        self.service = service
        self._pending = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid: int | None = None
        self.sent = 0  # nudges published by this process (for tests and debugging)

    @classmethod
    def shared(cls, amqp_url: str, service: str) -> WakeupSender:
        """One sender per process for each broker and service."""
        with cls._shared_lock:
            key = (amqp_url, service)
            if key not in cls._shared:
                cls._shared[key] = cls(amqp_url, service)
            return cls._shared[key]

    def nudge(self) -> None:
        """Ask for a wake-up; returns at once."""
        self._pending.set()
        if self._thread is None or self._pid != os.getpid() or not self._thread.is_alive():
            self._start()

    def _start(self) -> None:
        with self._lock:  # after a fork the parent's thread does not exist in the child
            if self._thread is not None and self._pid == os.getpid() and self._thread.is_alive():
                return
            self._pid = os.getpid()
            self._thread = threading.Thread(target=self._run, name=f"outbox-wakeup-{self.service}",
                                            daemon=True)
            self._thread.start()

    def _run(self) -> None:
        connection: Connection | None = None
        delay = 0.2
        while True:
            self._pending.wait()
            self._pending.clear()
            try:
                connection = connection or self._connect()
                connection.Producer().publish(
                    b"", exchange=EXCHANGE, routing_key=self.service, delivery_mode=1,
                    retry=False)
                self.sent += 1
                delay = 0.2
            except Exception as exc:  # broker down or connection lost: the relay still polls
                log.debug("outbox wake-up not sent", extra={"fields": {"error": repr(exc)}})
                if connection is not None:
                    connection.release()
                connection = None
                time.sleep(delay)  # nudges meanwhile coalesce into one
                delay = min(delay * 2, _RETRY_MAX_SECONDS)

    def _connect(self) -> Connection:
        # No heartbeats: the connection only writes; a dead one fails the next publish.
        connection = Connection(self.amqp_url, connect_timeout=2, heartbeat=0)
        connection.ensure_connection(max_retries=1)
        EXCHANGE(connection.default_channel).declare()
        return connection


def _adds_pending(command: Mapping[str, Any], name: str) -> bool:
    def increments(update: Any) -> bool:
        return isinstance(update, Mapping) and (update.get("$inc") or {}).get(PENDING, 0) > 0

    if name == "insert":
        return any(isinstance(d, Mapping) and d.get(PENDING, 0) > 0
                   for d in command.get("documents") or ())
    if name == "update":
        return any(increments(u.get("u")) for u in command.get("updates") or ())
    if name == "findAndModify":
        return increments(command.get("update"))
    return False


class OutboxWriteListener(monitoring.CommandListener):
    """Calls ``on_commit()`` after each successful write that stored pending outbox events."""

    def __init__(self, on_commit: Callable[[], None]) -> None:
        self.on_commit = on_commit
        self._watching: set[int] = set()

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if _adds_pending(event.command, event.command_name):
            self._watching.add(event.request_id)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        if event.request_id in self._watching:
            self._watching.discard(event.request_id)
            if event.reply.get("n", 1):  # an update that matched nothing wrote nothing
                self.on_commit()

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self._watching.discard(event.request_id)
