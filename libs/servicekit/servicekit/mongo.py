"""MongoDB client and index helpers.

Keep to the subset that behaves the same on MongoDB 7 and on nx-27017 (see
docs/nx-27017-notes.md): no ``$push`` of sub-documents, no compiled regexes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence

from pymongo import IndexModel, MongoClient
from pymongo.database import Database

from servicekit.config import ServiceSettings
from servicekit.outbox_wakeup import OutboxWriteListener, WakeupSender


def connect(settings: ServiceSettings) -> Database:
    """A database handle for the service; the client connects lazily on first use.

    Every write that stores outbox events wakes the service's relay (servicekit.outbox_wakeup).
    """
    timeout = settings.mongo_timeout_ms
    wakeup = WakeupSender.shared(settings.amqp_url, settings.service_name)
    client: MongoClient = MongoClient(
        settings.mongo_url,
        tz_aware=True,
        serverSelectionTimeoutMS=timeout,
        connectTimeoutMS=timeout,
        socketTimeoutMS=max(timeout * 3, 10_000),
        appname=settings.service_name,
        event_listeners=[OutboxWriteListener(wakeup.nudge)],
    )
    return client[settings.mongo_db]


def ensure_indexes(db: Database, indexes: Mapping[str, Sequence[IndexModel]]) -> None:
    """Create the indexes a service declares, ``{collection: [IndexModel, ...]}``."""
    for collection, models in indexes.items():
        if models:
            db[collection].create_indexes(list(models))


def ping(db: Database) -> None:
    """Readiness check: raises when the server cannot be reached."""
    db.client.admin.command("ping")
