"""Database round trips per dossier event, through the worker's real consumer and handlers.

The local database server is the busiest process when citizens submit dossiers; each command
notify sends costs it CPU. These tests count them with a pymongo CommandListener and fail if
a change brings avoidable ones back.
"""

import collections
import dataclasses

import pytest
from pymongo import MongoClient, monitoring

from notify.bootstrap import build_deps
from notify.handlers import on_user_registered
from notify.repository import create_indexes
from notify.worker import EVENTS_QUEUE, consumers
from servicekit.bus import EventBus
from servicekit.events import encode, new_event


class Commands(monitoring.CommandListener):
    """Counts commands as ``name:collection`` (e.g. ``insert:notifications``)."""

    def __init__(self):
        self.counts = collections.Counter()

    def started(self, event):
        target = event.command.get(event.command_name)
        self.counts[f"{event.command_name}:{target if isinstance(target, str) else ''}"] += 1

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


class Delivery:
    """What kombu hands the consumer: just enough of a message for ``on_message``."""

    def __init__(self, event):
        self.body = encode(event)
        self.headers, self.properties, self.delivery_info = {}, {}, {}
        self.acked = False

    def ack(self):
        self.acked = True


def submitted(user_id, number):
    data = {
        "dossier_id": f"d{number}",
        "code": f"000.00.31.H29-261128-{number:04d}",
        "action": "submit",
        "status": "submitted",
        "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh",
        "applicant_id": user_id,
        "applicant_name": "Nguyễn Thị Lan",
        "agency_code": "000.00.31.H29",
        "agency_name": "UBND phường Bến Nghé",
        "submitted_at": "2026-11-28T08:15:00Z",
        "occurred_at": "2026-11-28T08:15:00Z",
    }
    return new_event(
        "dossier.submitted", data, source="submission", aggregate_id=f"d{number}",
        aggregate_version=1,
    )


@pytest.fixture
def counted(web_settings, mongo_url, mongo_db, make):
    """The worker's ``notify.events`` consumer on a client whose commands are counted."""
    listener = Commands()
    client = MongoClient(mongo_url, tz_aware=True, event_listeners=[listener])
    db = client[mongo_db.name]
    create_indexes(db, development=True)
    settings = dataclasses.replace(web_settings, amqp_url="amqp://guest:guest@127.0.0.1:1/unused")
    deps = build_deps(settings, db)
    [events_consumer] = [
        c for c in consumers(settings, db, EventBus(settings.amqp_url), deps)
        if c.queue_name == EVENTS_QUEUE
    ]
    on_user_registered(
        make.registered(user_id="u-rt", email="rt@example.vn", phone="+84911000222"), deps
    )
    yield events_consumer, listener, db
    client.close()


def handle(consumer, event):
    message = Delivery(event)
    consumer.on_message(None, message)
    assert message.acked
    return message


def test_a_submitted_dossier_costs_at_most_eleven_round_trips(counted):
    """Email, SMS and inbox for a citizen with a contact copy. Was 18 (2026-11-28): 3
    template reads, and created → sending → delivered written in three writes per channel.
    Now: consumer dedup 2, contact 1, preferences 1, one insert per channel (the inbox entry
    stored delivered), one update per outside delivery, dev record 2 (development only)."""
    consumer, listener, db = counted
    handle(consumer, submitted("u-rt", 1))  # a running worker has read its templates already
    listener.counts.clear()
    runs = 3
    for number in range(2, 2 + runs):
        handle(consumer, submitted("u-rt", number))
    per_event = {k: v / runs for k, v in sorted(listener.counts.items())}
    delivered = {"event_type": "dossier.submitted", "status": "delivered"}
    assert db.notifications.count_documents(delivered) == 3 * (1 + runs)
    assert sum(per_event.values()) <= 11, per_event


def test_an_inbox_notice_is_written_once_and_an_email_twice(counted):
    consumer, _, db = counted
    event = submitted("u-rt", 1)
    handle(consumer, event)
    stored = {n["channel"]: n for n in db.notifications.find({"event_id": event["id"]})}
    assert {channel: n["revision"] for channel, n in stored.items()} == {
        "email": 2, "sms": 2, "in_app": 1
    }
    for n in stored.values():  # the history still shows every step
        assert [h["status"] for h in n["history"]] == ["created", "sending", "delivered"]
