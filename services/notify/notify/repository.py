"""MongoDB storage of notify: notifications (with their outbox), templates, contacts,
preferences and, in development only, the dev message record. Indexes are declared here.

Kept inside the subset nx-27017 handles the same as MongoDB 7 (docs/nx-27017-notes.md):
datetimes only at the top level of documents (history entries hold ISO strings), whole-array
``$set`` instead of ``$push``, booleans rather than ``null`` in queries.

Personal data is sealed here and in :mod:`notify.documents` (servicekit.sealing, notify's
own key rings): contacts, each notification's recipient and content, the dev record; phone
numbers and emails are found by their keyed hash.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError, PyMongoError

from notify.documents import (
    LEGACY_CLEAR_FIELDS,
    immutable_fields,
    iso,
    ms,
    mutable_fields,
    notification_from,
    parse_time,
    recipient_candidates,
    template_from,
)
from notify.domain.addresses import canonical_address
from notify.domain.delivery import CLAIMABLE, Notification, Status
from notify.domain.preferences import Contact, Preferences
from notify.domain.templates import Channel, MessageTemplate
from notify.providers.dev import DevMessage
from servicekit.events import new_event
from servicekit.mongo import ensure_indexes
from servicekit.outbox import new_document_with_outbox, with_outbox
from servicekit.sealing import Sealer

NOTIFICATIONS = "notifications"
TEMPLATES = "templates"
CONTACTS = "contacts"
PREFERENCES = "preferences"
DEV_MESSAGES = "dev_messages"
DEV_TO = "dev_message.to"
SOURCE = "notify"

INDEXES = {
    NOTIFICATIONS: [
        # One notification per (event, channel, recipient), however often the event arrives.
        IndexModel(
            [("event_id", ASCENDING), ("channel", ASCENDING), ("recipient_hash", ASCENDING)],
            unique=True,
            name="one_per_event_channel_recipient_hash",
        ),
        IndexModel(
            [("status", ASCENDING), ("priority", DESCENDING), ("due_ms", ASCENDING)],
            name="due",
        ),
        IndexModel(
            [("user_id", ASCENDING), ("channel", ASCENDING), ("created_ms", DESCENDING)],
            name="inbox",
        ),
    ],
    TEMPLATES: [
        IndexModel(
            [("event_type", ASCENDING), ("channel", ASCENDING), ("version", DESCENDING)],
            unique=True,
            name="template_version",
        )
    ],
}
DEV_INDEXES = {
    DEV_MESSAGES: [
        IndexModel([("to_hash", ASCENDING), ("sent_ms", DESCENDING)], name="to_hash_sent"),
        IndexModel([("expire_at", ASCENDING)], expireAfterSeconds=86400, name="expire_1d"),
    ]
}


# Indexes on clear addresses, from before sealing (the unique one would now collide on null).
LEGACY_INDEXES = {NOTIFICATIONS: "one_per_event_channel_recipient", DEV_MESSAGES: "to_sent"}
CONTACT_FIELDS = ("email", "phone", "full_name")


def create_indexes(db: Database, *, development: bool) -> None:
    for collection, name in LEGACY_INDEXES.items():
        with contextlib.suppress(PyMongoError):  # absent on a new database
            db[collection].drop_index(name)
    ensure_indexes(db, INDEXES)
    if development:
        ensure_indexes(db, DEV_INDEXES)


def _envelopes(n: Notification) -> list[dict[str, Any]]:
    return [
        new_event(
            pending["type"],
            pending["data"],
            source=SOURCE,
            aggregate_id=pending["aggregate_id"],
            aggregate_version=n.revision + 1,
        )
        for pending in n.pending_events
    ]


PROJECTION = {"outbox": 0}


class MongoRepository:
    def __init__(self, db: Database, sealer: Sealer):
        self.db = db
        self.sealer = sealer
        self.notifications = db[NOTIFICATIONS]

    # -- notifications ---------------------------------------------------------------------

    def add_notification(self, notification: Notification) -> bool:
        document = {
            "_id": notification.id,
            **immutable_fields(notification, self.sealer),
            **mutable_fields(notification),
            "revision": 1,
        }
        document = new_document_with_outbox(document, _envelopes(notification))
        try:
            self.notifications.insert_one(document)
        except DuplicateKeyError:
            return False
        notification.revision = 1
        notification.pending_events = []
        return True

    def find_notification(self, event_id: str, channel: str, recipient: str):
        hashes = recipient_candidates(self.sealer, recipient)
        doc = self.notifications.find_one(
            {"event_id": event_id, "channel": channel, "recipient_hash": {"$in": hashes}},
            PROJECTION,
        )
        return notification_from(doc, self.sealer) if doc else None

    def get_notification(self, notification_id: str) -> Notification | None:
        doc = self.notifications.find_one({"_id": notification_id}, PROJECTION)
        return notification_from(doc, self.sealer) if doc else None

    def save_notification(self, notification: Notification) -> bool:
        update = with_outbox(
            {"$set": {**mutable_fields(notification), "revision": notification.revision + 1}},
            _envelopes(notification),
        )
        result = self.notifications.update_one(
            {"_id": notification.id, "revision": notification.revision}, update
        )
        if result.matched_count == 0:
            return False
        notification.revision += 1
        notification.pending_events = []
        return True

    def due_notifications(self, now: datetime, limit: int) -> list[Notification]:
        cursor = (
            self.notifications.find(
                {"status": {"$in": [str(s) for s in CLAIMABLE]}, "due_ms": {"$lte": ms(now)}},
                PROJECTION,
            )
            .sort([("priority", DESCENDING), ("due_ms", ASCENDING)])
            .limit(limit)
        )
        return [notification_from(doc, self.sealer) for doc in cursor]

    def stale_sending(self, started_before: datetime, limit: int) -> list[Notification]:
        cursor = self.notifications.find(
            {"status": str(Status.SENDING), "updated_ms": {"$lt": ms(started_before)}}, PROJECTION
        ).limit(limit)
        return [notification_from(doc, self.sealer) for doc in cursor]

    # -- templates -------------------------------------------------------------------------

    def latest_template(self, event_type: str, channel: Channel) -> MessageTemplate | None:
        doc = self.db[TEMPLATES].find_one(
            {"event_type": event_type, "channel": str(channel)},
            sort=[("version", DESCENDING)],
        )
        return template_from(doc) if doc else None

    def latest_templates(self, event_type: str) -> dict[Channel, MessageTemplate]:
        found: dict[Channel, MessageTemplate] = {}
        for doc in self.db[TEMPLATES].find({"event_type": event_type}).sort("version", DESCENDING):
            template = template_from(doc)
            found.setdefault(template.channel, template)
        return found

    def add_template(self, template: MessageTemplate) -> bool:
        try:
            self.db[TEMPLATES].insert_one(
                {
                    "_id": f"{template.event_type}:{template.channel}:{template.version}",
                    "event_type": template.event_type,
                    "channel": str(template.channel),
                    "version": template.version,
                    "subject": template.subject,
                    "text": template.text,
                    "html": template.html,
                    "created_at": datetime.now(UTC),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    def list_templates(self) -> list[MessageTemplate]:
        cursor = self.db[TEMPLATES].find().sort([("event_type", 1), ("channel", 1), ("version", 1)])
        return [template_from(doc) for doc in cursor]

    # -- contacts and preferences ----------------------------------------------------------

    def get_contact(self, user_id: str) -> Contact | None:
        doc = self.db[CONTACTS].find_one({"_id": user_id})
        if not doc:
            return None
        clear = self.sealer.open_json(f"contact/{user_id}", doc.get("sealed"), None) or doc
        return Contact(
            user_id=user_id,
            email=clear.get("email") or "",
            phone=clear.get("phone") or "",
            full_name=clear.get("full_name") or "",
        )

    def save_contact(self, contact: Contact, version: int) -> None:
        # A newer version already stored makes the upsert collide with it: keep the newer.
        with contextlib.suppress(DuplicateKeyError):
            self.db[CONTACTS].update_one(
                {"_id": contact.user_id, "version": {"$lte": version}},
                {
                    "$set": {
                        "sealed": self.sealer.seal_json(f"contact/{contact.user_id}", {
                            "email": contact.email, "phone": contact.phone,
                            "full_name": contact.full_name}),
                        "version": version,
                        "updated_at": datetime.now(UTC),
                    },
                    "$unset": {k: "" for k in CONTACT_FIELDS},  # copies kept before sealing
                },
                upsert=True,
            )

    def get_preferences(self, user_id: str) -> Preferences:
        doc = self.db[PREFERENCES].find_one({"_id": user_id})
        if not doc:
            return Preferences()
        return Preferences(
            # bool(): nx-27017 returns booleans written by $set as 0/1.
            email=bool(doc.get("email", True)), sms=bool(doc.get("sms", True)),
            in_app=bool(doc.get("in_app", True))
        )

    def save_preferences(self, user_id: str, preferences: Preferences) -> None:
        self.db[PREFERENCES].update_one(
            {"_id": user_id},
            {
                "$set": {
                    "email": preferences.email,
                    "sms": preferences.sms,
                    "in_app": preferences.in_app,
                    "updated_at": datetime.now(UTC),
                }
            },
            upsert=True,
        )

    # -- inbox -----------------------------------------------------------------------------

    def _inbox_filter(self, user_id: str) -> dict[str, Any]:
        return {
            "user_id": user_id,
            "channel": str(Channel.IN_APP),
            "status": str(Status.DELIVERED),
        }

    def inbox(self, user_id: str, *, unread_only: bool, offset: int, limit: int):
        query = self._inbox_filter(user_id)
        unread = self.notifications.count_documents({**query, "read": False})
        if unread_only:
            query["read"] = False
        total = self.notifications.count_documents(query)
        cursor = (
            self.notifications.find(query, PROJECTION)
            .sort("created_ms", DESCENDING)
            .skip(offset)
            .limit(limit)
        )
        return [notification_from(doc, self.sealer) for doc in cursor], total, unread

    def mark_read(self, user_id: str, notification_ids: list[str], now: datetime) -> int:
        query = {**self._inbox_filter(user_id), "read": False}
        if notification_ids:
            query["_id"] = {"$in": list(notification_ids)}
        result = self.notifications.update_many(
            query, {"$set": {"read": True, "read_at": iso(now)}}
        )
        return result.modified_count

    def mark_unread(self, user_id: str, notification_id: str) -> int:
        query = {**self._inbox_filter(user_id), "_id": notification_id}
        result = self.notifications.update_one(query, {"$set": {"read": False, "read_at": None}})
        return result.matched_count

    # -- users leaving ---------------------------------------------------------------------

    def forget_user(self, user_id: str) -> None:
        """Erase what notify keeps about a deleted user (contact, choices, inbox, addresses)."""
        self.db[CONTACTS].delete_one({"_id": user_id})
        self.db[PREFERENCES].delete_one({"_id": user_id})
        self.notifications.delete_many({"user_id": user_id, "channel": str(Channel.IN_APP)})
        # Delivery records stay for audit, without the address or the content.
        for doc in self.notifications.find({"user_id": user_id}, {"_id": 1}):
            self.notifications.update_one(
                {"_id": doc["_id"]},
                {
                    "$set": {
                        "recipient_hash": f"erased:{doc['_id']}",
                        "recipient_sealed": None,
                        "content_sealed": None,
                        "user_id": None,
                    },
                    "$unset": {k: "" for k in LEGACY_CLEAR_FIELDS},
                },
            )


class MongoDevSink:
    """The dev message record shared by the worker (writes) and the web app (reads).

    Development only, yet sealed like the rest (a developer's database holds real test
    people's numbers too): ``to_hash`` finds a destination in any spelling.
    """

    def __init__(self, db: Database, sealer: Sealer):
        self.collection = db[DEV_MESSAGES]
        self.sealer = sealer

    def record(self, message: DevMessage) -> None:
        message_id = uuid.uuid4().hex
        clear = {"to": message.to, "subject": message.subject, "body": message.body}
        self.collection.insert_one(
            {
                "_id": message_id,
                "channel": message.channel,
                "to_hash": self.sealer.index.hash(DEV_TO, canonical_address(message.to)),
                "sealed": self.sealer.seal_json(f"{DEV_MESSAGES}/{message_id}", clear),
                "sent_at": iso(message.sent_at),
                "sent_ms": ms(message.sent_at),
                # TTL indexes need a real date; only the expiry reads it.
                "expire_at": message.sent_at,
            }
        )

    def list(self, to: str | None = None, limit: int = 50) -> list[DevMessage]:
        query = {}
        if to:
            query = {"to_hash": {"$in": self.sealer.candidates(DEV_TO, canonical_address(to))}}
        cursor = self.collection.find(query).sort("sent_ms", DESCENDING).limit(limit)
        return [self.open_message(d) for d in cursor]

    def open_message(self, d: dict[str, Any]) -> DevMessage:
        clear = self.sealer.open_json(f"{DEV_MESSAGES}/{d['_id']}", d.get("sealed"), None) or d
        return DevMessage(d["channel"], clear["to"], clear.get("subject", ""), clear["body"],
                          parse_time(d["sent_at"]))
