"""An in-memory repository: the fake the unit tests run the use cases on."""

from __future__ import annotations

import copy
import threading
from datetime import datetime
from typing import Any

from notify.domain.delivery import CLAIMABLE, Notification, Status
from notify.domain.preferences import Contact, Preferences
from notify.domain.templates import Channel, MessageTemplate


class InMemoryRepository:
    def __init__(self) -> None:
        self.notifications: dict[str, Notification] = {}
        self.templates: list[MessageTemplate] = []
        self.contacts: dict[str, tuple[int, Contact]] = {}
        self.preferences: dict[str, Preferences] = {}
        self.outbox: list[dict[str, Any]] = []
        self._lock = threading.RLock()

    def add_notification(self, notification: Notification) -> bool:
        with self._lock:
            key = (notification.event_id, notification.channel, notification.recipient)
            if self.find_notification(*key) is not None:
                return False
            notification.revision = 1
            self.outbox.extend(notification.pending_events)
            notification.pending_events = []
            self.notifications[notification.id] = copy.deepcopy(notification)
            return True

    def find_notification(self, event_id: str, channel: str, recipient: str):
        with self._lock:
            for n in self.notifications.values():
                if (n.event_id, n.channel, n.recipient) == (event_id, channel, recipient):
                    return copy.deepcopy(n)
        return None

    def get_notification(self, notification_id: str) -> Notification | None:
        with self._lock:
            found = self.notifications.get(notification_id)
            return copy.deepcopy(found) if found else None

    def save_notification(self, notification: Notification) -> bool:
        with self._lock:
            stored = self.notifications.get(notification.id)
            if stored is None or stored.revision != notification.revision:
                return False
            notification.revision += 1
            self.outbox.extend(notification.pending_events)
            notification.pending_events = []
            self.notifications[notification.id] = copy.deepcopy(notification)
            return True

    def due_notifications(self, now: datetime, limit: int) -> list[Notification]:
        with self._lock:
            due = [
                n
                for n in self.notifications.values()
                if n.status in CLAIMABLE and n.next_attempt_at and n.next_attempt_at <= now
            ]
            due.sort(key=lambda n: (-n.priority, n.next_attempt_at))
            return [copy.deepcopy(n) for n in due[:limit]]

    def stale_sending(self, started_before: datetime, limit: int) -> list[Notification]:
        with self._lock:
            stale = [
                n
                for n in self.notifications.values()
                if n.status == Status.SENDING and n.history[-1].at < started_before
            ]
            return [copy.deepcopy(n) for n in stale[:limit]]

    def latest_template(self, event_type: str, channel: Channel) -> MessageTemplate | None:
        found = [t for t in self.templates if t.key == (event_type, channel)]
        return max(found, key=lambda t: t.version) if found else None

    def latest_templates(self, event_type: str) -> dict[Channel, MessageTemplate]:
        found: dict[Channel, MessageTemplate] = {}
        for template in sorted(self.templates, key=lambda t: -t.version):
            if template.event_type == event_type:
                found.setdefault(template.channel, template)
        return found

    def add_template(self, template: MessageTemplate) -> bool:
        with self._lock:
            if any(t.key == template.key and t.version == template.version for t in self.templates):
                return False
            self.templates.append(template)
            return True

    def list_templates(self) -> list[MessageTemplate]:
        return list(self.templates)

    def get_contact(self, user_id: str) -> Contact | None:
        found = self.contacts.get(user_id)
        return found[1] if found else None

    def save_contact(self, contact: Contact, version: int) -> None:
        with self._lock:
            current = self.contacts.get(str(contact.user_id))
            if current is None or current[0] < version:
                self.contacts[str(contact.user_id)] = (version, contact)

    def get_preferences(self, user_id: str) -> Preferences:
        return self.preferences.get(user_id, Preferences())

    def save_preferences(self, user_id: str, preferences: Preferences) -> None:
        self.preferences[user_id] = preferences

    def inbox(self, user_id: str, *, unread_only: bool, offset: int, limit: int):
        with self._lock:
            entries = [
                n
                for n in self.notifications.values()
                if n.channel == Channel.IN_APP
                and n.user_id == user_id
                and n.status == Status.DELIVERED
            ]
        unread = sum(1 for n in entries if n.read_at is None)
        if unread_only:
            entries = [n for n in entries if n.read_at is None]
        entries.sort(key=lambda n: n.created_at, reverse=True)
        return [copy.deepcopy(n) for n in entries[offset : offset + limit]], len(entries), unread

    def mark_read(self, user_id: str, notification_ids: list[str], now: datetime) -> int:
        count = 0
        with self._lock:
            if not notification_ids:
                notification_ids = [n.id for n in self.notifications.values()]
            for notification_id in notification_ids:
                n = self.notifications.get(notification_id)
                if n and n.user_id == user_id and n.channel == Channel.IN_APP and not n.read_at:
                    n.read_at = now
                    count += 1
        return count

    def mark_unread(self, user_id: str, notification_id: str) -> int:
        n = self.notifications.get(notification_id)
        if n and n.user_id == user_id and n.channel == Channel.IN_APP:
            n.read_at = None
            return 1
        return 0

    def forget_user(self, user_id: str) -> None:
        with self._lock:
            self.contacts.pop(user_id, None)
            self.preferences.pop(user_id, None)
            for key, n in list(self.notifications.items()):
                if n.user_id != user_id:
                    continue
                if n.channel == Channel.IN_APP:
                    del self.notifications[key]
                else:
                    n.subject = n.body = n.html = ""
                    n.recipient, n.user_id = f"erased:{n.id}", None
