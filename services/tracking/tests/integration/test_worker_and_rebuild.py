"""Events through the real broker to a running worker: arrival order and duplicates do not
matter, and a rebuild from the timeline gives the very same views."""
import random
import subprocess
import sys
from dataclasses import replace
from datetime import timedelta

import pytest

from servicekit.bus import EventBus
from servicekit.events import encode
from servicekit.testing.helpers import ServiceProcess, wait_until
from tracking import repository
from tracking.domain.privacy import applicant_name
from tracking.domain.projection import project, sanitize
from tracking.rebuild import rebuild
from tracking.worker import build_worker


@pytest.fixture
def stories(story):
    first = story(code="000.00.31.H29-261101-0001", applicant_id="c1")
    first.submitted().accepted(timedelta(days=5)).processing()
    first.event("supplement_requested", first.received_at + timedelta(days=1),
                reason="Thiếu giấy chứng sinh")
    first.event("processing", first.received_at + timedelta(days=2),
                type_="dossier.supplemented")
    first.completed(timedelta(days=6)).returned(timedelta(days=7))
    second = story(code="000.00.31.H29-261101-0002", applicant_id="c2",
                   applicant_name="Trần Thị Bình", applicant_cccd="001304000111")
    second.submitted().not_accepted()
    third = story(code="000.00.32.H29-261101-0001", agency_code="000.00.32.H29",
                  applicant_id="c3")
    third.submitted().accepted(timedelta(days=2)).processing()
    return [first, second, third]


def _publish(bus: EventBus, events):
    with bus.connection() as connection:
        bus.declare(connection)
        for event in events:
            bus.publish(connection, encode(event), routing_key=event["type"],
                        message_id=event["id"])


def _start_worker(settings, db, bus):
    worker = build_worker(settings, db, bus)
    with bus.connection() as connection:  # bind the queue before anything is published
        for consumer in worker.consumers:
            consumer.declare(connection)
    worker.start()
    return worker


def _views(db):
    return list(db.dossier_views.find().sort("_id", 1))


def _opened(views, cipher):
    """Views with the sealed name opened: two workers seal it with different nonces."""
    return [{**v, "applicant_name_sealed": applicant_name(cipher, v)} for v in views]


def _wait_for(db, stories, sentinel_id=None):
    expected = {s.dossier_id: len(s.events) for s in stories}

    def done():
        views = {v["_id"]: v["event_count"] for v in db.dossier_views.find()}
        handled = sentinel_id is None or db.handled_events.count_documents(
            {"_id": {"$regex": f":{sentinel_id}$"}})
        return views == expected and handled
    wait_until(done, timeout=30, message="views of every published event")


@pytest.fixture
def other_db(mongo_db):
    db = mongo_db.client[mongo_db.name + "_b"]
    yield db
    mongo_db.client.drop_database(db.name)


def test_out_of_order_and_duplicated_delivery_gives_the_in_order_views(
        worker_settings, mongo_db, other_db, bus, stories, service_env, cccd_key, tmp_path,
        cipher):
    in_order = [event for s in stories for event in s.events]
    worker = _start_worker(worker_settings, mongo_db, bus)
    try:
        _publish(bus, in_order)
        _wait_for(mongo_db, stories)
    finally:
        worker.stop()
    expected = _views(mongo_db)
    by_code = {v["code"]: v for v in expected}
    assert by_code["000.00.31.H29-261101-0001"]["status_label"] == "Đã trả kết quả"
    assert by_code["000.00.31.H29-261101-0002"]["status_label"] == "Không được tiếp nhận"
    assert by_code["000.00.32.H29-261101-0001"]["status_label"] == "Đang xử lý"

    # Same events, shuffled, most of them twice, to a worker *process* on another database.
    rng = random.Random(20261128)
    noisy = in_order + rng.sample(in_order, k=len(in_order) - 2)
    rng.shuffle(noisy)
    sentinel = noisy[-1]
    noisy.append(dict(sentinel))  # the last one is a duplicate too
    env = {**service_env, "MONGO_DB": other_db.name, "CCCD_HASH_KEY": cccd_key,
           "CONSUMER_RETRY_DELAY_MS": str(worker_settings.consumer_retry_delay_ms)}
    with ServiceProcess([sys.executable, "-m", "tracking.worker"], env,
                        log_path=tmp_path / "worker.log"):
        _publish(bus, noisy)
        _wait_for(other_db, stories, sentinel_id=sentinel["id"])
        wait_until(lambda: other_db.handled_events.count_documents({}) == len(in_order),
                   message="every distinct event handled")
    assert _opened(_views(other_db), cipher) == _opened(expected, cipher)
    assert other_db.timeline.count_documents({}) == len(in_order)
    assert mongo_db.timeline.count_documents({}) == len(in_order)


def test_a_late_older_event_is_recorded_on_the_timeline_but_not_shown_as_current(
        worker_settings, mongo_db, bus, stories):
    first = stories[0]
    newest_first = list(reversed(first.events))
    worker = _start_worker(worker_settings, mongo_db, bus)
    try:
        _publish(bus, newest_first[:1])
        wait_until(lambda: mongo_db.dossier_views.find_one({"event_count": 1}))
        _publish(bus, newest_first[1:])
        _wait_for(mongo_db, stories[:1])
    finally:
        worker.stop()
    view = mongo_db.dossier_views.find_one({"_id": first.dossier_id})
    assert view["status"] == "returned"
    assert view["aggregate_version"] == len(first.events)
    assert mongo_db.timeline.count_documents({"dossier_id": first.dossier_id}) == len(
        first.events)


def test_rebuild_from_the_timeline_gives_identical_views(
        worker_settings, mongo_db, bus, stories, service_env, cccd_key):
    worker = _start_worker(worker_settings, mongo_db, bus)
    try:
        _publish(bus, [event for s in stories for event in s.events])
        _wait_for(mongo_db, stories)
    finally:
        worker.stop()
    live = _views(mongo_db)

    assert rebuild(mongo_db) == len(stories)
    assert _views(mongo_db) == live

    # The operator's command, as a process, after the views were damaged.
    mongo_db.dossier_views.update_one({"_id": stories[0].dossier_id},
                                      {"$set": {"status": "bogus", "event_count": 99}})
    mongo_db.dossier_views.delete_one({"_id": stories[1].dossier_id})
    result = subprocess.run(
        [sys.executable, "-m", "tracking.rebuild"], capture_output=True, text=True, timeout=60,
        env={**service_env, "CCCD_HASH_KEY": cccd_key, "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0, result.stderr
    assert "rebuilt 3 dossier views" in result.stdout
    assert _views(mongo_db) == live


def test_two_competing_replicas_converge_on_the_fold_of_every_event(
        worker_settings, mongo_db, bus, stories, cccd_key, cipher):
    noisy = [event for s in stories for event in s.events] * 2
    random.Random(3).shuffle(noisy)
    replicas = [_start_worker(replace(worker_settings, consumer_prefetch=1), mongo_db, bus)
                for _ in range(2)]
    try:
        _publish(bus, noisy)
        _wait_for(mongo_db, stories)
        wait_until(lambda: mongo_db.handled_events.count_documents({}) == len(noisy) // 2)
    finally:
        for worker in replicas:
            worker.stop()
    for s in stories:
        expected = project(s.dossier_id, [sanitize(e, cccd_key, cipher) for e in s.events])
        stored = repository.view_by_id(mongo_db, s.dossier_id)
        # The name is sealed with a fresh nonce each time: compare what it opens to.
        assert applicant_name(cipher, stored) == applicant_name(cipher, expected)
        assert {**stored, "applicant_name_sealed": None} == {
            **expected, "applicant_name_sealed": None}
