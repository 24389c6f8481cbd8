"""Sending one notification: claim it, hand it to its provider, record the outcome."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from notify.domain.delivery import Notification, RetryPolicy, Status
from notify.domain.masking import mask_recipient
from notify.domain.templates import RenderedMessage
from notify.ports import Repository
from notify.providers.base import DeliveryError, OutgoingMessage, Provider
from notify.sealing import Sealer, SealError
from servicekit.logging import log_fields

log = logging.getLogger(__name__)


@dataclass
class Sender:
    repo: Repository
    providers: Mapping[str, Provider]  # channel → provider
    sealer: Sealer
    policy: RetryPolicy
    clock: Callable[[], datetime]
    # A claim older than this is considered abandoned by a dead process (see ``recover``).
    claim_timeout: timedelta = timedelta(minutes=5)
    # Messages that expire (OTP codes) retry on a tighter schedule than dossier notices.
    expiring_policy: RetryPolicy | None = None

    def policy_for(self, notification: Notification) -> RetryPolicy:
        if notification.expires_at is not None and self.expiring_policy is not None:
            return self.expiring_policy
        return self.policy

    def send_new(self, notification: Notification) -> Notification | None:
        """Store a new notification and make its first attempt; None if it exists already.

        The insert carries the claim that ``send`` would write next (one write instead of
        two): a process dying after it leaves the notification ``sending``, retried by
        ``recover`` after the claim timeout, exactly as a death between claim and provider
        call. Where storing is the delivery (the inbox), the insert records the whole attempt.
        """
        notification.start_sending(self.clock())
        claimed = notification.status == Status.SENDING  # not expired already
        provider = self.providers[notification.channel]
        if claimed and getattr(provider, "delivers_by_storing", False):
            self._attempt(notification)  # nothing leaves notify: a duplicate changes nothing
        if not self.repo.add_notification(notification):
            return None
        if notification.status == Status.SENDING:
            self._attempt(notification)
            self.repo.save_notification(notification)
        if claimed:
            self._log(notification)
        return notification

    def send(self, notification: Notification) -> Notification:
        """One attempt. Returns the notification as saved (unchanged if another took it)."""
        if notification.status not in (Status.CREATED, Status.TEMPORARY_FAILURE):
            return notification
        notification.start_sending(self.clock())
        if not self.repo.save_notification(notification):
            return notification  # another worker claimed it first
        if notification.status != Status.SENDING:
            return notification  # expired before it could go out
        self._attempt(notification)
        self.repo.save_notification(notification)
        self._log(notification)
        return notification

    def _attempt(self, notification: Notification) -> None:
        """Hand a claimed notification to its provider; the outcome is recorded on it (the
        caller saves it)."""
        try:
            content = self._content(notification)
        except SealError as exc:
            notification.abandon(self.clock(), str(exc))
            return
        provider = self.providers[notification.channel]
        message = OutgoingMessage(
            channel=notification.channel,
            to=notification.recipient,
            subject=content.subject,
            text=content.text,
            html=content.html,
            reference=notification.id,
        )
        try:
            reference = provider.send(message)
        except DeliveryError as exc:
            notification.failed(
                self.clock(),
                str(exc),
                permanent=exc.permanent,
                policy=self.policy_for(notification),
                provider=exc.provider or provider.name,
            )
        except Exception as exc:  # a provider bug must not kill the worker
            log.exception("provider %s crashed", provider.name)
            notification.failed(
                self.clock(),
                f"lỗi không xác định: {type(exc).__name__}",
                permanent=False,
                policy=self.policy_for(notification),
                provider=provider.name,
            )
        else:
            notification.delivered(self.clock(), provider.name, reference)

    def _log(self, notification: Notification) -> None:
        log.info(
            "notification %s",
            notification.status,
            extra=log_fields(
                notification_id=notification.id,
                event_type=notification.event_type,
                channel=notification.channel,
                recipient=mask_recipient(notification.recipient),
                attempt=notification.attempts,
                error=notification.last_error or None,
            ),
        )

    def _content(self, notification: Notification) -> RenderedMessage:
        if notification.sealed:
            return self.sealer.open(notification.sealed)
        return RenderedMessage(notification.subject, notification.body, notification.html)

    def send_due(self, limit: int = 50) -> int:
        """Send what is waiting (new or due for a retry), highest priority first."""
        due = self.repo.due_notifications(self.clock(), limit)
        for notification in due:
            self.send(notification)
        return len(due)

    def recover(self, limit: int = 50) -> int:
        """Put back notifications left in ``sending`` by a process that died mid-send.

        The message may or may not have gone out; we retry (at-least-once delivery).
        """
        stale = self.repo.stale_sending(self.clock() - self.claim_timeout, limit)
        for notification in stale:
            notification.failed(
                self.clock(),
                "gửi bị gián đoạn",
                permanent=False,
                policy=self.policy_for(notification),
            )
            self.repo.save_notification(notification)
        return len(stale)
