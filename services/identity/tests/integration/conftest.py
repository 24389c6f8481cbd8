"""Identity under test: the app in-process (test client), its worker in a thread, real
nx-27017 and RabbitMQ from servicekit's fixtures."""

from __future__ import annotations

import pytest

from identity.app import create_app
from identity.config import IdentitySettings
from identity.worker import build_worker
from servicekit.testing import EventCapture

CITIZEN = {
    "cccd": "001090012345",
    "full_name": "Nguyễn Thị Hoa",
    "date_of_birth": "1990-05-01",
    "phone": "0912345678",
    "email": "hoa.nguyen@example.vn",
    "password": "Hoa-Sen-2026!",
}


@pytest.fixture
def settings_overrides() -> dict:
    return {}


@pytest.fixture
def settings(mongo_url, mongo_db, amqp_url, tmp_path, settings_overrides) -> IdentitySettings:
    return IdentitySettings.from_env(
        {},
        env="test",
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        amqp_url=amqp_url,
        jwt_dev_key_file=str(tmp_path / "jwt.pem"),
        argon2_time_cost=1,
        argon2_memory_kib=8192,
        outbox_poll_seconds=0.05,
        **settings_overrides,
    )


@pytest.fixture
def app(settings):
    return create_app(settings)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def events(bus):
    """Events identity publishes, captured from the real exchange."""
    with EventCapture(bus, "identity.#") as capture:
        yield capture


@pytest.fixture
def worker(settings, events):
    """The outbox relay running (after the capture queue is bound)."""
    running = build_worker(settings)
    running.start()
    yield running
    running.stop()


class Flows:
    """Steps of the citizen journey, reused by many tests (OTP codes come from events)."""

    def __init__(self, client, events) -> None:
        self.client = client
        self.events = events

    def otp(self, challenge_id: str, after: int = 0) -> str:
        """The code published for ``challenge_id`` (the one sent after ``after`` sends)."""
        event = self.events.wait(
            lambda e: (
                e["type"] == "identity.otp_requested"
                and e["data"]["challenge_id"] == challenge_id
                and e["aggregate_version"] > after
            )
        )
        return event["data"]["code"]

    def register(self, **changes) -> str:
        """Register and verify a citizen; return the user id."""
        data = {**CITIZEN, **changes}
        started = self.client.post("/register", json=data)
        assert started.status_code == 202, started.json
        challenge_id = started.json["challenge_id"]
        code = self.otp(challenge_id)
        done = self.client.post(
            "/register/verify", json={"challenge_id": challenge_id, "code": code}
        )
        assert done.status_code == 201, done.json
        return done.json["user_id"]

    def login(self, username: str = CITIZEN["phone"], password: str = CITIZEN["password"]) -> dict:
        """Password, then the OTP from the event → tokens."""
        started = self.client.post("/login", json={"username": username, "password": password})
        assert started.status_code == 200, started.json
        code = self.otp(started.json["challenge_id"])
        done = self.client.post(
            "/login/verify", json={"challenge_id": started.json["challenge_id"], "code": code}
        )
        assert done.status_code == 200, done.json
        return done.json


@pytest.fixture
def flows(client, events, worker) -> Flows:
    return Flows(client, events)


@pytest.fixture
def citizen() -> dict:
    return dict(CITIZEN)


def bearer(tokens: dict) -> dict:
    return {"Authorization": f"Bearer {tokens['access_token']}"}


@pytest.fixture
def auth():
    return bearer


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


@pytest.fixture
def wrong_code():
    return wrong
