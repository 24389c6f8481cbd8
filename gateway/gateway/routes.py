"""The gateway's own endpoints: the service mounts and ``GET /api/healthz``."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from flask import Flask, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from gateway.access import current_route
from gateway.proxy import forward
from servicekit.errors import abort

blp = Blueprint("gateway", __name__, url_prefix="/api", description="Cổng vào hệ thống")
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class ReplicaSchema(Schema):
    ready = fields.Boolean(required=True)
    status_code = fields.Integer(allow_none=True)
    detail = fields.Raw(allow_none=True)


class UpstreamSchema(ReplicaSchema):
    replicas = fields.Dict(keys=fields.String(), values=fields.Nested(ReplicaSchema))


class PlatformHealthSchema(Schema):
    status = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.Nested(UpstreamSchema))


def _probe(session: requests.Session, url: str, timeout: float) -> dict:
    try:
        response = session.get(f"{url}/readyz", timeout=timeout)
    except requests.RequestException as exc:
        return {"ready": False, "status_code": None, "detail": type(exc).__name__}
    try:
        detail = response.json().get("checks")
    except ValueError:
        detail = None
    return {"ready": response.status_code == 200, "status_code": response.status_code,
            "detail": detail}


@blp.route("/healthz")
class PlatformHealth(MethodView):
    @blp.response(200, PlatformHealthSchema)
    @blp.alt_response(503, schema=PlatformHealthSchema)
    def get(self):
        """Trạng thái sẵn sàng của mọi dịch vụ phía sau"""
        settings = current_app.extensions["settings"]
        session = current_app.extensions["upstreams"].idempotent
        replicas = [(name, url) for name, urls in settings.upstreams().items() for url in urls]
        with ThreadPoolExecutor(max_workers=len(replicas)) as pool:
            probes = [(name, url, pool.submit(_probe, session, url, settings.health_timeout))
                      for name, url in replicas]
            services: dict[str, dict] = {}
            for name, url, future in probes:
                services.setdefault(name, {"ready": False, "replicas": {}})
                result = future.result()
                services[name]["replicas"][url] = result
                # A service is ready while one of its replicas is.
                if result["ready"]:
                    services[name].update(ready=True, status_code=result["status_code"],
                                          detail=result["detail"])
            for service in services.values():
                if not service["ready"]:
                    first = next(iter(service["replicas"].values()))
                    service.update(status_code=first["status_code"], detail=first["detail"])
        ready = all(s["ready"] for s in services.values())
        return {"status": "ready" if ready else "degraded", "services": services}, (
            200 if ready else 503)


def register_mounts(app: Flask) -> None:
    """``/api/<service>/<path>`` → that service's ``/<path>``: the normalised path that
    ``gateway.access`` classified, nothing else."""
    def mounted(service: str, path: str = ""):
        settings = current_app.extensions["settings"]
        if service not in settings.upstreams():
            abort(404)
        route = current_route()
        return forward(current_app.extensions["upstreams"], service, route.path,
                       timeout=(settings.connect_timeout, settings.read_timeout))

    app.add_url_rule("/api/<service>/", "mounted_root", mounted, methods=METHODS)
    app.add_url_rule("/api/<service>/<path:path>", "mounted", mounted, methods=METHODS)
