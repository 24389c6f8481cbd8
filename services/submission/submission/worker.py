"""The submission worker process: ``python -m submission.worker``.

Runs the outbox relay (dossier events, sealed at rest), the consumers that keep local copies
of published procedures and consented profiles, and the retention job for abandoned drafts.
``python -m submission.worker purge-drafts`` runs the retention job once and exits.
"""
from __future__ import annotations

import logging
import sys

from servicekit.bus import EventBus
from servicekit.consumer import EventConsumer
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.outbox import OutboxRelay
from servicekit.worker import PeriodicTask, Worker
from submission import consumers, handlers, repository
from submission.bootstrap import Services
from submission.config import SubmissionSettings
from submission.storage import AttachmentStore

log = logging.getLogger("submission.worker")

# Collections whose documents carry an outbox (see servicekit.outbox).
OUTBOX_COLLECTIONS: list[str] = [repository.DOSSIERS]


def retention_task(svc: Services) -> PeriodicTask:
    """Purge abandoned drafts; a full batch (work left) runs again at once."""

    def run() -> bool:
        purged = handlers.purge_drafts(svc)
        if purged:
            log.info("drafts purged", extra={"fields": {"count": purged}})
        return purged >= handlers.PURGE_BATCH

    return PeriodicTask("purge-drafts", run, svc.settings.retention_interval_seconds)


def build_worker(settings: SubmissionSettings, db, bus: EventBus,
                 svc: Services | None = None) -> Worker:
    sealer = svc.sealer if svc else settings.sealer()
    queues = [
        EventConsumer(bus=bus, db=db, queue=queue, handlers=handlers_,
                      max_attempts=settings.consumer_max_attempts,
                      retry_delay_ms=settings.consumer_retry_delay_ms,
                      prefetch=settings.consumer_prefetch)
        for queue, handlers_ in consumers.handlers(sealer).items()
    ]
    # Event bodies name the applicant: sealed in the outbox, erased once published.
    relay = OutboxRelay(db, OUTBOX_COLLECTIONS, bus, unseal=sealer.open_event, erase_sent=True)
    return Worker(bus, consumers=queues, relay=relay,
                  poll_seconds=settings.outbox_poll_seconds,
                  tasks=[retention_task(svc)] if svc else [])


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    settings = SubmissionSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    db = connect(settings)
    svc = Services.from_settings(db, AttachmentStore.from_settings(settings), settings)
    if argv[:1] == ["purge-drafts"]:
        print(f"purged {handlers.purge_drafts(svc)} drafts")
        return
    repository.create_indexes(db)
    worker = build_worker(settings, db, EventBus.from_settings(settings), svc)
    worker.run_forever(settings.worker_heartbeat_file or None)


if __name__ == "__main__":
    main()
