"""`make run`'s runner brings every service up behind the gateway, and Ctrl-C stops it all."""
import os
import socket
import subprocess
import sys
import time

import requests

from infra.local.runner import ROOT, RunningStack
from servicekit.local import port_open

SERVICES = {"identity", "catalog", "submission", "tracking", "notify"}


def test_devstack_starts_all_six_services_ready_and_stops_them(tmp_path, amqp_url):
    started = time.monotonic()
    stack = RunningStack(tmp_path / "var", amqp_url)
    with stack:
        print(f"start-up took {time.monotonic() - started:.1f}s")
        health = requests.get(f"{stack.url()}/api/healthz", timeout=5)
        assert health.status_code == 200, health.text
        assert set(health.json()["services"]) == SERVICES
        assert all(s["ready"] for s in health.json()["services"].values())
        assert requests.get(f"{stack.url()}/readyz", timeout=5).status_code == 200
    assert stack.process.returncode == 0
    assert not any(port_open(p) for p in stack.ports.values()), "everything it started stopped"


def test_devstack_refuses_a_taken_port_with_a_clear_message(tmp_path, amqp_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**os.environ, "MOTCUA_VAR": str(tmp_path / "var"), "AMQP_URL": amqp_url,
               "MONGO_PORT": str(taken.getsockname()[1])}
        result = subprocess.run([sys.executable, str(ROOT / "infra/local/devstack.py")],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "is taken" in result.stderr
