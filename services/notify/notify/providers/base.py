"""What every provider accepts and how it reports failure."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class OutgoingMessage:
    """A message in clear, ready to hand to a provider; never stored as such."""

    channel: str
    to: str
    text: str
    subject: str = ""
    html: str = ""
    reference: str = ""  # the notification id, for the provider's logs and callbacks


class DeliveryError(Exception):
    """A provider could not deliver; ``permanent`` says whether retrying can help."""

    permanent = False

    def __init__(self, message: str, *, provider: str = ""):
        super().__init__(message)
        self.provider = provider


class TemporaryDeliveryError(DeliveryError):
    """Timeouts, refused connections, 4xx SMTP replies, 5xx/429 gateway answers."""


class PermanentDeliveryError(DeliveryError):
    """The address or number is refused for good; retrying would not help."""

    permanent = True


class Provider(Protocol):
    name: str

    def send(self, message: OutgoingMessage) -> str:
        """Deliver ``message``; return the provider's reference (may be empty)."""
        ...
