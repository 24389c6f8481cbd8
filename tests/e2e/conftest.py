"""End-to-end fixtures: the whole platform on free ports, and Debian Chromium via Playwright.

The platform is started exactly as ``make run`` starts it (``infra/local/devstack.py``), with
every port free, a temporary ``MOTCUA_VAR`` and a RabbitMQ virtual host of its own, so it never
clashes with a running stack. The browser is the Debian ``chromium`` package; Playwright's own
browser downloads are never used.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from servicekit.local import ComponentError, ensure_rabbitmq, free_port

ROOT = Path(__file__).resolve().parents[2]
# The browser tests import their helpers (e2e_support.py) from this directory.
sys.path.insert(0, str(Path(__file__).resolve().parent))
ARTIFACTS = ROOT / "test-artifacts" / "e2e"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
PORT_VARIABLES = ("GATEWAY_PORT", "IDENTITY_PORT", "CATALOG_PORT", "SUBMISSION_PORT",
                  "TRACKING_PORT", "NOTIFY_PORT", "MONGO_PORT", "S3_PORT", "SMTP_PORT")


@dataclass
class Platform:
    base_url: str
    env: dict[str, str]
    var: Path
    output: list[str] = field(default_factory=list)

    def service_env(self) -> dict[str, str]:
        """What a service's own command (e.g. identity's CLI) needs to reach this stack."""
        ports = {k: self.env[k] for k in PORT_VARIABLES}
        return {**self.env, "MOTCUA_ENV": "development",
                "MONGO_URL": f"mongodb://127.0.0.1:{ports['MONGO_PORT']}",
                "IDENTITY_URL": f"http://127.0.0.1:{ports['IDENTITY_PORT']}"}

    def log(self, process: str) -> str:
        path = self.var / "log" / f"{process}.log"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""


@contextmanager
def running_platform(var: Path, amqp_url: str) -> Iterator[Platform]:
    """The platform as ``make run`` starts it, on free ports, until the block ends."""
    ports = {name: free_port() for name in PORT_VARIABLES}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()}, "MOTCUA_VAR": str(var),
           "AMQP_URL": amqp_url, "MOTCUA_ENV": "development",
           # the portal's cookie is not Secure over plain http on 127.0.0.1
           "PORTAL_COOKIE_SECURE": "false",
           # rate-limit counters in Redis of their own, apart from any other running stack
           "RATE_LIMIT_PREFIX": f"e2e-gateway-{ports['GATEWAY_PORT']}",
           "RATELIMIT_KEY_PREFIX": f"e2e-tracking-{ports['GATEWAY_PORT']}"}
    stack = subprocess.Popen([sys.executable, str(ROOT / "infra/local/devstack.py")], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    running = Platform(f"http://127.0.0.1:{ports['GATEWAY_PORT']}", env, var)
    ready = threading.Event()

    def read_output():
        for line in stack.stdout:
            running.output.append(line)
            if "Press Ctrl-C to stop." in line:
                ready.set()
        ready.set()

    threading.Thread(target=read_output, daemon=True).start()
    try:
        ready.wait(120)
        assert stack.poll() is None and "motcua is running" in "".join(running.output), (
            "the platform did not start:\n" + "".join(running.output))
        yield running
    finally:
        stack.send_signal(signal.SIGINT)
        try:
            stack.wait(60)
        except subprocess.TimeoutExpired:
            stack.kill()


@pytest.fixture
def platform(tmp_path, amqp_url):
    """A platform of the test's own."""
    with running_platform(tmp_path / "var", amqp_url) as running:
        yield running


def _rabbitmqctl(*args: str) -> None:
    ctl = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"
    subprocess.run([ctl, "-q", *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def module_platform(tmp_path_factory):
    """One platform shared by the tests of a module (its own RabbitMQ virtual host, like
    servicekit's per-test ``amqp_url``), for modules whose tests each prepare their own data."""
    try:
        ensure_rabbitmq()
    except ComponentError as exc:
        pytest.fail(str(exc))
    vhost = f"motcua-e2e-{uuid.uuid4().hex[:10]}"
    _rabbitmqctl("add_vhost", vhost)
    _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        with running_platform(tmp_path_factory.mktemp("platform") / "var",
                              f"amqp://guest:guest@127.0.0.1:5672/{vhost}") as running:
            yield running
    finally:
        _rabbitmqctl("delete_vhost", vhost)


@pytest.fixture(scope="session")
def browser() -> Browser:
    assert Path(CHROMIUM).exists(), "install the Debian package: apt-get install chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                              args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*"):
        if old.is_file():
            old.unlink()
    return ARTIFACTS
