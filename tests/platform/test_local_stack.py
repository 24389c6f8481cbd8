"""`make run`'s runner brings every service up behind the gateway, and Ctrl-C stops it all."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from servicekit.local import free_port, port_open

ROOT = Path(__file__).resolve().parents[2]
SERVICES = {"identity", "catalog", "submission", "tracking", "notify"}


def test_devstack_starts_all_six_services_ready_and_stops_them(tmp_path, amqp_url):
    ports = {name: free_port() for name in (
        "GATEWAY_PORT", "IDENTITY_PORT", "CATALOG_PORT", "SUBMISSION_PORT", "TRACKING_PORT",
        "NOTIFY_PORT", "MONGO_PORT", "S3_PORT", "SMTP_PORT")}
    env = {**os.environ, **{k: str(v) for k, v in ports.items()},
           "MOTCUA_VAR": str(tmp_path / "var"), "AMQP_URL": amqp_url}
    started = time.monotonic()
    stack = subprocess.Popen([sys.executable, str(ROOT / "infra/local/devstack.py")], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        banner = []
        for line in stack.stdout:
            banner.append(line)
            if "Press Ctrl-C to stop." in line:
                break
        assert "motcua is running" in "".join(banner), "".join(banner)
        health = requests.get(f"http://127.0.0.1:{ports['GATEWAY_PORT']}/api/healthz",
                              timeout=5)
        print(f"start-up took {time.monotonic() - started:.1f}s")
        assert health.status_code == 200, health.text
        assert set(health.json()["services"]) == SERVICES
        assert all(s["ready"] for s in health.json()["services"].values())
        gateway = requests.get(f"http://127.0.0.1:{ports['GATEWAY_PORT']}/readyz", timeout=5)
        assert gateway.status_code == 200
    finally:
        stack.send_signal(signal.SIGINT)
        stack.wait(60)
    assert not any(port_open(p) for p in ports.values()), "everything it started is stopped"


def test_devstack_refuses_a_taken_port_with_a_clear_message(tmp_path, amqp_url):
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = {**os.environ, "MOTCUA_VAR": str(tmp_path / "var"), "AMQP_URL": amqp_url,
               "MONGO_PORT": str(taken.getsockname()[1])}
        result = subprocess.run([sys.executable, str(ROOT / "infra/local/devstack.py")],
                                env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "is taken" in result.stderr
