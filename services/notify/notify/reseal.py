"""``python -m notify.reseal``: rewrite stored personal data with the active keys.

Run it once after upgrading from a version that kept contacts, recipients and content in
clear, and after every key rotation (new ``NOTIFY_PII_ACTIVE_KEY`` /
``NOTIFY_LOOKUP_ACTIVE_KEY``, old keys still in the rings until it has finished). Safe while
notify runs: a notification is rewritten only if its ``revision`` did not move meanwhile, a
contact only if its ``version`` did not, and a second run finds nothing to do. It also drops
the indexes on clear addresses.
"""

from __future__ import annotations

import json
from typing import Any

from pymongo.database import Database

from notify.config import NotifySettings
from notify.documents import LEGACY_CLEAR_FIELDS, immutable_fields, notification_from
from notify.repository import (
    CONTACT_FIELDS,
    CONTACTS,
    DEV_MESSAGES,
    NOTIFICATIONS,
    MongoDevSink,
    MongoRepository,
    create_indexes,
)
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.sealing import Sealer

_SEALED_NOTIFICATION = ("recipient_sealed", "content_sealed", "recipient_hash")


def _notification_is_current(sealer: Sealer, doc: dict[str, Any]) -> bool:
    if str(doc.get("recipient_hash", "")).startswith("erased:"):
        return True
    if any(name in doc for name in LEGACY_CLEAR_FIELDS) or "recipient_hash" not in doc:
        return False
    return sealer.is_current(doc.get("recipient_sealed"), doc.get("recipient_hash")) and \
        sealer.is_current(doc.get("content_sealed"))


def reseal_notifications(db: Database, sealer: Sealer) -> int:
    rewritten = 0
    for doc in db[NOTIFICATIONS].find({}, {"outbox": 0}):
        if _notification_is_current(sealer, doc):
            continue
        fields = immutable_fields(notification_from(doc, sealer), sealer)
        result = db[NOTIFICATIONS].update_one(
            {"_id": doc["_id"], "revision": doc.get("revision")},
            {"$set": {k: fields[k] for k in _SEALED_NOTIFICATION},
             "$unset": {k: "" for k in LEGACY_CLEAR_FIELDS}})
        rewritten += result.modified_count
    return rewritten


def reseal_contacts(db: Database, sealer: Sealer) -> int:
    repo = MongoRepository(db, sealer)
    rewritten = 0
    for doc in db[CONTACTS].find({}):
        legacy = any(name in doc for name in CONTACT_FIELDS)
        if not legacy and sealer.is_current(doc.get("sealed")):
            continue
        contact = repo.get_contact(doc["_id"])
        result = db[CONTACTS].update_one(
            {"_id": doc["_id"], "version": doc.get("version")},
            {"$set": {"sealed": sealer.seal_json(f"contact/{doc['_id']}", {
                "email": contact.email, "phone": contact.phone,
                "full_name": contact.full_name})},
             "$unset": {k: "" for k in CONTACT_FIELDS}})
        rewritten += result.modified_count
    return rewritten


def reseal_dev_messages(db: Database, sealer: Sealer) -> int:
    """The development record (1-day TTL): legacy clear entries are replaced."""
    sink = MongoDevSink(db, sealer)
    rewritten = 0
    for doc in db[DEV_MESSAGES].find({}):
        if "to" not in doc and sealer.is_current(doc.get("sealed"), doc.get("to_hash")):
            continue
        sink.record(sink.open_message(doc))
        rewritten += db[DEV_MESSAGES].delete_one({"_id": doc["_id"]}).deleted_count
    return rewritten


def reseal(db: Database, sealer: Sealer, *, development: bool) -> dict[str, int]:
    """Rewrite what is not sealed with the active keys; returns how many per collection."""
    create_indexes(db, development=development)  # drops the indexes on clear addresses
    counts = {"notifications": reseal_notifications(db, sealer),
              "contacts": reseal_contacts(db, sealer)}
    if development:
        counts["dev_messages"] = reseal_dev_messages(db, sealer)
    return counts


def main() -> None:
    settings = NotifySettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    counts = reseal(connect(settings), settings.sealer(),
                    development=settings.dev_messages_enabled)
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
