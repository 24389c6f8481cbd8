"""The in-app channel: the notification itself is the inbox entry, so delivery is immediate."""

from __future__ import annotations

from notify.providers.base import OutgoingMessage


class InboxProvider:
    name = "inbox"
    # Sending has no effect outside notify: the sender stores a new in-app notification
    # already delivered, in one insert (see ``Sender.send_new``).
    delivers_by_storing = True

    def send(self, message: OutgoingMessage) -> str:
        return message.reference
