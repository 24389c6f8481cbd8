"""The catalog worker process: ``python -m catalog.worker``.

The catalog consumes nothing; its worker relays the outbox (``catalog.agency_changed``,
``catalog.procedure_published``) to the broker.
"""

from __future__ import annotations

from catalog.config import CatalogSettings
from servicekit.bus import EventBus
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.outbox import OutboxRelay
from servicekit.worker import Worker

# Collections whose documents carry an outbox (see servicekit.outbox).
OUTBOX_COLLECTIONS: list[str] = ["agencies", "procedures"]


def build_worker(settings: CatalogSettings) -> Worker:
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, bus)
    return Worker(bus, relay=relay, poll_seconds=settings.outbox_poll_seconds)


def main() -> None:
    settings = CatalogSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    build_worker(settings).run_forever(settings.worker_heartbeat_file or None)


if __name__ == "__main__":
    main()
