"""Consumer base: at-least-once delivery, effectively-once effects.

For each message on its queue a consumer:

1. parses the envelope — a message that is not one is dead-lettered at once (poison);
2. skips it if its id is recorded in ``handled_events`` (unique ``_id`` = queue + event id);
3. calls the handler for its type; the handler's write should be idempotent by the event
   id (:meth:`HandlerContext.once` does that for a single-document update);
4. records the event id, then acks.

A handler that raises sends the message to ``<queue>.retry`` (it comes back after the retry
delay) with an attempt counter; after ``max_attempts`` it goes to ``<queue>.dead`` with the
error. The original is acked only after the copy is confirmed, so nothing is lost.
"""
from __future__ import annotations

import contextlib
import logging
import re
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from kombu import Connection, Message
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from servicekit.bus import EventBus
from servicekit.events import InvalidEnvelope, decode, encode
from servicekit.logging import log_fields, reset_correlation_id, set_correlation_id

log = logging.getLogger("servicekit.consumer")

HANDLED = "handled_events"
ATTEMPTS_HEADER = "x-motcua-attempts"
ERROR_HEADER = "x-motcua-error"


@dataclass
class HandlerContext:
    """What a handler gets besides the event: the service's database and helpers."""

    db: Database
    event: dict[str, Any]
    queue: str

    def once(self, collection: str, filter: dict[str, Any], update: dict[str, Any],
             *, upsert: bool = False) -> bool:
        """Apply ``update`` to one document unless this event was already applied to it.

        The event id is stored on the document in the same write, so a redelivery after a
        crash between the write and the ack changes nothing. Returns whether it applied.
        """
        marker = f"applied_events.{self.event['id']}"
        guarded = {op: dict(value) for op, value in update.items()}
        guarded.setdefault("$set", {})[marker] = self.event["occurred_at"]
        try:
            result = self.db[collection].update_one(
                {**filter, marker: {"$exists": False}}, guarded, upsert=upsert)
        except DuplicateKeyError:  # upsert raced with the first application
            return False
        return bool(result.modified_count or result.upserted_id)


def topic_matches(pattern: str, routing_key: str) -> bool:
    """AMQP topic matching: ``*`` is one word, ``#`` zero or more words."""
    regex = "\\.".join(
        "[^.]+" if word == "*" else ".*" if word == "#" else re.escape(word)
        for word in pattern.split("."))
    return re.fullmatch(regex.replace("\\..*", "(\\..*)?"), routing_key) is not None


Handler = Callable[[dict[str, Any], HandlerContext], None]


class EventConsumer:
    def __init__(self, *, bus: EventBus, db: Database, queue: str,
                 handlers: Mapping[str, Handler], max_attempts: int = 5,
                 retry_delay_ms: int = 2000, prefetch: int = 20,
                 redact: Callable[[dict[str, Any]], dict[str, Any]] | None = None) -> None:
        """``redact`` rewrites an event before it is kept in ``<queue>.dead`` (e.g. to
        mask a one-time code that must not sit in a queue an operator reads)."""
        if not handlers:
            raise ValueError("a consumer needs at least one handler")
        self.bus = bus
        self.db = db
        self.queue_name = queue
        self.handlers = dict(handlers)
        self.max_attempts = max_attempts
        self.prefetch = prefetch
        self.redact = redact
        self.retry_delay_ms = retry_delay_ms
        self.queue, self.retry_queue, self.dead_queue = bus.queues(queue, self.handlers.keys())
        # Retries and dead letters go out on a connection of their own: waiting for a
        # publisher confirm on the consuming connection could dispatch the next delivery
        # re-entrantly inside this one's callback.
        self._publisher: Connection | None = None

    def close(self) -> None:
        if self._publisher is not None:
            self._publisher.release()
            self._publisher = None

    def declare(self, connection: Connection) -> None:
        self.bus.declare(connection, self.queue, self.retry_queue, self.dead_queue)

    def ensure_indexes(self, keep_days: int = 30) -> None:
        """Forget handled event ids after ``keep_days`` (no redelivery comes that late)."""
        self.db[HANDLED].create_index("handled_at", expireAfterSeconds=keep_days * 86400)

    def consumer(self, connection: Connection):
        """A kombu consumer to drain on ``connection`` (see :mod:`servicekit.worker`)."""
        consumer = connection.Consumer([self.queue], callbacks=[self.on_message],
                                       accept=["json", "application/json"], no_ack=False)
        consumer.qos(prefetch_count=self.prefetch)
        return consumer

    # -- handling ---------------------------------------------------------------------------

    def on_message(self, _body: Any, message: Message) -> None:
        try:
            event = decode(message.body)
        except InvalidEnvelope as exc:
            self._dead_letter(message, f"invalid envelope: {exc}", attempts=1)
            return
        token = set_correlation_id(event.get("correlation_id"))
        try:
            self._handle(event, message)
        finally:
            reset_correlation_id(token)

    def _handle(self, event: dict[str, Any], message: Message) -> None:
        handled_id = f"{self.queue_name}:{event['id']}"
        if self.db[HANDLED].find_one({"_id": handled_id}, {"_id": 1}):
            log.info("duplicate ignored", extra=log_fields(event_id=event["id"]))
            message.ack()
            return
        handler = self._handler_for(event["type"])
        if handler is None:
            self._dead_letter(message, f"no handler for {event['type']}", attempts=1)
            return
        attempts = int((message.headers or {}).get(ATTEMPTS_HEADER, 0)) + 1
        try:
            handler(event, HandlerContext(self.db, event, self.queue_name))
        except ConnectionFailure:
            raise  # our database is down: not the message's fault; redelivered on reconnect
        except Exception as exc:
            error = f"{type(exc).__name__}: {exc}"
            if attempts >= self.max_attempts:
                log.error("handler failed; dead-lettered", extra=log_fields(
                    event_id=event["id"], attempts=attempts, error=error))
                self._dead_letter(message, error + "\n" + traceback.format_exc(limit=5),
                                  attempts=attempts)
            else:
                log.warning("handler failed; will retry", extra=log_fields(
                    event_id=event["id"], attempts=attempts, error=error))
                self._republish(message, self.retry_queue.name, attempts, error,
                                expiration_ms=self.retry_delay_ms)
            return
        # A competing replica may have recorded a redelivered copy; effects are idempotent.
        with contextlib.suppress(DuplicateKeyError):
            self.db[HANDLED].insert_one({"_id": handled_id, "type": event["type"],
                                         "handled_at": datetime.now(UTC)})
        message.ack()

    def _handler_for(self, event_type: str) -> Handler | None:
        if event_type in self.handlers:
            return self.handlers[event_type]
        return next((handler for pattern, handler in self.handlers.items()
                     if topic_matches(pattern, event_type)), None)

    def _republish(self, message: Message, queue: str, attempts: int, error: str,
                   body: bytes | str | None = None, expiration_ms: int | None = None) -> None:
        headers = dict(message.headers or {})
        headers[ATTEMPTS_HEADER] = attempts
        headers[ERROR_HEADER] = error[:2000]
        headers.setdefault("x-motcua-routing-key", message.delivery_info.get("routing_key"))
        if self._publisher is None:
            self._publisher = self.bus.connection()
        try:
            self.bus.publish(self._publisher, message.body if body is None else body,
                             routing_key=queue,
                             message_id=message.properties.get("message_id") or "",
                             headers=headers, exchange="", expiration_ms=expiration_ms)
        except Exception:
            self.close()  # reconnect next time; the unacked original will be redelivered
            raise
        message.ack()

    def _dead_letter(self, message: Message, error: str, attempts: int) -> None:
        body = None
        if self.redact is not None:
            try:
                body = encode(self.redact(decode(message.body)))
            except InvalidEnvelope:
                body = b"{}"  # cannot tell what a malformed message holds: keep none of it
        self._republish(message, self.dead_queue.name, attempts, error, body)
