"""Faults lose nothing and duplicate nothing (issue 9), on the whole running platform."""
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from pymongo import MongoClient

from infra.local import journeys
from infra.local.journeys import BIRTH_REGISTRATION
from servicekit.bus import EventBus
from servicekit.deadletters import list_dead
from servicekit.local import free_port, port_open, start_mongo, stop, wait_for_port
from servicekit.testing import ServiceProcess, wait_until


def _rabbitmq(command: str) -> None:
    subprocess.run(["rabbitmqctl", "-q", command], check=True, capture_output=True, timeout=120)


def _drafts(api, person, agency, count):
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(
            lambda _n: journeys.prepare_draft(api, person, BIRTH_REGISTRATION, agency),
            range(count)))


def _submit_all(api, drafts):
    def submit(dossier_id):
        return api.json("POST", f"/api/submission/dossiers/{dossier_id}/submit")["code"]
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(submit, drafts))


def _tracking(stack):
    return MongoClient(stack.mongo_url, tz_aware=True)["motcua_tracking"]


def _notify(stack):
    return MongoClient(stack.mongo_url, tz_aware=True)["motcua_notify"]


def _visible_codes(stack, codes):
    return {d["code"] for d in _tracking(stack).dossier_views.find(
        {"code": {"$in": list(codes)}}, {"code": 1})}


def test_broker_stopped_10s_while_300_dossiers_are_submitted(start_platform):
    stack = start_platform()
    api = journeys.Api(stack.url())
    person, citizen = journeys.citizen(api)
    drafts = _drafts(citizen, person, journeys.first_agency(api), 300)

    _rabbitmq("stop_app")
    stopped = time.monotonic()
    try:
        codes = _submit_all(citizen, drafts)  # the API keeps answering: events wait
        assert len(set(codes)) == 300
        assert not _visible_codes(stack, codes), "nothing can have travelled yet"
        time.sleep(max(0.0, 10 - (time.monotonic() - stopped)))
    finally:
        _rabbitmq("start_app")

    wait_until(lambda: len(_visible_codes(stack, codes)) == 300, 120,
               message="all 300 dossiers in tracking")
    timeline = _tracking(stack).timeline
    submitted = list(timeline.find({"type": "dossier.submitted"}, {"dossier_id": 1}))
    assert len(submitted) == len({e["dossier_id"] for e in submitted}) == 300, "none twice"

    notifications = _notify(stack).notifications
    wait_until(lambda: len(notifications.distinct(
        "event_id", {"event_type": "dossier.submitted"})) == 300, 120,
        message="notices for all 300 dossiers in notify")
    time.sleep(2)  # any duplicate would have arrived by now
    notices = list(notifications.find({"event_type": "dossier.submitted"},
                                      {"event_id": 1, "channel": 1}))
    per_event_channel = {(n["event_id"], n["channel"]) for n in notices}
    assert len(per_event_channel) == len(notices), "one notice per event and channel"
    assert len({n["event_id"] for n in notices}) == 300


def test_tracking_worker_killed_mid_stream_loses_and_doubles_nothing(start_platform, tmp_path):
    stack = start_platform(without="tracking-worker")
    api = journeys.Api(stack.url())
    person, citizen = journeys.citizen(api)
    drafts = _drafts(citizen, person, journeys.first_agency(api), 120)
    worker_env = stack.service_env()
    log = tmp_path / "tracking-worker.log"

    def worker():
        return ServiceProcess([sys.executable, "-m", "tracking.worker"], worker_env,
                              log_path=log).start()

    first = worker()
    # Nothing declares the queue but the worker (as in production, where the broker's
    # definitions do): wait for it, or the first events would be routed nowhere.
    vhost = stack.amqp_url.rsplit("/", 1)[1]
    wait_until(lambda: "tracking.dossier-events" in subprocess.run(
        ["rabbitmqctl", "-q", "list_consumers", "-p", vhost, "queue_name"],
        capture_output=True, text=True).stdout, 30, message="the worker's consumer")
    codes: list[str] = []
    failures: list[str] = []

    def submit_all():
        try:
            codes.extend(_submit_all(citizen, drafts))
        except Exception as exc:  # asserted below
            failures.append(repr(exc))

    submitting = threading.Thread(target=submit_all)
    submitting.start()
    wait_until(lambda: _tracking(stack).dossier_views.count_documents({}) >= 20, 60,
               message="the worker is consuming")
    first.kill()  # SIGKILL mid-stream
    seen_at_kill = _tracking(stack).dossier_views.count_documents({})
    submitting.join()
    assert not failures, failures
    assert seen_at_kill < 120, "killed while work remained"
    second = worker()
    try:
        wait_until(lambda: len(_visible_codes(stack, codes)) == 120, 90,
                   message=f"every dossier after the restart ({len(codes)} codes, "
                           f"{len(_visible_codes(stack, codes))} visible)")
    finally:
        second.stop()
    entries = list(_tracking(stack).timeline.find({}, {"dossier_id": 1, "type": 1}))
    assert len(entries) == len({(e["dossier_id"], e["type"]) for e in entries}) == 120
    assert all(v["event_count"] == 1 for v in _tracking(stack).dossier_views.find())


def test_poison_message_is_dead_lettered_and_the_rest_flows(start_platform):
    stack = start_platform()
    bus = EventBus(stack.amqp_url)
    with bus.connection() as connection:
        bus.publish(connection, b'{"type": "dossier.submitted", "data": "not an envelope"}',
                    routing_key="dossier.submitted", message_id="poison-1")
    api = journeys.Api(stack.url())
    person, citizen = journeys.citizen(api)
    agency = journeys.first_agency(api)
    dossier = journeys.submit_dossier(citizen, person, BIRTH_REGISTRATION, agency)
    journeys.wait_visible(stack.url(), dossier["code"])  # the rest flows
    dead = wait_until(lambda: list_dead(bus, "tracking.dossier-events"), 30,
                      message="poison in tracking.dossier-events.dead")
    assert dead[0]["attempts"] == 1 and "invalid envelope" in dead[0]["error"]


def test_database_restarted_under_load_fails_cleanly_then_recovers(start_platform, tmp_path):
    mongo_port = free_port()
    data = tmp_path / "mongo"
    mongo = start_mongo(mongo_port, data, tmp_path / "logs")
    stack = start_platform(without="mongo", MONGO_PORT=str(mongo_port))
    stack.ports["MONGO_PORT"] = mongo_port
    url = f"{stack.url()}/api/catalog/procedures?q=khai+sinh"
    assert requests.get(url, timeout=10).status_code == 200

    outcomes: list[tuple[float, float, int, dict]] = []  # sent, answered, status, body
    running = threading.Event()
    running.set()

    def load():
        while running.is_set():
            began = time.monotonic()
            try:
                response = requests.get(url, timeout=20)
                body = response.json()
            except (requests.RequestException, ValueError) as exc:
                outcomes.append((began, time.monotonic(), 0, {"error": repr(exc)}))
                continue
            outcomes.append((began, time.monotonic(), response.status_code, body))

    threads = [threading.Thread(target=load) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(1)
        stop(mongo)
        down_at = time.monotonic()
        assert not port_open(mongo_port)
        time.sleep(6)
        restart_at = time.monotonic()  # from here a waiting request may be answered by the new one
        mongo = start_mongo(mongo_port, data, tmp_path / "logs")
        wait_for_port(mongo_port)
        up_at = time.monotonic()
        wait_until(lambda: any(t > up_at and s == 200 for _, t, s, _ in outcomes), 30,
                   message="success after the restart")
    finally:
        running.clear()
        for thread in threads:
            thread.join()
        stop(mongo)
    # Answers given while the database was down: every one is the error shape's 503, but for a
    # request sent before the stop, which may still succeed from data it read in time. A request
    # answered once the restart began may have waited for the new server and succeeded.
    during = [(began, s, b) for began, t, s, b in outcomes if down_at < t < restart_at]
    assert any(s == 503 for _, s, _ in during), "requests failed while the database was down"
    assert all(s == 503 and b.get("code") == 503 and b.get("message")
               for began, s, b in during if began > down_at or s != 200), \
        {(round(began - down_at, 2), s) for began, s, _ in during}
