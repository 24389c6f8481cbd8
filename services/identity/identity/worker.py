"""The identity worker process: ``python -m identity.worker``.

Runs the outbox relay (identity consumes no events). Event bodies are sealed at rest: the
relay opens them just before publishing and erases them after (see sealed_outbox). Tasks:
purge what outlived its use; write recently ended sessions to the deny-list again.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from identity.bootstrap import throttle_policy
from identity.config import IdentitySettings
from identity.domain.pii import PiiCipher, parse_keyring
from identity.repository import OUTBOX_COLLECTIONS, Repository
from identity.sealed_outbox import sealed_relay
from identity.sessions import deny_window, resync_deny_list
from servicekit.bus import EventBus
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.revocation import RedisRevocations
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
    revocations = RedisRevocations.from_settings(settings)
    window = deny_window(timedelta(seconds=settings.access_token_ttl_seconds))

    def sync_deny_list() -> None:  # never "busy": once per interval is the point
        resync_deny_list(repo, revocations, window, datetime.now(UTC))

    resync = PeriodicTask("deny-list", sync_deny_list, interval=settings.revocation_sync_seconds)
    return Worker(
        bus, relay=relay, tasks=[purge, resync], poll_seconds=settings.outbox_poll_seconds
    )


def main() -> None:
    settings = IdentitySettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    build_worker(settings).run_forever(settings.worker_heartbeat_file or None)


if __name__ == "__main__":
    main()
