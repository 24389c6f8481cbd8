"""The in-app channel: the notification itself is the inbox entry, so delivery is immediate."""

from __future__ import annotations

from notify.providers.base import OutgoingMessage


class InboxProvider:
    name = "inbox"

    def send(self, message: OutgoingMessage) -> str:
        return message.reference
