"""``GET /metrics`` for Prometheus, readable only with the metrics token.

The counters name every endpoint, its traffic and its errors: a map of the platform for an
attacker. Prometheus sends ``Authorization: Bearer <METRICS_TOKEN>`` (its scrape job's
``authorization`` setting); anything else is a 401. The gateway never forwards ``/metrics``.
"""
from __future__ import annotations

import hmac
import os

from flask import current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest, multiprocess
from prometheus_client import REGISTRY as DEFAULT_REGISTRY

from servicekit.errors import error_response

REFUSED = "Cần mã truy cập số liệu giám sát (METRICS_TOKEN) để xem trang này."


def metrics_token_sent() -> bool:
    """Whether this request carries the configured metrics token as its bearer token."""
    expected = current_app.extensions["settings"].metrics_token
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return bool(expected) and scheme.lower() == "bearer" and hmac.compare_digest(
        token.strip().encode(), expected.encode())


def metrics_view():
    if not metrics_token_sent():
        return error_response(401, REFUSED, headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = DEFAULT_REGISTRY
    return generate_latest(registry), 200, {"Content-Type": CONTENT_TYPE_LATEST}
