"""Rate limits are shared by every gunicorn worker (Redis storage), not kept per process."""
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask, jsonify
from werkzeug.serving import make_server

from servicekit.local import free_port
from servicekit.testing import ServiceProcess


def test_limit_holds_across_two_gunicorn_workers(tmp_path, jwks_issuer):
    upstream = Flask("tracking")

    def lookup():
        time.sleep(0.3)  # keeps one worker busy so that concurrent requests reach both
        return jsonify(results=[])

    upstream.add_url_rule("/lookup", "lookup", lookup)
    port = free_port()
    server = make_server("127.0.0.1", port, upstream, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {"TRACKING_URL": f"http://127.0.0.1:{port}", "JWKS_URL": jwks_issuer.url,
           "RATE_LIMIT_LOOKUP": "5/minute", "RATE_LIMIT_PREFIX": f"t-{uuid.uuid4().hex}",
           "MOTCUA_ENV": "test"}
    gateway = ServiceProcess.gunicorn("gateway.app:create_app()", env, workers=2,
                                      log_path=tmp_path / "gateway.log")
    gateway.ready_path = "/healthz"
    try:
        gateway.start()
        url = f"{gateway.url}/api/tracking/lookup?code=X"
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(pool.map(lambda _: requests.get(url, timeout=10).status_code,
                                     range(12)))
    finally:
        gateway.stop()
        server.shutdown()
    assert statuses.count(200) == 5, statuses
    assert statuses.count(429) == 7
