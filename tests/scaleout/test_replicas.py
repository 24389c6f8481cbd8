"""Two replicas of submission's web process and two of each consumer behind the gateway
(issue 10): requests spread over both, every event is handled once, and killing one replica
of each loses nothing."""
import os
import signal
import subprocess
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psutil
import requests
from pymongo import MongoClient

from infra.local import journeys
from infra.local.runner import RunningStack
from servicekit.config import ServiceSettings
from servicekit.testing import wait_until

REPLICAS = {"SUBMISSION_REPLICAS": "2", "SUBMISSION_WORKER_REPLICAS": "2",
            "TRACKING_WORKER_REPLICAS": "2", "NOTIFY_WORKER_REPLICAS": "2",
            "RATE_LIMIT_USER": "100000/minute", "LOG_LEVEL": "WARNING",
            # A key reserved by a request lost with the killed replica frees up sooner.
            "SUBMISSION_IDEMPOTENCY_LEASE_SECONDS": "35"}
COUNT = 80
METRICS_AUTH = {"Authorization": f"Bearer {ServiceSettings.from_env({}).metrics_token}"}


def _consumers(vhost: str) -> dict[str, int]:
    out = subprocess.run(["rabbitmqctl", "-q", "list_consumers", "-p", vhost, "queue_name"],
                         capture_output=True, text=True, check=True).stdout.split()
    return {queue: out.count(queue) for queue in set(out) - {"queue_name"}}


def _requests_served(url: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=5, headers=METRICS_AUTH).text
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("http_requests_total{") and "/dossiers" in line)


def _process(stack: RunningStack, marker: str) -> psutil.Process:
    for process in stack.processes():
        try:
            if marker in " ".join(process.cmdline()) and process.status() != "zombie":
                return process
        except psutil.Error:  # exited meanwhile
            continue
    raise AssertionError(f"no live process with {marker!r}")


def _submit(citizen: journeys.Api, dossier_id: str) -> str:
    """Submit once; a request lost with a killed replica is retried with the same key."""
    key = str(uuid.uuid4())
    for _ in range(60):
        response = citizen.call("POST", f"/api/submission/dossiers/{dossier_id}/submit",
                                headers={"Idempotency-Key": key}, expect=())
        if response.status_code == 200:
            return response.json()["code"]
        # 409: the key is still reserved by the request that died with the replica.
        assert response.status_code in (409, 502, 503, 504), response.text
        time.sleep(1)
    raise AssertionError(f"{dossier_id} never submitted")


def test_replicas_share_the_work_and_survive_losing_one(tmp_path, amqp_url):
    vhost = amqp_url.rsplit("/", 1)[1]
    with RunningStack(tmp_path / "var", amqp_url, extra_env=REPLICAS) as stack:
        api = journeys.Api(stack.url())
        person, citizen = journeys.citizen(api)
        agency = journeys.first_agency(api)
        with ThreadPoolExecutor(max_workers=6) as pool:
            drafts = list(pool.map(lambda _n: journeys.prepare_draft(
                citizen, person, journeys.BIRTH_REGISTRATION, agency), range(COUNT)))
        web = [stack.url("SUBMISSION_PORT"),
               f"http://127.0.0.1:{stack.ports['SUBMISSION_PORT'] + 100}"]
        assert all(_requests_served(url) > 0 for url in web), "both web replicas served"
        consumers = _consumers(vhost)
        for queue in ("tracking.dossier-events", "notify.events", "submission.catalog"):
            assert consumers.get(queue) == 2, consumers

        codes: list[str] = []
        failures: list[str] = []

        def submit(dossier_id):
            try:
                codes.append(_submit(citizen, dossier_id))
            except Exception as exc:  # reported below, with every other failure
                failures.append(repr(exc))

        submitting = threading.Thread(
            target=lambda: list(ThreadPoolExecutor(max_workers=6).map(submit, drafts)))
        submitting.start()
        tracking = MongoClient(stack.mongo_url)["motcua_tracking"]
        wait_until(lambda: tracking.dossier_views.count_documents({}) >= 10, 60)
        os.killpg(_process(stack, "--name motcua-submission-2").pid, signal.SIGKILL)
        _process(stack, "-m tracking.worker").kill()
        _process(stack, "-m notify.worker").kill()
        submitting.join()

        assert not failures, failures[:3]
        assert len(set(codes)) == COUNT
        wait_until(lambda: tracking.dossier_views.count_documents(
            {"code": {"$in": codes}}) == COUNT, 120, message="every dossier in tracking")
        timeline = list(tracking.timeline.find({"type": "dossier.submitted"}, {"dossier_id": 1}))
        assert len(timeline) == len({t["dossier_id"] for t in timeline}) == COUNT
        notices = MongoClient(stack.mongo_url)["motcua_notify"].notifications
        wait_until(lambda: len(notices.distinct(
            "event_id", {"event_type": "dossier.submitted"})) == COUNT, 120,
            message="a notice for every dossier")
        rows = list(notices.find({"event_type": "dossier.submitted"}, {"event_id": 1,
                                                                        "channel": 1}))
        assert len(rows) == len({(r["event_id"], r["channel"]) for r in rows})
