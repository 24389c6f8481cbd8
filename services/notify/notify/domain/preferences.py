"""Who gets which notification on which channel."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from notify.domain.events import CONTACT_CHANGED, OTP_REQUESTED, SECURITY_ALERT, USER_REGISTERED
from notify.domain.templates import Channel


@dataclass(frozen=True)
class Preferences:
    """A citizen's choice of channels; OTP messages, contact-change notices and security
    alerts ignore it: they always go out."""

    email: bool = True
    sms: bool = True
    in_app: bool = True

    def allows(self, channel: Channel) -> bool:
        return bool(getattr(self, str(channel)))


@dataclass(frozen=True)
class Contact:
    user_id: str | None = None
    email: str = ""
    phone: str = ""
    full_name: str = ""


@dataclass(frozen=True)
class Delivery:
    """One (channel, recipient) to notify; ``recipient`` is an address or a user id."""

    channel: Channel
    recipient: str
    user_id: str | None = None


def otp_destination(data: Mapping[str, Any]) -> Delivery | None:
    """An OTP goes to exactly the channel and address identity chose."""
    channel = str(data.get("channel") or "sms").lower()
    destination = str(data.get("destination") or data.get(channel) or "")
    if channel == "totp" or not destination:
        return None  # an authenticator app code is never sent by us
    if channel not in (Channel.EMAIL, Channel.SMS):
        return None
    return Delivery(Channel(channel), destination, data.get("user_id"))


CONTACT_CHANNELS = {"phone": Channel.SMS, "email": Channel.EMAIL}


def replaced_contact(data: Mapping[str, Any]) -> Delivery | None:
    """A contact-change notice goes to the *replaced* phone (SMS) or email, and only there:
    our contact copy may already hold the new one."""
    channel = CONTACT_CHANNELS.get(str(data.get("field") or ""))
    destination = str(data.get("old_destination") or "")
    if channel is None or not destination:
        return None
    return Delivery(channel, destination, data.get("user_id"))


def deliveries_for(
    event_type: str, data: Mapping[str, Any], contact: Contact, prefs: Preferences
) -> list[Delivery]:
    """The (channel, recipient) pairs an event is sent to."""
    if event_type == OTP_REQUESTED:
        otp = otp_destination(data)
        return [otp] if otp else []
    if event_type == CONTACT_CHANGED:
        old = replaced_contact(data)
        return [old] if old else []
    if event_type == SECURITY_ALERT:  # the owner, on every current contact, whatever the choice
        prefs = Preferences()
    wanted: list[Delivery] = []
    if contact.email and prefs.email:
        wanted.append(Delivery(Channel.EMAIL, contact.email, contact.user_id))
    # The welcome message is an email (and inbox entry); SMS is kept for things that matter.
    if contact.phone and prefs.sms and event_type != USER_REGISTERED:
        wanted.append(Delivery(Channel.SMS, contact.phone, contact.user_id))
    if contact.user_id and prefs.in_app:
        wanted.append(Delivery(Channel.IN_APP, contact.user_id, contact.user_id))
    return wanted
