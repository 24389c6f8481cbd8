"""The submission worker process: ``python -m submission.worker``."""
from __future__ import annotations

from servicekit.bus import EventBus
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.outbox import OutboxRelay
from servicekit.worker import Worker

from submission.config import SubmissionSettings

# Collections whose documents carry an outbox (see servicekit.outbox).
OUTBOX_COLLECTIONS: list[str] = []


def main() -> None:
    settings = SubmissionSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    Worker(bus, consumers=[], relay=OutboxRelay(db, OUTBOX_COLLECTIONS, bus), poll_seconds=settings.outbox_poll_seconds).run_forever()


if __name__ == "__main__":
    main()
