"""The notify worker process: ``python -m notify.worker``.

Two consumers (OTP alone on its queue so a code never waits behind dossier notices; every
other event on the second; a dead-lettered OTP keeps no clear code), the outbox relay
publishing ``notify.delivery_failed``, and the delivery task sending retries that fell due.
"""

from __future__ import annotations

import logging

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
from servicekit.worker import PeriodicTask, Worker

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
    def consumer(queue: str, handlers: dict[str, Handler], redact=None) -> EventConsumer:
        return EventConsumer(
            bus=bus,
            db=db,
            queue=queue,
            handlers={key: _bind(handler, deps) for key, handler in handlers.items()},
            max_attempts=settings.consumer_max_attempts,
            retry_delay_ms=settings.consumer_retry_delay_ms,
            prefetch=settings.consumer_prefetch,
            redact=redact,
        )

    return [consumer(OTP_QUEUE, OTP_HANDLERS, redact=_mask_code),
            consumer(EVENTS_QUEUE, EVENT_HANDLERS)]


def delivery_task(deps: Deps, poll_seconds: float = 1.0) -> PeriodicTask:
    """Sends notifications that fell due (retries) and recovers abandoned claims."""

    def run() -> int:
        deps.sender.recover()
        return deps.sender.send_due()

    return PeriodicTask("delivery", run, poll_seconds)


def _mask_code(event: dict) -> dict:
    """An OTP event kept in ``notify.otp.dead`` must not hold the clear code."""
    data = dict(event.get("data") or {})
    if "code" in data:
        data["code"] = "******"
    return {**event, "data": data}


def build_worker(settings: NotifySettings, deps: Deps | None = None) -> Worker:
    db = connect(settings)
    create_indexes(db, development=settings.dev_messages_enabled)
    bus = EventBus.from_settings(settings)
    deps = deps or build_deps(settings, db)
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, bus)
    return Worker(
        bus,
        consumers=consumers(settings, db, bus, deps),
        relay=relay,
        poll_seconds=settings.outbox_poll_seconds,
        tasks=[delivery_task(deps, settings.delivery_poll_seconds)],
    )


def main() -> None:
    settings = NotifySettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    log.info("starting", extra=log_fields(settings=settings.public_dict()))
    build_worker(settings).run_forever(settings.worker_heartbeat_file or None)


if __name__ == "__main__":
    main()
