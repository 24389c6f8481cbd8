"""Security notices: ``identity.security_alert`` to the account's owner (through the user's
outbox, like every identity event), an audit entry for admins and a Prometheus counter for
operators (``identity_security_alerts_total{kind}``)."""

from __future__ import annotations

import logging
from datetime import datetime

from prometheus_client import Counter

from identity.bootstrap import SOURCE, Services
from identity.domain import events
from identity.domain.consent import iso
from servicekit.events import new_event

log = logging.getLogger(__name__)

SECURITY_ALERTS = Counter(
    "identity_security_alerts_total", "Security alerts raised to account owners", ["kind"]
)


def _parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def raise_alert(svc: Services, user_id: str, kind: str, *, once_since: datetime) -> bool:
    """Alert the owner of ``user_id`` about ``kind``, unless already alerted about it after
    ``once_since`` (an attack in progress gives one notice, not one per attempt).

    The alert time is written on the user with the event (optimistic, retried when another
    write came first). Returns whether an alert was written.
    """
    now = svc.clock.now()
    for _ in range(3):
        user = svc.repo.get_user(user_id)
        if user is None or user.get("status") != "active":
            return False
        last = (user.get("security_alerts") or {}).get(kind)
        if last and _parse(last) > once_since:
            return False
        data = events.security_alert(user_id=user_id, kind=kind, at=iso(now))
        event = new_event(
            events.SECURITY_ALERT,
            data,
            source=SOURCE,
            aggregate_id=user_id,
            aggregate_version=user["version"] + 1,
            tenant=svc.tenant,
        )
        update = {"$set": {f"security_alerts.{kind}": iso(now)}}
        if svc.repo.update_user(user_id, user["version"], update, [event]):
            svc.repo.audit("security_alert", kind, now, user_id=user_id)
            SECURITY_ALERTS.labels(kind=kind).inc()
            return True
    log.warning("security alert %s for a user not written: concurrent updates", kind)
    return False
