"""Forward ``/api/<service>/<path>`` to the service, streaming both ways.

Pooled keep-alive connections per upstream, connect/read timeouts, retries only for
idempotent methods, and the error shape for what goes wrong upstream: 503 when the service
cannot be reached (down), 502 when it answers garbage, 504 when it is too slow.

The API proxy calls urllib3 directly: ``requests`` prepared every call (URL requoting, header
and cookie merging, hooks) for ~15 % of the gateway's own time per proxied call. The portal,
the aggregated docs and the health page keep the friendlier ``requests`` sessions.
"""
from __future__ import annotations

import itertools
import logging

import requests
import urllib3
from flask import Response, g, request, stream_with_context
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
)
from urllib3.exceptions import TimeoutError as UpstreamTimeout
from urllib3.util.retry import Retry

from gateway.paths import encode
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
        self.retry_idempotent = retry
        self.retry_once = Retry(total=0, read=False, redirect=0)
        self.idempotent = _session(pool_size, retry)
        self.once = _session(pool_size, self.retry_once)
        self.pool = urllib3.PoolManager(num_pools=16, maxsize=pool_size)
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

    def open(self, service: str, method: str, path: str, *, body, headers: dict[str, str],
             timeout: tuple[float, float]) -> urllib3.BaseHTTPResponse:
        """The API proxy's call: like :meth:`request`, over urllib3, the answer unread."""
        replicas = self.replicas[service]
        start = next(self._turn)
        retries = self.retry_idempotent if method.upper() in IDEMPOTENT else self.retry_once
        for attempt in range(len(replicas)):
            base_url = replicas[(start + attempt) % len(replicas)]
            try:
                return self.pool.urlopen(
                    method, base_url + path, body=body, headers=headers, retries=retries,
                    redirect=False, preload_content=False, decode_content=False,
                    timeout=urllib3.Timeout(connect=timeout[0], read=timeout[1]),
                    chunked=body is not None and "Content-Length" not in headers)
            except MaxRetryError as exc:
                refused = isinstance(exc.reason, NewConnectionError)  # nothing was sent
                if not refused or attempt == len(replicas) - 1:
                    raise
                log.warning("replica refused; trying the next", extra=log_fields(
                    service=service, replica=base_url))
        raise MaxRetryError(None, service, NewConnectionError(None, "no replica"))


_SET_HERE = {"x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-prefix"}


def _forward_headers() -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items()
               if k.lower() not in HOP_BY_HOP and k.lower() not in _SET_HERE}
    headers["X-Request-ID"] = g.request_id
    # Only the client address as the gateway established it (servicekit.client_address): what
    # the caller wrote in X-Forwarded-For is not passed on for a service to believe.
    headers["X-Forwarded-For"] = request.remote_addr or ""
    headers["X-Forwarded-Proto"] = request.scheme
    headers["X-Forwarded-Prefix"] = request.path[: len(request.path) - len(g.upstream_path)]
    return headers


def forward(upstreams: Upstreams, service: str, path: str, *,
            timeout: tuple[float, float]) -> Response:
    """Send the request to ``service`` at ``path`` (decoded, leading '/'; encoded here)."""
    g.upstream_path = path
    url = f"{service}:{path}"
    headers = _forward_headers()
    body = None
    if request.content_length is not None:
        headers["Content-Length"] = str(request.content_length)  # streamed as it arrives
        body = request.stream if request.content_length else None
    elif request.headers.get("Transfer-Encoding"):
        body = request.stream  # chunked on, as it came
    query = request.query_string.decode()
    try:
        upstream = upstreams.open(service, request.method,
                                  encode(path) + (f"?{query}" if query else ""),
                                  body=body, headers=headers, timeout=timeout)
    except MaxRetryError as exc:  # could not connect (or the connection timed out)
        if isinstance(exc.reason, NewConnectionError):
            log.warning("upstream down", extra=log_fields(url=url,
                                                          error=type(exc.reason).__name__))
            return error_response(503, headers={"Retry-After": "5"})
        if isinstance(exc.reason, ConnectTimeoutError):
            log.warning("upstream timeout", extra=log_fields(url=url))
            return error_response(504)
        log.warning("upstream unreachable", extra=log_fields(url=url, error=repr(exc.reason)))
        return error_response(502)
    except UpstreamTimeout:
        log.warning("upstream timeout", extra=log_fields(url=url))
        return error_response(504)
    except HTTPError as exc:  # the connection broke, or the answer was not HTTP
        log.warning("upstream unreachable", extra=log_fields(url=url, error=type(exc).__name__))
        return error_response(502)

    response_headers = [(k, v) for k, v in upstream.headers.items()
                        if k.lower() not in HOP_BY_HOP]
    length = upstream.headers.get("Content-Length")
    if length is not None and int(length) <= BUFFER_LIMIT:
        # Small answers (nearly all API calls) are read at once: no generator to keep alive.
        try:
            content = upstream.read(decode_content=False)
        finally:
            upstream.release_conn()
        return Response(content, status=upstream.status, headers=response_headers)

    def stream():
        try:
            yield from upstream.stream(CHUNK, decode_content=False)
        finally:
            upstream.release_conn()

    return Response(stream_with_context(stream()), status=upstream.status,
                    headers=response_headers)
