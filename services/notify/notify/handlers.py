"""Use cases: events in, notifications out. The handler map at the bottom lists them all.

Contact details (a deliberate choice, see services/notify/README.md): OTP and
user_registered events carry the destination. For dossier events notify keeps its own copy
of each user's email and phone, built from ``identity.user_registered`` and
``identity.profile_updated``; contact fields on the dossier event itself
(``applicant.email`` / ``applicant.phone``), when present, win.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from notify.domain.default_templates import DEFAULT_TEMPLATES
from notify.domain.delivery import Notification, Status
from notify.domain.events import (
    CONTACT_CHANGED,
    OTP_REQUESTED,
    PROFILE_UPDATED,
    SECURITY_ALERT,
    USER_DELETED,
    USER_REGISTERED,
    EventSpec,
    Links,
    placeholder_values,
    spec_for,
)
from notify.domain.formatting import pick
from notify.domain.masking import redact
from notify.domain.preferences import Contact, Delivery, Preferences, deliveries_for
from notify.domain.sms import sms_length
from notify.domain.templates import Channel, MessageTemplate, next_version, render
from notify.ports import Repository
from notify.sending import Sender
from notify.template_cache import TemplateCache
from servicekit.logging import log_fields

log = logging.getLogger(__name__)

Event = Mapping[str, Any]  # an envelope as in ARCHITECTURE.md: id, type, data, ...


@dataclass
class Deps:
    repo: Repository
    sender: Sender
    templates: TemplateCache  # what notices are rendered with
    links: Links
    clock: Callable[[], datetime]
    sms_without_diacritics: bool = False


def template_for(repo: Repository, event_type: str, channel: Channel) -> MessageTemplate | None:
    """The version in force now, read from the database (saving needs the very latest)."""
    return repo.latest_template(event_type, channel) or DEFAULT_TEMPLATES.get((event_type, channel))


def save_template(repo: Repository, draft: MessageTemplate) -> MessageTemplate:
    """Validate and store ``draft`` as the next version (raises ``TemplateError``)."""
    while True:
        current = template_for(repo, draft.event_type, Channel(draft.channel))
        saved = next_version(draft, current)
        if repo.add_template(saved):
            return saved


def contact_from_identity(data: Mapping[str, Any]) -> Contact:
    return Contact(
        user_id=str(pick(data, "user_id", "id")) or None,
        email=str(pick(data, "email")),
        phone=str(pick(data, "phone")),
        full_name=str(pick(data, "full_name")),
    )


def resolve_contact(event: Event, repo: Repository) -> Contact:
    """Who a dossier event is about: contact fields on the event first, then our copy."""
    data = event.get("data") or {}
    user_id = str(
        pick(data, "applicant.user_id", "applicant_id", "owner_id", "citizen_id", "user_id")
    )
    stored = repo.get_contact(user_id) if user_id else None
    stored = stored or Contact(user_id=user_id or None)
    return Contact(
        user_id=user_id or None,
        email=str(pick(data, "applicant.email", "email", default=stored.email)),
        phone=str(pick(data, "applicant.phone", "phone", default=stored.phone)),
        full_name=str(
            pick(data, "applicant.full_name", "applicant_name", default=stored.full_name)
        ),
    )


def _expiry(event: Event, now: datetime) -> datetime | None:
    data = event.get("data") or {}
    seconds = pick(data, "expires_in", "ttl_seconds", default=None)
    return now + timedelta(seconds=int(seconds)) if seconds else None


def _new_notification(
    event: Event, spec: EventSpec, delivery: Delivery, values: dict[str, str], deps: Deps
) -> Notification | None:
    template = deps.templates.template(spec.event_type, delivery.channel)
    if template is None:
        log.warning("no template", extra=log_fields(event_type=spec.event_type))
        return None
    options = {"sms_without_diacritics": deps.sms_without_diacritics}
    shown = render(template, values, mask_secrets=True, **options)
    clear = render(template, values, **options)
    secrets = [values[name] for name in spec.secrets]
    now = deps.clock()
    notification = Notification(
        event_id=str(event["id"]),
        event_type=spec.event_type,
        channel=str(delivery.channel),
        recipient=delivery.recipient,
        user_id=delivery.user_id,
        created_at=now,
        subject=redact(shown.subject, secrets),
        body=redact(shown.text, secrets),
        html=redact(shown.html, secrets),
        priority=spec.priority,
        template_version=template.version,
        expires_at=_expiry(event, now) if spec.secrets else None,
        sms_segments=sms_length(clear.text).segments if delivery.channel == Channel.SMS else 0,
    )
    if spec.secrets:
        notification.sealed = deps.sender.sealer.seal(clear)
    return notification


def notify(event: Event, deps: Deps, contact: Contact | None = None) -> list[Notification]:
    """Create one notification per (channel, recipient) for ``event`` and try to send it.

    A redelivered event finds its notifications already there: nothing new is created, and
    only one stored but never claimed (by a version that inserted before claiming) is sent
    now; one left ``sending`` by a process that died is the delivery loop's (``recover``).
    """
    spec = spec_for(str(event["type"]))
    if spec is None:
        return []
    data = event.get("data") or {}
    contact = contact or resolve_contact(event, deps.repo)
    prefs = deps.repo.get_preferences(contact.user_id) if contact.user_id else None
    values = placeholder_values(spec.event_type, data, deps.links)
    if "full_name" in values and not values["full_name"]:
        values["full_name"] = contact.full_name or "Quý công dân"
    wanted = deliveries_for(spec.event_type, data, contact, prefs or Preferences())
    results = []
    for delivery in wanted:
        notification = _new_notification(event, spec, delivery, values, deps)
        if notification is None:
            continue
        sent = deps.sender.send_new(notification)
        if sent is None:  # stored by an earlier delivery of this event
            sent = deps.repo.find_notification(
                notification.event_id, notification.channel, notification.recipient
            )
            if sent is not None and sent.status == Status.CREATED:
                sent = deps.sender.send(sent)
        results.extend([sent] if sent else [])
    return results


def on_user_registered(event: Event, deps: Deps) -> list[Notification]:
    contact = contact_from_identity(event.get("data") or {})
    if contact.user_id:
        deps.repo.save_contact(contact, int(event.get("aggregate_version") or 0))
    return notify(event, deps, contact)


def on_profile_updated(event: Event, deps: Deps) -> list[Notification]:
    """Keep our contact copy current; identity sends every contact field, a cleared one too."""
    data = event.get("data") or {}
    user_id = str(pick(data, "user_id"))
    if not user_id:
        return []
    current = deps.repo.get_contact(user_id) or Contact(user_id=user_id)
    given = {
        key: str(data.get(key) or "") for key in ("email", "phone", "full_name") if key in data
    }
    deps.repo.save_contact(replace(current, **given), int(event.get("aggregate_version") or 0))
    return []


def on_user_deleted(event: Event, deps: Deps) -> list[Notification]:
    """Personal data protection: forget the user's contact copy, choices and inbox."""
    user_id = str(pick(event.get("data") or {}, "user_id"))
    if user_id:
        deps.repo.forget_user(user_id)
    return []


def on_contact_changed(event: Event, deps: Deps) -> list[Notification]:
    """Tell the replaced phone (SMS) or email that it no longer receives the account's codes
    — a security notice: no preference turns it off, and it never goes to the new contact."""
    return notify(event, deps)


def on_security_alert(event: Event, deps: Deps) -> list[Notification]:
    """A change to what signs the account in (second factor, password, sessions): the owner is
    told on every contact notify knows now — email, SMS and inbox — whatever the preferences,
    so a change they did not make is noticed even if someone else holds a session."""
    return notify(event, deps)


def on_otp_requested(event: Event, deps: Deps) -> list[Notification]:
    return notify(event, deps)


def on_dossier_event(event: Event, deps: Deps) -> list[Notification]:
    return notify(event, deps)


Handler = Callable[[Event, Deps], list[Notification]]

# Everything notify does, on one screen. Queues: OTP alone, so a code never waits behind
# dossier notices; everything else shares the second queue.
OTP_HANDLERS: dict[str, Handler] = {OTP_REQUESTED: on_otp_requested}
EVENT_HANDLERS: dict[str, Handler] = {
    USER_REGISTERED: on_user_registered,
    PROFILE_UPDATED: on_profile_updated,
    USER_DELETED: on_user_deleted,
    CONTACT_CHANGED: on_contact_changed,
    SECURITY_ALERT: on_security_alert,
    "dossier.*": on_dossier_event,
}
