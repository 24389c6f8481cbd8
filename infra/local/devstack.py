"""Run the whole platform locally: ``make run`` (or ``python infra/local/devstack.py``).

Starts the local components of ARCHITECTURE.md (nx-27017 with data under var/, moto S3, an
SMTP sink keeping mail under var/mail, RabbitMQ and Redis when installed and down), every
service's web process (gunicorn) and worker, and the gateway; waits until the gateway reports
every service ready, seeds demo data, prints the URLs. Ctrl-C stops everything it started.

Every port comes from an environment variable (see README), so a second stack — the tests —
never clashes with this one.
"""
from __future__ import annotations

import importlib.util
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from servicekit.local import (
    ComponentError,
    ensure_rabbitmq,
    ensure_redis,
    port_open,
    start_mongo,
    start_s3,
    start_smtp_sink,
    stop,
)

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {  # name: (port variable, default port, has a worker)
    "identity": ("IDENTITY_PORT", 8081, True),
    "catalog": ("CATALOG_PORT", 8082, True),
    "submission": ("SUBMISSION_PORT", 8083, True),
    "tracking": ("TRACKING_PORT", 8084, True),
    "notify": ("NOTIFY_PORT", 8085, True),
}


LOOPBACK = "127.0.0.0/8,::1/128"


def _port(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


@dataclass
class Stack:
    var: Path = field(default_factory=lambda: Path(os.environ.get("MOTCUA_VAR", ROOT / "var")))
    gateway_port: int = field(default_factory=lambda: _port("GATEWAY_PORT", 8080))
    mongo_port: int = field(default_factory=lambda: _port("MONGO_PORT", 27017))
    s3_port: int = field(default_factory=lambda: _port("S3_PORT", 9000))
    smtp_port: int = field(default_factory=lambda: _port("SMTP_PORT", 1025))
    amqp_url: str = field(default_factory=lambda: os.environ.get(
        "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"))
    redis_url: str = field(default_factory=lambda: os.environ.get(
        "REDIS_URL", "redis://127.0.0.1:6379/0"))
    # Processes a test runs itself (to kill and restart them): "mongo", "tracking-worker"...
    without: frozenset[str] = field(default_factory=lambda: frozenset(
        filter(None, os.environ.get("DEVSTACK_WITHOUT", "").split(","))))
    processes: list[tuple[str, subprocess.Popen]] = field(default_factory=list)

    @property
    def logs(self) -> Path:
        return self.var / "log"

    def service_port(self, name: str) -> int:
        variable, default, _ = SERVICES[name]
        return _port(variable, default)

    @staticmethod
    def replicas(name: str, kind: str = "") -> int:
        """``SUBMISSION_REPLICAS=2`` (web) / ``TRACKING_WORKER_REPLICAS=2`` (worker)."""
        return max(1, int(os.environ.get(f"{name.upper()}{kind}_REPLICAS", "1")))

    def replica_ports(self, name: str) -> list[int]:
        base = self.service_port(name)
        return [base + 100 * i for i in range(self.replicas(name))]

    def env(self) -> dict[str, str]:
        urls = {f"{name.upper()}_URL": ",".join(f"http://127.0.0.1:{port}"
                                                for port in self.replica_ports(name))
                for name in SERVICES}
        return {
            **os.environ,
            "MOTCUA_ENV": os.environ.get("MOTCUA_ENV", "development"),
            "MOTCUA_VAR": str(self.var),
            "MONGO_URL": f"mongodb://127.0.0.1:{self.mongo_port}",
            "AMQP_URL": self.amqp_url,
            "REDIS_URL": self.redis_url,
            "S3_ENDPOINT": f"http://127.0.0.1:{self.s3_port}",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.smtp_port),
            "JWKS_URL": f"http://127.0.0.1:{self.service_port('identity')}"
                        "/.well-known/jwks.json",
            "PUBLIC_BASE_URL": f"http://127.0.0.1:{self.gateway_port}",
            # Services believe X-Forwarded-For from the gateway only (it runs on loopback);
            # the gateway itself trusts nobody in front of it (GATEWAY_TRUSTED_PROXIES).
            "TRUSTED_PROXIES": os.environ.get("TRUSTED_PROXIES", LOOPBACK),
            **urls,
        }

    def gateway_env(self) -> dict[str, str]:
        return {**self.env(),
                "TRUSTED_PROXIES": os.environ.get("GATEWAY_TRUSTED_PROXIES", "")}

    # -- starting -------------------------------------------------------------------------------

    def start_components(self) -> None:
        ensure_rabbitmq()
        ensure_redis()
        for name, port, start in (
            ("mongo", self.mongo_port, lambda: start_mongo(self.mongo_port, self.var / "mongo",
                                                           self.logs)),
            ("s3", self.s3_port, lambda: start_s3(self.s3_port, self.logs)),
            ("smtp", self.smtp_port, lambda: start_smtp_sink(self.smtp_port, self.var / "mail",
                                                             self.logs)),
        ):
            if name in self.without:
                continue
            if port_open(port):
                raise ComponentError(
                    f"port {port} for {name} is taken; stop what uses it or set "
                    f"{name.upper()}_PORT to a free port")
            self.processes.append((name, start()))

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> None:
        if name in self.without:
            return
        self.logs.mkdir(parents=True, exist_ok=True)
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - owned by the child
        process = subprocess.Popen(args, env=env or self.env(), stdout=log,
                                   stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        self.processes.append((name, process))

    def _gunicorn(self, name: str, app: str, port: int, env: dict[str, str] | None = None
                  ) -> None:
        # The images' configuration (servicekit.gunicorn_conf); 1 worker, 8 threads locally.
        from servicekit.gunicorn_conf import local_command

        self._spawn(name, local_command(app, port, name=f"motcua-{name}"), env)

    def write_env(self) -> Path:
        """Record the environment every process got (``var/stack-env.json``), so one more
        process can join this stack: ``env $(jq ...) python -m tracking.worker``."""
        import json

        keys = {"MOTCUA_ENV", "MOTCUA_VAR", "MONGO_URL", "AMQP_URL", "REDIS_URL", "S3_ENDPOINT",
                "SMTP_HOST", "SMTP_PORT", "JWKS_URL", "PUBLIC_BASE_URL", "DEVSTACK_WITHOUT",
                "TRUSTED_PROXIES", "METRICS_TOKEN",
                *(f"{name.upper()}_URL" for name in SERVICES)}
        env = {k: v for k, v in self.env().items()
               if k in keys or k.startswith(("RATE_LIMIT", "SUBMISSION_", "LOG_LEVEL"))}
        path = self.var / "stack-env.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(env, indent=2))
        return path

    def start_services(self) -> None:
        self.write_env()
        for name, (_variable, _default, has_worker) in SERVICES.items():
            for n, port in enumerate(self.replica_ports(name), start=1):
                self._gunicorn(name if n == 1 else f"{name}-{n}", f"{name}.app:create_app()",
                               port)
            for n in range(1, self.replicas(name, "_WORKER") + 1 if has_worker else 1):
                self._spawn(f"{name}-worker" if n == 1 else f"{name}-worker-{n}",
                            [sys.executable, "-m", f"{name}.worker"])
        self._gunicorn("gateway", "gateway.app:create_app()", self.gateway_port,
                       self.gateway_env())

    def wait_ready(self, timeout: float = 90.0) -> dict:
        url = f"http://127.0.0.1:{self.gateway_port}/api/healthz"
        deadline = time.monotonic() + timeout
        last: dict = {}
        while time.monotonic() < deadline:
            for name, process in self.processes:
                if process.poll() is not None:
                    raise ComponentError(f"{name} exited with code {process.returncode}; "
                                         f"see {self.logs / (name + '.log')}")
            try:
                response = requests.get(url, timeout=3)
                last = response.json()
                every_replica = all(replica["ready"] for service in last["services"].values()
                                    for replica in service.get("replicas", {}).values())
                if response.status_code == 200 and every_replica:
                    return last
            except (requests.RequestException, ValueError):
                pass
            time.sleep(0.3)
        raise ComponentError(f"not ready after {timeout:.0f}s: {last}")

    def seed(self) -> None:
        """Run each service's idempotent ``<service>.seed`` command when it has one."""
        for name in SERVICES:
            spec = importlib.util.find_spec(f"{name}.seed")
            if spec is None or (spec.submodule_search_locations
                                and importlib.util.find_spec(f"{name}.seed.__main__") is None):
                continue
            subprocess.run([sys.executable, "-m", f"{name}.seed"], env=self.env(), cwd=ROOT,
                           check=True)

    def stop(self) -> None:
        for _name, process in reversed(self.processes):
            stop(process)
        self.processes.clear()


def main() -> int:
    stack = Stack()
    started = time.monotonic()
    stopping = False

    def on_signal(*_):
        nonlocal stopping
        stopping = True
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_signal)
    try:
        stack.start_components()
        stack.start_services()
        stack.wait_ready()
        stack.seed()
        elapsed = time.monotonic() - started
        base = f"http://127.0.0.1:{stack.gateway_port}"
        print(f"\nmotcua is running (ready in {elapsed:.1f}s):\n"
              f"  portal and API   {base}/\n"
              f"  health           {base}/api/healthz\n"
              f"  API docs         {base}/api/<service>/docs  (e.g. {base}/api/catalog/docs)\n"
              f"  dev messages     {base}/api/notify/dev/messages?to=<phone or email>\n"
              f"  mail sink        {stack.var / 'mail'}\n"
              f"  logs             {stack.logs}\n"
              "Press Ctrl-C to stop.", flush=True)
        reported: set[str] = set()
        while True:
            time.sleep(1)
            for name, process in stack.processes:
                if process.poll() is not None and name not in reported:
                    # Keep the rest running (a replica may be killed on purpose); say so.
                    reported.add(name)
                    print(f"WARNING: {name} exited with code {process.returncode}; see "
                          f"{stack.logs / (name + '.log')}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        return 0
    except (ComponentError, subprocess.CalledProcessError) as exc:
        print(f"motcua could not start: {exc}", file=sys.stderr)
        return 1
    finally:
        print("stopping motcua...", flush=True)
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
