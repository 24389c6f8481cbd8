"""The event bus guarantees, against the real RabbitMQ and nx-27017 (issue 2's "Must show")."""
import json
import sys
import uuid
from pathlib import Path

import pytest
from kombu import Queue
from kombu.exceptions import OperationalError

from servicekit.bus import EventBus
from servicekit.deadletters import list_dead, replay
from servicekit.events import new_event
from servicekit.outbox import OutboxRelay, event_history, new_document_with_outbox, with_outbox
from servicekit.testing import ServiceProcess, wait_until

SAMPLE = str(Path(__file__).with_name("sample_consumer.py"))
QUEUE = "sample.test-events"


def event(type_="test.happened", **data):
    return new_event(type_, data, source="test", aggregate_id=str(uuid.uuid4()),
                     aggregate_version=1)


def consumer_process(env, tmp_path, name="c1", **extra):
    return ServiceProcess([sys.executable, SAMPLE], {**env, "QUEUE": QUEUE, **extra},
                          log_path=tmp_path / f"{name}.log")


def declare_queue(bus):
    """Declare the consumer's queues up front so nothing published is dropped."""
    from servicekit.consumer import EventConsumer
    consumer = EventConsumer(bus=bus, db=None, queue=QUEUE,
                             handlers={"test.happened": None, "test.poison": None},
                             retry_delay_ms=200)
    with bus.connection() as connection:
        consumer.declare(connection)


def publish_via_outbox(mongo_db, bus, events):
    mongo_db.things.insert_one(new_document_with_outbox({"_id": "thing"}, events))
    relay = OutboxRelay(mongo_db, ["things"], bus)
    with bus.connection() as connection:
        return relay.run_once(connection)


def effects(mongo_db):
    return list(mongo_db.effects.find())


@pytest.fixture
def env(service_env):
    return service_env


def test_outbox_write_keeps_state_and_events_in_one_document(mongo_db):
    first = event()
    mongo_db.dossiers.insert_one(new_document_with_outbox({"_id": "d1", "status": "draft"},
                                                          [first]))
    second = event()
    mongo_db.dossiers.update_one({"_id": "d1"},
                                 with_outbox({"$set": {"status": "submitted"}}, [second]))
    document = mongo_db.dossiers.find_one({"_id": "d1"})
    assert document["status"] == "submitted"
    assert document["outbox_pending"] == 2
    assert [e["id"] for e in event_history(document)] == [first["id"], second["id"]]


def test_event_written_while_broker_unreachable_is_published_once_it_is_back(
        mongo_db, bus, env, tmp_path):
    declare_queue(bus)
    pending = event()
    mongo_db.things.insert_one(new_document_with_outbox({"_id": "t1"}, [pending]))
    unreachable = EventBus("amqp://guest:guest@127.0.0.1:1/", bus.exchange.name,
                           connect_timeout=0.5)
    relay_down = OutboxRelay(mongo_db, ["things"], unreachable)
    with pytest.raises(OperationalError), unreachable.connection() as connection:
        relay_down.run_once(connection)
    assert mongo_db.things.find_one({"_id": "t1"})["outbox_pending"] == 1

    relay = OutboxRelay(mongo_db, ["things"], bus)
    with bus.connection() as connection:
        assert relay.run_once(connection) == 1
        assert relay.run_once(connection) == 0  # marked sent: not published again
    document = mongo_db.things.find_one({"_id": "t1"})
    assert document["outbox_pending"] == 0
    assert document["outbox"][pending["id"]]["sent_at"]

    with consumer_process(env, tmp_path):
        wait_until(lambda: len(effects(mongo_db)) == 1, 15)
    assert [(e["_id"], e["count"]) for e in effects(mongo_db)] == [(pending["id"], 1)]


def test_consumer_killed_after_handling_before_ack_has_no_second_effect(
        mongo_db, bus, env, tmp_path):
    declare_queue(bus)
    marker = tmp_path / "killed"
    the_event = event()
    publish_via_outbox(mongo_db, bus, [the_event])
    crashing = consumer_process(env, tmp_path, KILL_MARKER=str(marker)).start()
    wait_until(lambda: crashing.process.poll() is not None, 15, message="SIGKILL")
    assert marker.read_text() == the_event["id"]
    assert crashing.process.returncode == -9
    assert effects(mongo_db)[0]["count"] == 1  # the write happened before the crash

    with consumer_process(env, tmp_path, name="c2"):
        # The redelivered message is handled (and acked) without a second effect.
        wait_until(lambda: mongo_db.handled_events.count_documents({}) == 1, 15)
    assert [(e["_id"], e["count"]) for e in effects(mongo_db)] == [(the_event["id"], 1)]


def test_failing_handler_dead_letters_after_attempts_and_replay_puts_it_back(
        mongo_db, bus, env, tmp_path):
    declare_queue(bus)
    poison = event("test.poison")
    fine = [event() for _ in range(5)]
    publish_via_outbox(mongo_db, bus, [poison, *fine])
    with consumer_process(env, tmp_path, FAIL_TYPES="test.poison"):
        wait_until(lambda: len(effects(mongo_db)) == 5, 20)  # the others kept flowing
        dead = wait_until(lambda: list_dead(bus, QUEUE), 20, message="dead letter")
    assert [d["id"] for d in dead] == [poison["id"]]
    assert dead[0]["attempts"] == 3
    assert "handler cannot process this event" in dead[0]["error"]
    assert dead[0]["envelope"] == poison

    assert replay(bus, QUEUE) == 1
    assert list_dead(bus, QUEUE) == []
    with consumer_process(env, tmp_path, name="fixed"):  # the fix is deployed
        wait_until(lambda: len(effects(mongo_db)) == 6, 15)
    assert all(e["count"] == 1 for e in effects(mongo_db))


def test_invalid_envelope_is_dead_lettered_at_once(mongo_db, bus, env, tmp_path):
    declare_queue(bus)
    with bus.connection() as connection:
        bus.publish(connection, b'{"not": "an envelope"}', routing_key="test.happened",
                    message_id="x")
    with consumer_process(env, tmp_path):
        dead = wait_until(lambda: list_dead(bus, QUEUE), 15, message="dead letter")
    assert dead[0]["attempts"] == 1
    assert "invalid envelope" in dead[0]["error"]


def test_two_consumers_split_the_work_and_each_effect_happens_once(
        mongo_db, bus, env, tmp_path):
    declare_queue(bus)
    many = [event(n=n) for n in range(200)]
    with consumer_process(env, tmp_path, name="a"), consumer_process(env, tmp_path, name="b"):
        publish_via_outbox(mongo_db, bus, many)
        wait_until(lambda: len(effects(mongo_db)) == 200, 60)
    done = effects(mongo_db)
    assert sorted(e["_id"] for e in done) == sorted(e["id"] for e in many)
    assert all(e["count"] == 1 for e in done)
    assert len({e["pid"] for e in done}) == 2, "both consumers took a share"


def test_retry_queue_returns_messages_to_the_consumer_queue(bus):
    from servicekit.consumer import EventConsumer
    consumer = EventConsumer(bus=bus, db=None, queue=QUEUE,
                             handlers={"test.happened": None}, retry_delay_ms=100)
    with bus.connection() as connection:
        consumer.declare(connection)
        bus.publish(connection, b"{}", routing_key=f"{QUEUE}.retry", exchange="",
                    message_id="m", expiration_ms=100)
        bound = Queue(QUEUE, durable=True)(connection.default_channel)
        message = wait_until(lambda: bound.get(no_ack=True), 10, message="retried message")
    assert json.loads(message.body) == {}


def test_relay_skips_sent_documents_and_publishes_the_rest(mongo_db, bus):
    """Regression: a lease query that ignored ``outbox_pending`` kept re-leasing sent ones."""
    declare_queue(bus)
    relay = OutboxRelay(mongo_db, ["things"], bus, batch_size=1)
    mongo_db.things.insert_one(new_document_with_outbox({"_id": "a"}, [event()]))
    with bus.connection() as connection:
        assert relay.run_once(connection) == 1
        mongo_db.things.insert_one(new_document_with_outbox({"_id": "b"}, [event()]))
        assert relay.run_once(connection) == 1
    assert mongo_db.things.count_documents({"outbox_pending": {"$gt": 0}}) == 0


def test_sealed_events_are_unreadable_at_rest_and_erased_once_sent(mongo_db, bus):
    import base64

    def seal(text):
        return base64.b64encode(text.encode()[::-1]).decode()

    def unseal(text):
        return base64.b64decode(text)[::-1].decode()

    secret = event(code="123456")
    mongo_db.things.insert_one(new_document_with_outbox({"_id": "s"}, [secret], seal=seal))
    stored = mongo_db.things.find_one({"_id": "s"})
    assert "123456" not in str(stored)
    assert event_history(stored, unseal)[0]["data"]["code"] == "123456"
    relay = OutboxRelay(mongo_db, ["things"], bus, unseal=unseal, erase_sent=True)
    from servicekit.testing import EventCapture
    with EventCapture(bus, "test.#") as captured, bus.connection() as connection:
        assert relay.run_once(connection) == 1
        assert captured.wait()["data"]["code"] == "123456"
    sent = mongo_db.things.find_one({"_id": "s"})["outbox"][secret["id"]]
    assert "body" not in sent and sent["sent_at"]


def test_worker_declares_queues_on_start_runs_tasks_and_redacts_dead_letters(mongo_db, bus):
    import threading

    from servicekit.consumer import EventConsumer
    from servicekit.worker import PeriodicTask, Worker

    def always_fails(event, ctx):
        raise RuntimeError("no provider")

    def redact(envelope):
        return {**envelope, "data": {**envelope["data"], "code": "******"}}

    ticks = threading.Event()
    consumer = EventConsumer(bus=bus, db=mongo_db, queue="otp.test",
                             handlers={"identity.otp_requested": always_fails},
                             max_attempts=1, redact=redact)
    worker = Worker(bus, consumers=[consumer],
                    tasks=[PeriodicTask("tick", lambda: ticks.set(), interval=0.05)])
    worker.start()
    try:
        otp = new_event("identity.otp_requested", {"code": "424242", "channel": "sms"},
                        source="identity", aggregate_id="c1")
        with bus.connection() as connection:  # straight after start: the queue exists
            bus.publish(connection, json.dumps(otp).encode(), routing_key=otp["type"],
                        message_id=otp["id"])
        dead = wait_until(lambda: list_dead(bus, "otp.test"), 15, message="dead letter")
        assert ticks.wait(5), "the periodic task ran"
    finally:
        worker.stop()
    assert dead[0]["envelope"]["data"] == {"code": "******", "channel": "sms"}
    assert dead[0]["id"] == otp["id"]


def test_worker_relays_outbox_events(mongo_db, bus):
    """Regression: the relay thread must start when the indexes are created normally."""
    from servicekit.testing import EventCapture
    from servicekit.worker import Worker

    worker = Worker(bus, relay=OutboxRelay(mongo_db, ["things"], bus), poll_seconds=0.02)
    with EventCapture(bus, "test.#") as captured:
        worker.start()
        try:
            pending = event()
            mongo_db.things.insert_one(new_document_with_outbox({"_id": "w"}, [pending]))
            assert captured.wait(lambda e: e["id"] == pending["id"], timeout=15)
        finally:
            worker.stop()


def test_heartbeat_is_touched_while_alive_and_the_probe_reads_it(bus, tmp_path):
    import time as clock

    from servicekit.worker import PeriodicTask, Worker
    from servicekit.worker import main as probe

    heartbeat = tmp_path / "alive"
    assert probe(["--alive", str(heartbeat)]) == 1  # not started: not alive
    worker = Worker(bus, tasks=[PeriodicTask("tick", lambda: None, interval=0.05)])
    runner = __import__("threading").Thread(
        target=lambda: worker.run_forever(str(heartbeat)), daemon=True)
    try:
        runner.start()
        wait_until(heartbeat.exists, 10, message="heartbeat")
        assert probe(["--alive", str(heartbeat)]) == 0
        worker.ticks["tick-task"] = clock.monotonic() - 60  # a loop stalled a minute ago
        assert not worker.alive()
    finally:
        worker.stopping.set()
        runner.join(15)
    assert probe(["--alive", str(heartbeat), "--max-age", "0"]) == 1
