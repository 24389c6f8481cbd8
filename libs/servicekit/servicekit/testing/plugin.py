"""pytest fixtures backed by real components, each on its own free port or namespace.

- ``mongo_url`` (session): an nx-27017 server; ``mongo_db``: a fresh database per test.
- ``amqp_url``: a fresh RabbitMQ virtual host per test on the local broker (created with
  ``rabbitmqctl``), so tests never see each other's queues nor those of ``make run``;
  ``bus``: an :class:`EventBus` on it.
- ``s3_endpoint`` (session): moto's S3 server. ``smtp_sink`` (session): an aiosmtpd sink.
- ``jwks_issuer`` (session): signs tokens and serves their JWKS.
- ``service_env``: the environment variables that point a service process at all of these.
"""
from __future__ import annotations

import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from pymongo import MongoClient

from servicekit.bus import EventBus
from servicekit.local import (
    ComponentError,
    ensure_rabbitmq,
    free_port,
    start_mongo,
    start_s3,
    start_smtp_sink,
    stop,
)
from servicekit.testing.helpers import JwksIssuer


@pytest.fixture(scope="session")
def components_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("components")


@pytest.fixture(scope="session")
def mongo_url(components_dir):
    port = free_port()
    process = start_mongo(port, components_dir / "mongo", components_dir / "logs")
    yield f"mongodb://127.0.0.1:{port}"
    stop(process)


@pytest.fixture
def mongo_db(mongo_url):
    client = MongoClient(mongo_url, tz_aware=True, serverSelectionTimeoutMS=5000)
    db = client[f"t_{uuid.uuid4().hex[:12]}"]
    yield db
    client.drop_database(db.name)
    client.close()


def _rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture
def amqp_url():
    try:
        ensure_rabbitmq()
    except ComponentError as exc:
        pytest.fail(str(exc))
    vhost = f"motcua-test-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture
def bus(amqp_url) -> EventBus:
    return EventBus(amqp_url)


@pytest.fixture(scope="session")
def s3_endpoint(components_dir):
    port = free_port()
    process = start_s3(port, components_dir / "logs")
    yield f"http://127.0.0.1:{port}"
    stop(process)


@pytest.fixture(scope="session")
def smtp_sink(components_dir):
    """``(port, directory)`` of a running SMTP sink; read it with ``smtp_sink.read_messages``."""
    port = free_port()
    directory = components_dir / "mail"
    process = start_smtp_sink(port, directory, components_dir / "logs")
    yield port, directory
    stop(process)


@pytest.fixture(scope="session")
def jwks_issuer():
    issuer = JwksIssuer()
    yield issuer
    issuer.close()


@pytest.fixture
def service_env(mongo_url, mongo_db, amqp_url, jwks_issuer) -> dict[str, str]:
    """Environment for a service process under test (add S3/SMTP fixtures as needed)."""
    return {
        "MOTCUA_ENV": "test",
        "MONGO_URL": mongo_url,
        "MONGO_DB": mongo_db.name,
        "AMQP_URL": amqp_url,
        "JWKS_URL": jwks_issuer.url,
        "LOG_LEVEL": "INFO",
    }
