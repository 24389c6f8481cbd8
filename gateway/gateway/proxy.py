"""Forward ``/api/<service>/<path>`` to the service, streaming both ways.

Pooled keep-alive connections per upstream (one ``requests.Session``), connect/read
timeouts, retries only for idempotent methods, and the error shape for what goes wrong
upstream: 503 when the service cannot be reached (down), 502 when it answers garbage, 504
when it is too slow.
"""
from __future__ import annotations

import itertools
import logging

import requests
from flask import Response, g, request, stream_with_context
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from servicekit.errors import error_response
from servicekit.logging import log_fields

log = logging.getLogger("gateway.proxy")

# Hop-by-hop headers (RFC 9110 §7.6.1) are never forwarded.
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailer", "transfer-encoding", "upgrade", "host", "content-length"}
CHUNK = 64 * 1024
BUFFER_LIMIT = 1024 * 1024


IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


def _session(pool_size: int, retry: Retry | int) -> requests.Session:
    session = requests.Session()
    adapter = HTTPAdapter(pool_connections=8, pool_maxsize=pool_size, max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.trust_env = False
    return session


class Upstreams:
    """The services' replicas behind pooled keep-alive sessions.

    Requests go round-robin over a service's replicas; a replica that refuses the connection
    (nothing was sent) is skipped for the next one. Idempotent requests are also retried when
    the connection fails; others never (a POST may have acted before the connection broke).
    """

    def __init__(self, replicas: dict[str, list[str]], pool_size: int, retries: int = 2
                 ) -> None:
        retry = Retry(total=retries, connect=retries, read=False, status=0, redirect=0,
                      allowed_methods=IDEMPOTENT, backoff_factor=0.05, raise_on_status=False)
        self.replicas = replicas
        self.idempotent = _session(pool_size, retry)
        self.once = _session(pool_size, Retry(total=0, read=False, redirect=0))
        self._turn = itertools.count()

    def session_for(self, method: str) -> requests.Session:
        return self.idempotent if method.upper() in IDEMPOTENT else self.once

    def request(self, service: str, method: str, path: str, **kwargs) -> requests.Response:
        """Send to one replica of ``service``; raise ``KeyError`` for an unknown service."""
        replicas = self.replicas[service]
        start = next(self._turn)
        session = self.session_for(method)
        for attempt in range(len(replicas)):
            base_url = replicas[(start + attempt) % len(replicas)]
            try:
                return session.request(method, base_url + path, **kwargs)
            except requests.ConnectionError as exc:
                refused = isinstance(exc.__context__, ConnectionRefusedError) or \
                    "refused" in str(exc).lower()
                if not refused or attempt == len(replicas) - 1:
                    raise
                log.warning("replica refused; trying the next", extra=log_fields(
                    service=service, replica=base_url))
        raise requests.ConnectionError(f"no replica of {service}")


def _forward_headers() -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    headers["X-Request-ID"] = g.request_id
    headers["X-Forwarded-For"] = ", ".join(filter(None, [
        request.headers.get("X-Forwarded-For"), request.remote_addr]))
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Prefix"] = request.path[: len(request.path) - len(g.upstream_path)]
    return headers


def forward(upstreams: Upstreams, service: str, path: str, *,
            timeout: tuple[float, float]) -> Response:
    g.upstream_path = "/" + path
    url = f"{service}:/{path}"
    body = request.stream if request.content_length or request.headers.get(
        "Transfer-Encoding") else None
    try:
        upstream = upstreams.request(
            service, request.method, "/" + path, params=request.query_string.decode() or None,
            data=body, headers=_forward_headers(), stream=True, timeout=timeout,
            allow_redirects=False,
        )
    except requests.Timeout:
        log.warning("upstream timeout", extra=log_fields(url=url))
        return error_response(504)
    except requests.ConnectionError as exc:
        log.warning("upstream down", extra=log_fields(url=url, error=type(exc).__name__))
        return error_response(503, headers={"Retry-After": "5"})
    except requests.RequestException as exc:
        log.warning("upstream unreachable", extra=log_fields(url=url, error=type(exc).__name__))
        return error_response(502)

    headers = [(k, v) for k, v in upstream.raw.headers.items() if k.lower() not in HOP_BY_HOP]
    length = upstream.headers.get("Content-Length")
    if length is not None and int(length) <= BUFFER_LIMIT:
        # Small answers (nearly all API calls) are read at once: no generator to keep alive.
        try:
            content = upstream.raw.read(decode_content=False)
        finally:
            upstream.close()
        return Response(content, status=upstream.status_code, headers=headers)

    def stream():
        try:
            yield from upstream.raw.stream(CHUNK, decode_content=False)
        finally:
            upstream.close()

    return Response(stream_with_context(stream()), status=upstream.status_code,
                    headers=headers)
