"""The tracking worker process: ``python -m tracking.worker``."""
from __future__ import annotations

from pymongo.database import Database

from servicekit.bus import EventBus
from servicekit.consumer import EventConsumer
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.worker import Worker
from tracking import repository
from tracking.config import TrackingSettings
from tracking.handlers import handlers

# Collections whose documents carry an outbox (see servicekit.outbox): tracking publishes
# nothing.
OUTBOX_COLLECTIONS: list[str] = []


def build_worker(settings: TrackingSettings, db: Database, bus: EventBus) -> Worker:
    """The worker with its one consumer, ``tracking.dossier-events`` bound to ``dossier.*``."""
    repository.ensure_indexes(db)
    consumer = EventConsumer(
        bus=bus, db=db, queue=settings.consumer_queue,
        handlers=handlers(settings.cccd_hash_key, settings.cipher()),
        max_attempts=settings.consumer_max_attempts,
        retry_delay_ms=settings.consumer_retry_delay_ms,
        prefetch=settings.consumer_prefetch,
    )
    return Worker(bus, consumers=[consumer], poll_seconds=settings.outbox_poll_seconds)


def main() -> None:
    settings = TrackingSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    db = connect(settings)
    worker = build_worker(settings, db, EventBus.from_settings(settings))
    worker.run_forever(settings.worker_heartbeat_file or None)


if __name__ == "__main__":
    main()
