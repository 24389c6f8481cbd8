"""The notify worker process: ``python -m notify.worker``.

Two consumers (OTP alone on its queue so a code never waits behind dossier notices; every
other event on the second), the outbox relay publishing ``notify.delivery_failed``, and the
delivery loop that sends retries when they fall due.
"""

from __future__ import annotations

import logging
import threading

from pymongo.database import Database

from notify.bootstrap import build_deps
from notify.config import NotifySettings
from notify.handlers import EVENT_HANDLERS, OTP_HANDLERS, Deps, Handler
from notify.repository import NOTIFICATIONS, create_indexes
from servicekit.bus import EventBus
from servicekit.consumer import EventConsumer
from servicekit.logging import configure_logging, log_fields
from servicekit.mongo import connect
from servicekit.outbox import OutboxRelay
from servicekit.worker import Worker

log = logging.getLogger(__name__)

# Collections whose documents carry an outbox (see servicekit.outbox).
OUTBOX_COLLECTIONS: list[str] = [NOTIFICATIONS]
OTP_QUEUE = "notify.otp"
EVENTS_QUEUE = "notify.events"


def _bind(handler: Handler, deps: Deps):
    def consume(event, _ctx) -> None:
        handler(event, deps)

    return consume


def consumers(settings: NotifySettings, db: Database, bus: EventBus, deps: Deps):
    def consumer(queue: str, handlers: dict[str, Handler]) -> EventConsumer:
        return EventConsumer(
            bus=bus,
            db=db,
            queue=queue,
            handlers={key: _bind(handler, deps) for key, handler in handlers.items()},
            max_attempts=settings.consumer_max_attempts,
            retry_delay_ms=settings.consumer_retry_delay_ms,
            prefetch=settings.consumer_prefetch,
        )

    return [consumer(OTP_QUEUE, OTP_HANDLERS), consumer(EVENTS_QUEUE, EVENT_HANDLERS)]


class DeliveryLoop:
    """Sends notifications that fell due (retries) and recovers abandoned claims."""

    def __init__(self, deps: Deps, poll_seconds: float = 1.0):
        self.deps = deps
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def run_once(self) -> int:
        self.deps.sender.recover()
        return self.deps.sender.send_due()

    def _run(self) -> None:
        while not self.stopping.is_set():
            try:
                sent = self.run_once()
            except Exception as exc:  # Mongo down: wait and try again
                log.warning("delivery loop error", extra=log_fields(error=repr(exc)))
                sent = 0
            if not sent:
                self.stopping.wait(self.poll_seconds)

    def start(self) -> None:
        self.thread = threading.Thread(target=self._run, name="notify-delivery", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout)


def build_worker(settings: NotifySettings, deps: Deps | None = None) -> tuple[Worker, DeliveryLoop]:
    db = connect(settings)
    create_indexes(db, development=settings.dev_messages_enabled)
    bus = EventBus.from_settings(settings)
    deps = deps or build_deps(settings, db)
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, bus)
    worker = Worker(
        bus,
        consumers=consumers(settings, db, bus, deps),
        relay=relay,
        poll_seconds=settings.outbox_poll_seconds,
    )
    return worker, DeliveryLoop(deps, settings.delivery_poll_seconds)


def main() -> None:
    settings = NotifySettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    log.info("starting", extra=log_fields(settings=settings.public_dict()))
    worker, loop = build_worker(settings)
    loop.start()
    try:
        worker.run_forever()
    finally:
        loop.stop()


if __name__ == "__main__":
    main()
