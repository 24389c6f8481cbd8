"""The web process as deployed: gunicorn, settings from the environment only."""
import uuid

import requests

from servicekit.testing.helpers import ServiceProcess


def test_gunicorn_serves_lookups_with_limits_from_the_environment(service_env, record, story,
                                                                  cccd_key, tmp_path):
    record(*story(code="000.00.31.H29-261128-0042").submitted().events)
    env = {**service_env, "CCCD_HASH_KEY": cccd_key, "LOOKUP_RATE_LIMIT": "2/minute",
           "RATELIMIT_KEY_PREFIX": f"test-tracking-{uuid.uuid4().hex[:10]}",
           "TRUSTED_PROXIES": "127.0.0.1"}  # the gateway's address, as `make run` sets it
    with ServiceProcess.gunicorn("tracking.app:create_app()", env,
                                 log_path=tmp_path / "web.log") as web:
        url = f"{web.url}/lookup"
        params = {"code": "000.00.31.H29-261128-0042"}
        headers = {"X-Forwarded-For": f"10.9.{uuid.uuid4().int % 250}.1"}
        statuses = [requests.get(url, params=params, headers=headers, timeout=5).status_code
                    for _ in range(3)]
        assert statuses == [200, 200, 429]
        body = requests.get(url, params=params, headers={"X-Forwarded-For": "10.8.0.1"},
                            timeout=5).json()
        assert body["results"][0]["status_label"] == "Mới đăng ký"
        assert body["results"][0]["applicant_name"] == "Nguyễn V** A*"
