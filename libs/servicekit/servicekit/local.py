"""Start the local stand-ins for production components (ARCHITECTURE.md § Local run).

Used by ``make run`` (infra/local/devstack.py) and by the test fixtures, so both start the
same things the same way: nx-27017 for MongoDB, moto for S3, an aiosmtpd sink for SMTP; the
local RabbitMQ and Redis are checked (and started when installed but down).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


class ComponentError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(port: int, timeout: float = 30.0, process: subprocess.Popen | None = None,
                  name: str = "component") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_open(port):
            return
        if process is not None and process.poll() is not None:
            raise ComponentError(f"{name} exited with code {process.returncode}")
        time.sleep(0.1)
    raise ComponentError(f"{name} did not open port {port} within {timeout:.0f}s")


def _spawn(args: list[str], log_path: Path, env: dict | None = None) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = open(log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
    return subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                            env={**os.environ, **(env or {})}, start_new_session=True)


def start_mongo(port: int, data_dir: Path, log_dir: Path) -> subprocess.Popen:
    """nx-27017, one SQLite file per logical database under ``data_dir``."""
    data_dir.mkdir(parents=True, exist_ok=True)
    exe = shutil.which("nx-27017", path=str(Path(sys.executable).parent)) or "nx-27017"
    process = _spawn([exe, "--data-dir", str(data_dir), "--host", "127.0.0.1", "-p", str(port),
                      "--pid-file", str(data_dir / "nx-27017.pid")],
                     log_dir / "mongo.log")
    wait_for_port(port, process=process, name="nx-27017")
    return process


def start_s3(port: int, log_dir: Path) -> subprocess.Popen:
    """moto's S3 server (in memory)."""
    process = _spawn([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                     log_dir / "s3.log")
    wait_for_port(port, process=process, name="moto S3")
    return process


def start_smtp_sink(port: int, mail_dir: Path, log_dir: Path) -> subprocess.Popen:
    """An SMTP server that keeps every message as a file under ``mail_dir``."""
    process = _spawn([sys.executable, "-m", "servicekit.smtp_sink", "--port", str(port),
                      "--dir", str(mail_dir)], log_dir / "smtp.log")
    wait_for_port(port, process=process, name="SMTP sink")
    return process


def ensure_rabbitmq(port: int = 5672, timeout: float = 60.0) -> None:
    """Make sure the local broker answers; start it when installed and down."""
    if port_open(port):
        return
    server = shutil.which("rabbitmq-server")
    if server is None:
        raise ComponentError(
            f"RabbitMQ is not running on 127.0.0.1:{port} and is not installed. Install it "
            "with 'apt-get install rabbitmq-server' (or point AMQP_URL at a broker).")
    subprocess.run([server, "-detached"], check=False)
    wait_for_port(port, timeout=timeout, name="RabbitMQ")


def ensure_redis(port: int = 6379) -> None:
    """Make sure the local Redis answers; start it when installed and down."""
    if port_open(port):
        return
    server = shutil.which("redis-server")
    if server is None:
        raise ComponentError(
            f"Redis is not running on 127.0.0.1:{port} and is not installed. Install it with "
            "'apt-get install redis-server' (or point REDIS_URL at a server).")
    subprocess.run([server, "--daemonize", "yes", "--bind", "127.0.0.1", "--port", str(port),
                    "--save", "", "--appendonly", "no"], check=False)
    wait_for_port(port, name="Redis")


def stop(process: subprocess.Popen, timeout: float = 10.0) -> None:
    """Terminate a child started here (and its process group)."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, 15)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.wait()
