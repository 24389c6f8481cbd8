"""Calls from the portal to the services, server side, over the gateway's pooled upstreams.

Every call carries the request id (``X-Request-ID``) and the browser's address
(``X-Forwarded-For``, so per-client limits in the services still apply per person) and, when
someone is signed in, their access token — refreshed through identity shortly before it expires.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import current_app, g, request, session

from gateway.portal.session import store_tokens
from servicekit.auth import InvalidToken
from servicekit.logging import log_fields

log = logging.getLogger("gateway.portal")
REFRESH_MARGIN_SECONDS = 60


class ServiceUnavailable(Exception):
    """A service could not be reached or answered too slowly."""


class LoginRequired(Exception):
    """No valid session (never signed in, or the session could not be renewed)."""


@dataclass
class Reply:
    status: int
    body: Any = None
    content: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def message(self) -> str:
        if isinstance(self.body, dict) and self.body.get("message"):
            return str(self.body["message"])
        return "Hệ thống chưa xử lý được yêu cầu. Vui lòng thử lại."

    @property
    def errors(self) -> dict[str, list[str]]:
        """The error shape's ``errors``, nested maps flattened to dotted keys."""
        raw = self.body.get("errors") if isinstance(self.body, dict) else None
        return flatten(raw or {})


def flatten(errors: Any, prefix: str = "") -> dict[str, list[str]]:
    if isinstance(errors, dict):
        flat: dict[str, list[str]] = {}
        for key, value in errors.items():
            flat.update(flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(errors, list) and all(isinstance(m, str) for m in errors):
        return {prefix or "_": errors}
    if isinstance(errors, list):
        flat = {}
        for index, value in enumerate(errors):
            flat.update(flatten(value, f"{prefix}.{index}" if prefix else str(index)))
        return flat
    return {prefix or "_": [str(errors)]}


def _headers(token: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    # The browser's address as the gateway established it (servicekit.client_address), never
    # what the browser wrote in its own X-Forwarded-For.
    headers = {"Accept": "application/json", "X-Request-ID": g.get("request_id", ""),
               "X-Forwarded-For": request.remote_addr or "", "X-Forwarded-Proto": request.scheme}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    headers.update(extra or {})
    return headers


def _send(service: str, method: str, path: str, *, token: str | None = None,
          stream: bool = False, headers: dict[str, str] | None = None,
          **kwargs: Any) -> requests.Response:
    settings = current_app.extensions["settings"]
    upstreams = current_app.extensions["upstreams"]
    try:
        return upstreams.request(
            service, method, path, headers=_headers(token, headers), stream=stream,
            allow_redirects=False,
            timeout=(settings.connect_timeout, settings.read_timeout), **kwargs)
    except requests.RequestException as exc:
        log.warning("portal upstream failed",
                    extra=log_fields(service=service, path=path, error=type(exc).__name__))
        raise ServiceUnavailable(service) from exc


def _reply(response: requests.Response) -> Reply:
    body = None
    if response.headers.get("Content-Type", "").startswith("application/json"):
        try:
            body = response.json()
        except ValueError:
            body = None
    return Reply(response.status_code, body, response.content, dict(response.headers))


def _refresh() -> str:
    """A fresh access token for the session, or LoginRequired."""
    auth = session.get("auth") or {}
    if not auth.get("refresh"):
        raise LoginRequired()
    response = _send("identity", "POST", "/token/refresh",
                     json={"refresh_token": auth["refresh"]})
    if response.status_code != 200:
        session.pop("auth", None)
        raise LoginRequired()
    tokens = response.json()
    verifier = current_app.extensions["token_verifier"]
    try:
        claims = verifier.verify(tokens["access_token"])
    except InvalidToken as exc:
        session.pop("auth", None)
        raise LoginRequired() from exc
    store_tokens(tokens, int(claims["exp"]))
    return tokens["access_token"]


def access_token() -> str:
    auth = session.get("auth")
    if not auth:
        raise LoginRequired()
    if auth.get("exp", 0) - REFRESH_MARGIN_SECONDS <= time.time():
        return _refresh()
    return auth["access"]


def call(service: str, method: str, path: str, *, auth: bool = True, **kwargs: Any) -> Reply:
    """One JSON call; ``auth`` sends the session's token (and needs a session)."""
    token = access_token() if auth else None
    response = _send(service, method, path, token=token, **kwargs)
    replayable = "files" not in kwargs
    if auth and response.status_code == 401 and replayable:
        response = _send(service, method, path, token=_refresh(), **kwargs)
    if auth and response.status_code == 401:
        session.pop("auth", None)
        raise LoginRequired()
    if response.status_code in (502, 503, 504):
        raise ServiceUnavailable(service)
    return _reply(response)


def call_public(service: str, method: str, path: str, **kwargs: Any) -> Reply:
    """A call that sends the token when someone is signed in and works without one."""
    if session.get("auth"):
        try:
            return call(service, method, path, **kwargs)
        except LoginRequired:
            pass
    return call(service, method, path, auth=False, **kwargs)


def stream(service: str, path: str) -> requests.Response:
    """A signed-in GET whose body is passed through (PDFs, attachments, templates)."""
    token = access_token() if session.get("auth") else None
    response = _send(service, "GET", path, token=token, stream=True)
    if response.status_code == 401 and token:
        response.close()
        response = _send(service, "GET", path, token=_refresh(), stream=True)
    return response
