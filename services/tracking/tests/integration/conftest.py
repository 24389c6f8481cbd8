"""Fixtures for tests against real components (nx-27017, RabbitMQ, Redis, JWKS)."""
from __future__ import annotations

import dataclasses
import uuid

import pytest
import redis

from servicekit.consumer import HandlerContext
from tracking.app import create_app
from tracking.config import TrackingSettings
from tracking.handlers import record_dossier_event
from tracking.repository import ensure_indexes

REDIS_URL = "redis://127.0.0.1:6379"


@pytest.fixture
def settings(mongo_url, mongo_db, jwks_issuer, cccd_key) -> TrackingSettings:
    """Settings for the web app (read-side tests need no broker; see ``worker_settings``)."""
    return TrackingSettings.from_env(
        {}, env="test", mongo_url=mongo_url, mongo_db=mongo_db.name,
        jwks_url=jwks_issuer.url, cccd_hash_key=cccd_key, ratelimit_storage_uri=REDIS_URL,
        ratelimit_key_prefix=f"test-tracking-{uuid.uuid4().hex[:10]}",
        lookup_rate_limit="3/minute", consumer_retry_delay_ms=200,
        trusted_proxies="127.0.0.1")  # as behind the gateway: X-Forwarded-For is believed


@pytest.fixture
def redis_client(settings):
    client = redis.Redis.from_url(REDIS_URL)
    yield client
    for key in client.scan_iter(f"*{settings.ratelimit_key_prefix}*"):
        client.delete(key)
    client.close()


@pytest.fixture
def client(settings, mongo_db, redis_client):
    ensure_indexes(mongo_db)
    return create_app(settings).test_client()


@pytest.fixture
def record(mongo_db, cccd_key, cipher):
    """Apply events the way the worker does, without the broker (for read-side tests)."""
    def apply(*events):
        for event in events:
            record_dossier_event(event, HandlerContext(mongo_db, event, "test"),
                                 cccd_key=cccd_key, cipher=cipher)
    return apply


@pytest.fixture
def worker_settings(settings, amqp_url) -> TrackingSettings:
    return dataclasses.replace(settings, amqp_url=amqp_url)
