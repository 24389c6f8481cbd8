"""The web app under gunicorn and the worker as a process, as they run in production."""
import io
import sys
import uuid

import requests

from servicekit.testing.files import minimal_pdf
from servicekit.testing.helpers import EventCapture, ServiceProcess

PDF = minimal_pdf("giay chung sinh")  # parses: uploads are checked by structure


def test_submission_through_gunicorn_reaches_the_broker_via_the_worker(
        service_env, s3_endpoint, mongo_db, bus, jwks_issuer, tmp_path, sample):
    sample["seed"](mongo_db)
    env = {**service_env, "S3_ENDPOINT": s3_endpoint, "S3_BUCKET": f"p-{uuid.uuid4().hex[:10]}"}
    web = ServiceProcess.gunicorn("submission.app:create_app()", env,
                                  log_path=tmp_path / "web.log")
    worker = ServiceProcess([sys.executable, "-m", "submission.worker"], env,
                            log_path=tmp_path / "worker.log")
    headers = jwks_issuer.headers(sub="citizen-42", role="citizen")
    with web, worker, EventCapture(bus, "dossier.#") as events:
        ready = requests.get(web.url + "/readyz", timeout=5).json()
        assert ready["checks"] == {"mongo": "ok", "rabbitmq": "ok", "s3": "ok"}
        draft = requests.post(web.url + "/dossiers", json={"procedure_code": "1.001193",
                                                           "agency_code": "000.00.31.H29"},
                              headers=headers, timeout=5).json()
        assert requests.patch(f"{web.url}/dossiers/{draft['id']}",
                              json={"form": sample["form"], "applicant": sample["applicant"]},
                              headers=headers, timeout=5).status_code == 200
        uploaded = requests.post(f"{web.url}/dossiers/{draft['id']}/attachments",
                                 data={"document_type": "giay_chung_sinh"},
                                 files={"file": ("giay.pdf", io.BytesIO(PDF))},
                                 headers=headers, timeout=5)
        assert uploaded.status_code == 201, uploaded.text
        submitted = requests.post(f"{web.url}/dossiers/{draft['id']}/submit",
                                  headers={**headers, "Idempotency-Key": "proc-test-0001"},
                                  timeout=5).json()
        event = events.wait(lambda e: e["type"] == "dossier.submitted", timeout=20)
        spec = requests.get(web.url + "/openapi.json", timeout=5).json()
    assert event["data"]["code"] == submitted["code"]
    assert event["correlation_id"]
    assert {"/dossiers/{dossier_id}/submit", "/officer/dossiers",
            "/dossiers/{dossier_id}/actions"} <= set(spec["paths"])
