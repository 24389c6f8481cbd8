"""The identity worker process: ``python -m identity.worker``.

Runs the outbox relay (identity consumes no events). Event bodies are sealed at rest: the
relay opens them just before publishing and erases them after (see sealed_outbox).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identity.bootstrap import throttle_policy
from identity.config import IdentitySettings
from identity.domain.pii import PiiCipher, parse_keyring
from identity.repository import OUTBOX_COLLECTIONS, Repository
from identity.sealed_outbox import sealed_relay
from servicekit.bus import EventBus
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.worker import PeriodicTask, Worker


def build_worker(settings: IdentitySettings) -> Worker:
    db = connect(settings)
    bus = EventBus.from_settings(settings)
    cipher = PiiCipher(parse_keyring(settings.pii_keys), settings.pii_active_key)
    relay = sealed_relay(db, OUTBOX_COLLECTIONS, bus, cipher)
    repo = Repository(db, cipher)
    longest = throttle_policy(settings).longest_window.total_seconds()
    keep = timedelta(seconds=max(longest, settings.otp_ttl_seconds) + 3600)
    purge = PeriodicTask("purge", lambda: repo.purge(datetime.now(UTC), keep), interval=300)
    return Worker(bus, relay=relay, tasks=[purge], poll_seconds=settings.outbox_poll_seconds)


def main() -> None:
    settings = IdentitySettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    build_worker(settings).run_forever(settings.worker_heartbeat_file or None)


if __name__ == "__main__":
    main()
