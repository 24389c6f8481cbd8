"""Wire the real adapters from settings (the web app and the worker both start here)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pymongo.database import Database

from notify.config import NotifySettings
from notify.domain.delivery import RetryPolicy
from notify.domain.events import Links
from notify.handlers import Deps
from notify.providers.base import Provider
from notify.providers.dev import DevProvider, DevSink, RecordingProvider
from notify.providers.failover import FailoverProvider
from notify.providers.inbox import InboxProvider
from notify.providers.sms_http import DEFAULT_PAYLOAD, HttpSmsProvider, HttpSmsSettings
from notify.providers.smtp import SmtpEmailProvider, SmtpSettings
from notify.repository import MongoDevSink, MongoRepository
from notify.sealing import Sealer
from notify.sending import Sender
from notify.template_cache import TemplateCache


def utc_now() -> datetime:
    return datetime.now(UTC)


def email_provider(settings: NotifySettings, sink: DevSink | None) -> Provider:
    if settings.email_provider == "dev":
        assert sink is not None, "the dev provider exists only outside production"
        return DevProvider(sink, "dev-email")
    smtp = SmtpEmailProvider(
        SmtpSettings(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.mail_from,
            sender_name=settings.mail_from_name,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
            use_ssl=settings.smtp_ssl,
            timeout=settings.smtp_timeout,
            ca_file=settings.smtp_ca_file,
        )
    )
    # In development the SMTP sink gets the mail and the dev record keeps a readable copy.
    return RecordingProvider(smtp, sink) if sink is not None else smtp


def _gateway(settings: NotifySettings, second: bool) -> HttpSmsProvider:
    prefix = "sms2" if second else "sms"
    return HttpSmsProvider(
        HttpSmsSettings(
            url=getattr(settings, f"{prefix}_url"),
            api_key=getattr(settings, f"{prefix}_api_key"),
            api_key_header=getattr(settings, f"{prefix}_api_key_header"),
            api_key_prefix=getattr(settings, f"{prefix}_api_key_prefix"),
            payload_template=getattr(settings, f"{prefix}_payload") or DEFAULT_PAYLOAD,
            sender=settings.sms_sender,
            read_timeout=settings.sms_timeout,
            name="sms_gateway_2" if second else "sms_gateway",
        )
    )


def sms_provider(settings: NotifySettings, sink: DevSink | None) -> Provider:
    if settings.sms_provider == "dev":
        assert sink is not None, "the dev provider exists only outside production"
        return DevProvider(sink, "dev-sms")
    provider: Provider = _gateway(settings, second=False)
    if settings.sms_provider == "failover":
        provider = FailoverProvider(
            provider,
            _gateway(settings, second=True),
            threshold=settings.sms_failover_threshold,
            cooldown=settings.sms_failover_cooldown,
        )
    return RecordingProvider(provider, sink) if sink is not None else provider


def retry_policy(settings: NotifySettings, *, expiring: bool = False) -> RetryPolicy:
    base = settings.otp_retry_base_delay if expiring else settings.delivery_base_delay
    return RetryPolicy(
        max_attempts=settings.delivery_max_attempts,
        base_delay=timedelta(seconds=base),
        factor=settings.delivery_backoff_factor,
        max_delay=timedelta(seconds=settings.delivery_max_delay),
    )


def dev_sink(settings: NotifySettings, db: Database) -> DevSink | None:
    return MongoDevSink(db, settings.sealer()) if settings.dev_messages_enabled else None


def build_deps(
    settings: NotifySettings,
    db: Database,
    *,
    providers: dict[str, Provider] | None = None,
    clock: Callable[[], datetime] = utc_now,
) -> Deps:
    """Everything the use cases need; ``providers`` replaces the configured ones (tests)."""
    sink = dev_sink(settings, db)
    repo = MongoRepository(db, settings.sealer())
    channels: dict[str, Provider] = {
        "email": email_provider(settings, sink),
        "sms": sms_provider(settings, sink),
        "in_app": InboxProvider(),
        **(providers or {}),
    }
    sender = Sender(
        repo,
        channels,
        Sealer(settings.seal_key),
        retry_policy(settings),
        clock,
        claim_timeout=timedelta(seconds=settings.delivery_claim_timeout),
        expiring_policy=retry_policy(settings, expiring=True),
    )
    return Deps(
        repo=repo,
        sender=sender,
        templates=TemplateCache(repo, settings.template_cache_seconds),
        links=Links(settings.portal_url),
        clock=clock,
        sms_without_diacritics=settings.sms_without_diacritics,
    )
