"""What the use cases need from storage; Mongo in ``repository``, memory in ``memory``."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from notify.domain.delivery import Notification
from notify.domain.preferences import Contact, Preferences
from notify.domain.templates import Channel, MessageTemplate


class Repository(Protocol):
    def add_notification(self, notification: Notification) -> bool:
        """Insert; False when (event id, channel, recipient) already exists."""
        ...

    def find_notification(
        self, event_id: str, channel: str, recipient: str
    ) -> Notification | None: ...

    def get_notification(self, notification_id: str) -> Notification | None: ...

    def save_notification(self, notification: Notification) -> bool:
        """Write if nobody saved since it was loaded (revision check); bumps the revision.

        Pending events on the notification go to the outbox in the same write.
        """
        ...

    def due_notifications(self, now: datetime, limit: int) -> list[Notification]: ...

    def stale_sending(self, started_before: datetime, limit: int) -> list[Notification]: ...

    def latest_template(self, event_type: str, channel: Channel) -> MessageTemplate | None: ...

    def latest_templates(self, event_type: str) -> dict[Channel, MessageTemplate]:
        """The latest saved version of each channel's template for ``event_type``."""
        ...

    def add_template(self, template: MessageTemplate) -> bool:
        """Insert a new version; False if that version number is taken."""
        ...

    def list_templates(self) -> list[MessageTemplate]: ...

    def get_contact(self, user_id: str) -> Contact | None: ...

    def save_contact(self, contact: Contact, version: int) -> None:
        """Keep the contact unless a newer version (aggregate version) is already stored."""
        ...

    def get_preferences(self, user_id: str) -> Preferences: ...

    def save_preferences(self, user_id: str, preferences: Preferences) -> None: ...

    def inbox(
        self, user_id: str, *, unread_only: bool, offset: int, limit: int
    ) -> tuple[list[Notification], int, int]:
        """(entries newest first, total, unread count)."""
        ...

    def mark_read(self, user_id: str, notification_ids: list[str], now: datetime) -> int:
        """Mark the user's unread inbox entries read (all of them when ``ids`` is empty)."""
        ...

    def mark_unread(self, user_id: str, notification_id: str) -> int: ...

    def forget_user(self, user_id: str) -> None: ...
