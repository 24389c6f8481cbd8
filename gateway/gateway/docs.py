"""One OpenAPI document for the whole platform, at ``/api/openapi.json`` and ``/api/docs``.

Each service's ``/openapi.json`` is fetched, its paths prefixed with ``/api/<service>`` and its
component names prefixed with the service name (so two services' ``Error`` schemas do not
collide), then merged. Cached for a minute; a service that is down is listed as missing.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Any

import requests
from flask import current_app, render_template_string

CACHE_SECONDS = 60.0
_lock = threading.Lock()
_cache: dict[str, Any] = {"at": 0.0, "doc": None}

DOCS_PAGE = """<!doctype html>
<html lang="vi"><head><meta charset="utf-8"><title>motcua API</title>
<link rel="stylesheet" href="{{ ui }}swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="{{ ui }}swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "{{ spec }}", dom_id: "#swagger-ui"});</script>
</body></html>"""


def _rename_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        return {
            key: (value.replace("#/components/schemas/", f"#/components/schemas/{prefix}")
                  .replace("#/components/responses/", f"#/components/responses/{prefix}")
                  .replace("#/components/parameters/", f"#/components/parameters/{prefix}")
                  if key == "$ref" and isinstance(value, str) else _rename_refs(value, prefix))
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rename_refs(item, prefix) for item in node]
    return node


def merge_specs(specs: dict[str, dict[str, Any] | None], title: str = "motcua API"
                ) -> dict[str, Any]:
    """Merge ``{service: spec}`` into one OpenAPI 3 document mounted under ``/api/<service>``."""
    merged: dict[str, Any] = {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0.0",
                 "description": "Mọi dịch vụ của motcua qua cổng /api/<dịch vụ>/."},
        "paths": {}, "tags": [],
        "components": {"schemas": {}, "responses": {}, "parameters": {},
                       "securitySchemes": {"bearerAuth": {
                           "type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
        "x-missing-services": [],
    }
    for service, spec in specs.items():
        if spec is None:
            merged["x-missing-services"].append(service)
            continue
        prefix = f"{service}_"
        spec = _rename_refs(spec, prefix)
        for path, item in spec.get("paths", {}).items():
            merged["paths"][f"/api/{service}{path}"] = item
        for kind in ("schemas", "responses", "parameters"):
            for name, value in spec.get("components", {}).get(kind, {}).items():
                merged["components"][kind][prefix + name] = value
        for tag in spec.get("tags", []):
            merged["tags"].append({**tag, "name": tag["name"]})
    return merged


def _fetch(session: requests.Session, url: str) -> dict[str, Any] | None:
    try:
        response = session.get(f"{url}/openapi.json", timeout=3)
        response.raise_for_status()
        return response.json()
    except (requests.RequestException, json.JSONDecodeError):
        return None


def platform_spec() -> dict[str, Any]:
    with _lock:
        if _cache["doc"] is not None and time.monotonic() - _cache["at"] < CACHE_SECONDS:
            return _cache["doc"]
    settings = current_app.extensions["settings"]
    session = current_app.extensions["upstreams"].idempotent
    specs = {name: _fetch(session, urls[0]) for name, urls in settings.upstreams().items()}
    doc = merge_specs(specs)
    if not doc["x-missing-services"]:
        with _lock:
            _cache.update(at=time.monotonic(), doc=doc)
    return doc


def docs_page():
    settings = current_app.extensions["settings"]
    return render_template_string(DOCS_PAGE, ui=settings.docs_ui_url, spec="/api/openapi.json")


def init_docs(app) -> None:
    app.add_url_rule("/api/openapi.json", "platform_openapi", platform_spec)
    app.add_url_rule("/api/docs", "platform_docs", docs_page)
