"""Transactional outbox on the aggregate's own document.

A state change and the events it causes are written by **one** update of one document, so
they commit together without multi-document transactions. Pending events sit in a map
``outbox.<event id> = {"seq", "type", "body"}`` beside a counter ``outbox_pending``; the relay
publishes each with publisher confirms and only then marks it sent (``sent_at``), keeping
the map as the aggregate's append-only event history.

    update = with_outbox({"$set": {"status": "submitted"}}, [event])
    dossiers.update_one({"_id": id, "version": 6}, update)

(A map, not an array: ``$push`` of sub-documents is broken on nx-27017.)

Events that carry personal data or secrets (identity's OTP codes) can be *sealed* at rest:
pass ``seal`` (e.g. an AES-GCM encrypt function) when writing and ``unseal`` to the relay,
with ``erase_sent=True`` so a body is deleted once the broker confirmed it.
"""
from __future__ import annotations

import itertools
import json
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from kombu import Connection
from pymongo import ASCENDING, IndexModel
from pymongo.database import Database

from servicekit.bus import EventBus
from servicekit.events import encode, utc_now_iso
from servicekit.logging import log_fields, reset_correlation_id, set_correlation_id

log = logging.getLogger("servicekit.outbox")

PENDING = "outbox_pending"
OUTBOX_INDEX = IndexModel([(PENDING, ASCENDING)], name="outbox_pending")
_tiebreak = itertools.count()


Seal = Callable[[str], str]


def _entries(events: Sequence[dict[str, Any]], seal: Seal | None = None
             ) -> dict[str, dict[str, Any]]:
    base = time.time_ns()
    return {
        f"outbox.{event['id']}": {
            # Order of publication: write time, then position in this write.
            "seq": f"{base:020d}-{next(_tiebreak) % 10**6:06d}",
            "type": event["type"],
            "correlation_id": event.get("correlation_id"),
            "body": (seal or str)(encode(event).decode()),
        }
        for event in events
    }


def with_outbox(update: dict[str, Any], events: Sequence[dict[str, Any]], *,
                seal: Seal | None = None) -> dict[str, Any]:
    """Return ``update`` extended so that it also stores ``events`` as pending."""
    if not events:
        return update
    merged = {op: dict(value) for op, value in update.items()}
    merged.setdefault("$set", {}).update(_entries(events, seal))
    merged.setdefault("$inc", {})
    merged["$inc"][PENDING] = merged["$inc"].get(PENDING, 0) + len(events)
    return merged


def new_document_with_outbox(document: dict[str, Any], events: Sequence[dict[str, Any]], *,
                             seal: Seal | None = None) -> dict[str, Any]:
    """Return a document to insert that carries ``events`` as pending."""
    outbox = {key.split(".", 1)[1]: value for key, value in _entries(events, seal).items()}
    return {**document, "outbox": outbox, PENDING: len(events)}


def event_history(document: dict[str, Any], unseal: Seal | None = None
                  ) -> list[dict[str, Any]]:
    """The events recorded on a document, oldest first (those whose body was not erased)."""
    entries = sorted((document.get("outbox") or {}).values(), key=lambda e: e["seq"])
    return [json.loads((unseal or str)(entry["body"])) for entry in entries if "body" in entry]


class OutboxRelay:
    """Publishes pending outbox events of the given collections, in write order per document.

    Several relays may run (replicas): a document is leased while one relay publishes it,
    and a crash between publish and mark only causes a re-publish, which consumers ignore.
    """

    def __init__(self, db: Database, collections: Iterable[str], bus: EventBus, *,
                 batch_size: int = 100, lease_seconds: float = 30.0,
                 unseal: Seal | None = None, erase_sent: bool = False) -> None:
        self.db = db
        self.unseal = unseal or str
        self.erase_sent = erase_sent
        self.collections = list(collections)
        self.bus = bus
        self.batch_size = batch_size
        self.lease_seconds = lease_seconds

    def ensure_indexes(self) -> None:
        for name in self.collections:
            self.db[name].create_indexes([OUTBOX_INDEX])

    def run_once(self, connection: Connection) -> int:
        """Publish what is pending now; return how many events were published."""
        published = 0
        for name in self.collections:
            collection = self.db[name]
            for _ in range(self.batch_size):
                document = self._lease(collection)
                if document is None:
                    break
                published += self._publish_document(connection, collection, document)
        return published

    def _lease(self, collection) -> dict[str, Any] | None:
        now = time.time()
        # An explicit $and: nx-27017 0.8.1 ignores a field condition beside a top-level $or.
        free = {"$or": [{"outbox_lease": {"$exists": False}}, {"outbox_lease": {"$lt": now}}]}
        return collection.find_one_and_update(
            {"$and": [{PENDING: {"$gt": 0}}, free]},
            {"$set": {"outbox_lease": now + self.lease_seconds}},
            projection={"outbox": 1},
        )

    def _publish_document(self, connection: Connection, collection, document) -> int:
        entries = sorted(
            ((event_id, entry) for event_id, entry in (document.get("outbox") or {}).items()
             if not entry.get("sent_at")),
            key=lambda item: item[1]["seq"],
        )
        published: list[str] = []
        try:
            for event_id, entry in entries:
                self._publish_entry(connection, event_id, entry)
                published.append(event_id)
        finally:  # mark what the broker confirmed and free the document, even on failure
            marked = self._mark_sent(collection, document["_id"], published)
        return marked

    def _publish_entry(self, connection: Connection, event_id: str,
                       entry: dict[str, Any]) -> None:
        token = set_correlation_id(entry.get("correlation_id"))
        try:
            self.bus.publish(
                connection, self.unseal(entry["body"]).encode(), routing_key=entry["type"],
                message_id=event_id,
                headers={"correlation_id": entry.get("correlation_id") or ""},
            )
            log.debug("published", extra=log_fields(event_id=event_id, type=entry["type"]))
        finally:
            reset_correlation_id(token)

    def _mark_sent(self, collection, document_id, event_ids: list[str]) -> int:
        """Mark confirmed events sent and release the lease, in one update when possible.

        Only events the broker confirmed are marked: a crash before this means a re-publish,
        which consumers ignore by event id. Each mark is guarded by ``sent_at`` being absent,
        so two relays (a lease that ran out) never count an event twice.
        """
        release = {"$set": {"outbox_lease": 0}}
        if not event_ids:
            collection.update_one({"_id": document_id}, release)
            return 0
        now = utc_now_iso()

        def mark(ids: list[str]) -> dict[str, Any]:
            update: dict[str, Any] = {
                "$set": {**{f"outbox.{i}.sent_at": now for i in ids}, "outbox_lease": 0},
                "$inc": {PENDING: -len(ids)}}
            if self.erase_sent:
                update["$unset"] = {f"outbox.{i}.body": "" for i in ids}
            return update

        def unsent(ids: list[str]) -> dict[str, Any]:
            return {"_id": document_id,
                    **{f"outbox.{i}.sent_at": {"$exists": False} for i in ids}}

        if collection.update_one(unsent(event_ids), mark(event_ids)).modified_count:
            return len(event_ids)
        # Another relay marked some of them meanwhile: mark the rest one by one.
        marked = sum(collection.update_one(unsent([i]), mark([i])).modified_count
                     for i in event_ids)
        collection.update_one({"_id": document_id}, release)
        return marked
