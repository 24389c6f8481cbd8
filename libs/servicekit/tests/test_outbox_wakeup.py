"""Relays woken by writes (servicekit.outbox_wakeup) and marked in one update, against the
real RabbitMQ and nx-27017."""
import time
import uuid

import pytest
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

from servicekit.bus import EventBus
from servicekit.events import new_event
from servicekit.outbox import OutboxRelay, new_document_with_outbox, with_outbox
from servicekit.outbox_wakeup import OutboxWriteListener, WakeupSender
from servicekit.testing import EventCapture, wait_until
from servicekit.worker import Worker


def event(type_="test.happened", **data):
    return new_event(type_, data, source="test", aggregate_id=str(uuid.uuid4()),
                     aggregate_version=1)


def listening_db(mongo_url, name, on_commit):
    client = MongoClient(mongo_url, tz_aware=True,
                         event_listeners=[OutboxWriteListener(on_commit)])
    return client, client[name]


def test_only_successful_writes_that_store_events_call_back(mongo_url, mongo_db):
    commits = []
    client, db = listening_db(mongo_url, mongo_db.name, lambda: commits.append(1))
    try:
        db.things.insert_one({"_id": "plain"})
        db.things.update_one({"_id": "plain"}, {"$set": {"x": 1}})
        db.things.find_one({"_id": "plain"})
        assert commits == []
        db.things.insert_one(new_document_with_outbox({"_id": "a"}, [event()]))
        assert len(commits) == 1
        db.things.update_one({"_id": "a"}, with_outbox({"$set": {"x": 2}}, [event()]))
        assert len(commits) == 2
        db.things.find_one_and_update({"_id": "a"}, with_outbox({"$set": {"x": 3}}, [event()]))
        assert len(commits) == 3
        # a guarded update that matched nothing (a concurrency conflict) stored nothing
        db.things.update_one({"_id": "a", "x": 99}, with_outbox({"$set": {"x": 4}}, [event()]))
        # a refused insert (duplicate key) stored nothing either
        with pytest.raises(DuplicateKeyError):
            db.things.insert_one(new_document_with_outbox({"_id": "a"}, [event()]))
        assert len(commits) == 3
    finally:
        client.close()


def test_a_write_wakes_an_idle_relay_long_before_its_poll(mongo_url, mongo_db, amqp_url):
    """The relay polls every 60 s here: only the wake-up can deliver the event in time."""
    bus = EventBus(amqp_url, service=f"svc-{uuid.uuid4().hex[:6]}")
    sender = WakeupSender(amqp_url, bus.service)
    client, db = listening_db(mongo_url, mongo_db.name, sender.nudge)
    worker = Worker(bus, relay=OutboxRelay(mongo_db, ["things"], bus), poll_seconds=60)
    try:
        with EventCapture(bus, "test.#") as captured:
            worker.start()
            wait_until(lambda: "relay" in worker.ticks, 15, message="relay running")
            time.sleep(0.3)  # the first (empty) pass is over: the relay waits
            for n in range(3):
                pending = event(n=n)
                began = time.monotonic()
                db.things.insert_one(new_document_with_outbox({"_id": f"w{n}"}, [pending]))
                assert captured.wait(lambda e, i=pending["id"]: e["id"] == i, timeout=10)
                assert time.monotonic() - began < 10
        assert sender.sent >= 1
        assert mongo_db.things.count_documents({"outbox_pending": {"$gt": 0}}) == 0
    finally:
        worker.stop()
        client.close()


def test_a_lost_wake_up_costs_only_latency(mongo_db, amqp_url):
    """No wake-up at all (written by a process that cannot reach the broker): the poll
    still publishes it."""
    bus = EventBus(amqp_url, service=f"svc-{uuid.uuid4().hex[:6]}")
    worker = Worker(bus, relay=OutboxRelay(mongo_db, ["things"], bus), poll_seconds=0.5)
    try:
        with EventCapture(bus, "test.#") as captured:
            worker.start()
            wait_until(lambda: "relay" in worker.ticks, 15, message="relay running")
            pending = event()
            mongo_db.things.insert_one(new_document_with_outbox({"_id": "quiet"}, [pending]))
            assert captured.wait(lambda e: e["id"] == pending["id"], timeout=10)
    finally:
        worker.stop()


def test_the_sender_survives_an_unreachable_broker_without_blocking():
    sender = WakeupSender("amqp://guest:guest@127.0.0.1:1//", "nobody")
    began = time.monotonic()
    for _ in range(100):
        sender.nudge()
    assert time.monotonic() - began < 1.0  # callers never wait for the broker
    time.sleep(0.3)
    assert sender.sent == 0 and sender._thread.is_alive()


def test_several_events_are_marked_sent_in_one_update_guarded_per_event(mongo_db, bus):
    first, second, third = event(), event(), event()
    mongo_db.things.insert_one(new_document_with_outbox({"_id": "m"}, [first, second, third]))
    relay = OutboxRelay(mongo_db, ["things"], bus)
    with EventCapture(bus, "test.#") as captured, bus.connection() as connection:
        assert relay.run_once(connection) == 3
        captured.wait(lambda e: e["id"] == third["id"])
    stored = mongo_db.things.find_one({"_id": "m"})
    assert stored["outbox_pending"] == 0 and not stored["outbox_lease"]
    assert all(entry["sent_at"] for entry in stored["outbox"].values())
    # Another relay (its lease ran out) already marked one of them: it is not counted twice.
    fourth, fifth = event(), event()
    mongo_db.things.update_one({"_id": "m"}, with_outbox({"$set": {}}, [fourth, fifth]))
    mongo_db.things.update_one({"_id": "m"}, {"$set": {f"outbox.{fourth['id']}.sent_at": "x"},
                                              "$inc": {"outbox_pending": -1}})
    assert relay._mark_sent(mongo_db.things, "m", [fourth["id"], fifth["id"]]) == 1
    stored = mongo_db.things.find_one({"_id": "m"})
    assert stored["outbox_pending"] == 0 and stored["outbox"][fourth["id"]]["sent_at"] == "x"
