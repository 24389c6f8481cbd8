"""Plain test helpers (no pytest dependency)."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jwt
import requests
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from kombu import Connection, Queue, binding

from servicekit.bus import EventBus
from servicekit.gunicorn_conf import local_command
from servicekit.local import free_port, stop


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, interval: float = 0.05,
               message: str = "condition") -> Any:
    """Poll ``predicate`` until it returns something truthy; return that value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {message}")
        time.sleep(interval)


class EventCapture:
    """Bind a temporary queue to the events exchange and collect what arrives.

    Create it *before* the action whose events you expect:

        with EventCapture(bus, "dossier.#") as events:
            client.post(...)
            event = events.wait(lambda e: e["type"] == "dossier.submitted")
    """

    def __init__(self, bus: EventBus, *patterns: str) -> None:
        self.bus = bus
        self.patterns = patterns or ("#",)
        self.events: list[dict[str, Any]] = []
        self._connection: Connection | None = None

    def __enter__(self) -> EventCapture:
        self._connection = self.bus.connection()
        self._queue = Queue(f"test-capture-{uuid.uuid4().hex[:8]}", exclusive=True,
                            auto_delete=True,
                            bindings=[binding(self.bus.exchange, routing_key=p)
                                      for p in self.patterns])
        self.bus.declare(self._connection, self._queue)
        self._bound = self._queue(self._connection.default_channel)
        return self

    def __exit__(self, *exc) -> None:
        if self._connection is not None:
            self._connection.release()

    def _drain(self) -> None:
        while True:
            message = self._bound.get(no_ack=True, accept=["application/json", "json"])
            if message is None:
                return
            self.events.append(json.loads(message.body))

    def wait(self, predicate: Callable[[dict], bool] = lambda e: True, timeout: float = 10.0
             ) -> dict[str, Any]:
        """The first captured event matching ``predicate`` (waiting for it if needed)."""
        def found():
            self._drain()
            return next((e for e in self.events if predicate(e)), None)
        return wait_until(found, timeout, message="event")


class JwksIssuer:
    """Signs access tokens like identity does and serves their JWKS over HTTP."""

    def __init__(self, issuer: str = "motcua-identity", audience: str = "motcua") -> None:
        self.issuer = issuer
        self.audience = audience
        self.keys: dict[str, Ed25519PrivateKey] = {}
        self.current_kid = self.rotate()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/.well-known/jwks.json"
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def rotate(self) -> str:
        kid = uuid.uuid4().hex[:12]
        self.keys[kid] = Ed25519PrivateKey.generate()
        self.current_kid = kid
        return kid

    def jwks(self) -> dict[str, Any]:
        keys = []
        for kid, key in self.keys.items():
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "use": "sig", "alg": "EdDSA"})
        return {"keys": keys}

    def _handler(self):
        issuer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                body = json.dumps(issuer.jwks()).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def token(self, sub: str = "user-1", role: str = "citizen", *, ttl: int = 900,
              kid: str | None = None, **claims: Any) -> str:
        kid = kid or self.current_kid
        now = datetime.now(UTC)
        payload = {"sub": sub, "role": role, "iss": self.issuer, "aud": self.audience,
                   "iat": now, "exp": now + timedelta(seconds=ttl), "jti": uuid.uuid4().hex,
                   "sid": uuid.uuid4().hex, **claims}
        return jwt.encode(payload, self.keys[kid], algorithm="EdDSA", headers={"kid": kid})

    def headers(self, **kwargs: Any) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(**kwargs)}"}

    def close(self) -> None:
        self._server.shutdown()


class ServiceProcess:
    """Run a service's web app under gunicorn (or any command) with an environment."""

    def __init__(self, args: list[str], env: dict[str, str], *, port: int | None = None,
                 log_path: Path | None = None, ready_path: str = "/readyz") -> None:
        self.args = args
        self.env = env
        self.port = port
        self.ready_path = ready_path
        self.log_path = log_path
        self.process: subprocess.Popen | None = None

    @classmethod
    def gunicorn(cls, app: str, env: dict[str, str], *, workers: int | None = None,
                 log_path: Path | None = None) -> ServiceProcess:
        """``app`` under gunicorn with the services' configuration, on a free port."""
        port = free_port()
        return cls(local_command(app, port, workers=workers), env, port=port,
                   log_path=log_path)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> ServiceProcess:
        out = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(self.args, env={**os.environ, **self.env}, stdout=out,
                                        stderr=subprocess.STDOUT, start_new_session=True)
        if self.port:
            def ready():
                if self.process.poll() is not None:
                    raise AssertionError(f"{self.args} exited with {self.process.returncode}")
                try:
                    return requests.get(self.url + self.ready_path, timeout=1).ok
                except requests.RequestException:
                    return False
            wait_until(ready, timeout, interval=0.2, message=f"{self.args[-1]} ready")
        return self

    def kill(self) -> None:
        """SIGKILL the process group: no clean-up, as in a crash."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, 9)
            self.process.wait()

    def stop(self) -> None:
        if self.process:
            stop(self.process)

    def __enter__(self) -> ServiceProcess:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()


def read_dev_messages(base_url: str, to: str, timeout: float = 10.0,
                      predicate: Callable[[dict], bool] = lambda m: True) -> list[dict]:
    """Wait until ``GET {base_url}/dev/messages?to=`` lists a matching message; return all."""
    def fetch():
        response = requests.get(f"{base_url}/dev/messages", params={"to": to}, timeout=5)
        if response.status_code != 200:
            return None
        messages = response.json().get("messages", [])
        return messages if any(predicate(m) for m in messages) else None
    return wait_until(fetch, timeout, interval=0.1, message=f"dev message to {to}")
