"""Notify against real components: nx-27017, RabbitMQ (a vhost per test), the SMTP sink."""

import dataclasses
import time

import pytest

from notify.app import create_app
from notify.bootstrap import build_deps
from notify.config import NotifySettings
from notify.providers.base import PermanentDeliveryError, TemporaryDeliveryError
from notify.worker import build_worker
from servicekit.events import encode, new_event
from servicekit.mongo import connect


@pytest.fixture
def web_settings(mongo_url, mongo_db, jwks_issuer, smtp_sink):
    """Settings for in-process use without RabbitMQ (API and use-case tests)."""
    port, _ = smtp_sink
    return NotifySettings.from_env(
        {},
        env="test",
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        jwks_url=jwks_issuer.url,
        smtp_port=port,
        delivery_max_attempts=3,
        delivery_base_delay=0.3,
        otp_retry_base_delay=0.3,
        delivery_poll_seconds=0.05,
        consumer_retry_delay_ms=200,
        outbox_poll_seconds=0.05,
    )


@pytest.fixture
def settings(web_settings, amqp_url):
    return dataclasses.replace(web_settings, amqp_url=amqp_url)


class Scripted:
    """A provider that fails ``failures`` times, then delivers; records when it was called."""

    def __init__(self, name, failures=0, permanent=False):
        self.name, self.failures, self.permanent = name, failures, permanent
        self.calls, self.sent = [], []

    def send(self, message):
        self.calls.append(time.monotonic())
        if self.failures:
            self.failures -= 1
            error = PermanentDeliveryError if self.permanent else TemporaryDeliveryError
            raise error("cổng SMS trả lời HTTP 503", provider=self.name)
        self.sent.append(message)
        return f"{self.name}-{len(self.sent)}"


@pytest.fixture
def start_worker(settings):
    """Start the notify worker (consumers, relay, delivery loop), optionally with providers."""
    started = []

    def start(providers=None):
        deps = build_deps(settings, connect(settings), providers=providers)
        worker = build_worker(settings, deps)
        worker.start()  # declares the queues before returning
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def publish(bus):
    def publish(event):
        with bus.connection() as connection:
            bus.declare(connection)
            bus.publish(
                connection, encode(event), routing_key=event["type"], message_id=event["id"]
            )
        return event

    return publish


@pytest.fixture
def client(web_settings):
    return create_app(web_settings).test_client()


def otp_event(channel="sms", destination="+84912345678", code="482913"):
    return new_event(
        "identity.otp_requested",
        {
            "challenge_id": "c1",
            "purpose": "login",
            "channel": channel,
            "destination": destination,
            "code": code,
            "expires_in": 300,
            "user_id": "u1",
        },
        source="identity",
        aggregate_id="c1",
        aggregate_version=1,
    )


def registered_event(user_id="u1", email="lan@example.vn", phone="+84912345678"):
    return new_event(
        "identity.user_registered",
        {
            "user_id": user_id,
            "role": "citizen",
            "full_name": "Nguyễn Thị Lan",
            "phone": phone,
            "email": email,
        },
        source="identity",
        aggregate_id=user_id,
        aggregate_version=1,
    )


def contact_changed_event(
    field="phone", old="+84912345678", new="+8438****789", user_id="u1", version=2
):
    data = {
        "user_id": user_id,
        "field": field,
        "old_destination": old,
        "new_destination_masked": new,
        "changed_at": "2026-11-28T08:15:00Z",
    }
    return new_event(
        "identity.contact_changed",
        data,
        source="identity",
        aggregate_id=user_id,
        aggregate_version=version,
    )


def dossier_event(event_type="dossier.accepted", user_id="u1", **extra):
    data = {
        "dossier_id": "d1",
        "code": "000.00.31.H29-261128-0001",
        "applicant_id": user_id,
        "applicant_name": "Nguyễn Thị Lan",
        "procedure_name": "Đăng ký khai sinh",
        "agency_name": "UBND phường Bến Nghé",
        "due_at": "2026-12-05T10:00:00Z",
        **extra,
    }
    return new_event(event_type, data, source="submission", aggregate_id="d1", aggregate_version=2)


@pytest.fixture
def make():
    """Builders for events and scripted providers (conftest helpers cannot be imported)."""
    from types import SimpleNamespace

    return SimpleNamespace(
        otp=otp_event,
        registered=registered_event,
        dossier=dossier_event,
        contact_changed=contact_changed_event,
        provider=Scripted,
    )
