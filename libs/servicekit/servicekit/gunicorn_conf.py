"""gunicorn settings of every motcua web process, read from the environment.

    gunicorn --config python:servicekit.gunicorn_conf 'submission.app:create_app()'

Images set ``PORT`` and the ``GUNICORN_*`` defaults in their Dockerfile. ``make run``, the
tests and the benchmarks start the same configuration through :func:`local_command`, which
overrides on the command line (flags win over this module) only what differs on a
developer's machine: the loopback address, the process name, one worker with eight threads.

gunicorn takes every module-level name that is one of its settings and ignores the others.
"""
from __future__ import annotations

import os
import shutil
import sys
import tempfile

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
# gthread, answering the requests gunicorn refuses itself in the platform's JSON error shape.
worker_class = "servicekit.gunicorn_worker.JsonErrorWorker"
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))
# Heartbeat files in memory: the root filesystem is read-only in production.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None
# Requests are logged by the service itself (JSON, with the request id).
accesslog = None
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn >= 25.1 opens a control socket under $HOME, which is read-only in production; and
# several masters on one machine (make run) would share it. Not needed.
control_socket_disable = True

_METRICS_DIR = "PROMETHEUS_MULTIPROC_DIR"
_own_metrics_dir: list[str] = []  # a directory on_starting created, removed by on_exit


def on_starting(server) -> None:
    """Give this master an empty Prometheus multiprocess directory, before any worker starts
    (prometheus-client sums the counters of every worker found there).

    ``PROMETHEUS_MULTIPROC_DIR`` when set; otherwise a private temporary directory, so that
    several masters on one machine (``make run``, tests, benchmarks) neither mix their
    counters nor delete each other's files. Workers inherit the variable.
    """
    directory = os.environ.get(_METRICS_DIR)
    if directory:
        shutil.rmtree(directory, ignore_errors=True)
        os.makedirs(directory, exist_ok=True)
    else:
        directory = tempfile.mkdtemp(prefix="motcua-metrics-")
        os.environ[_METRICS_DIR] = directory
        _own_metrics_dir.append(directory)


def child_exit(server, worker) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server) -> None:
    for directory in _own_metrics_dir:
        shutil.rmtree(directory, ignore_errors=True)


def local_command(app: str, port: int, *, name: str | None = None,
                  workers: int | None = None) -> list[str]:
    """The command line of a web process on this machine: this configuration on
    ``127.0.0.1:port``, with ``GUNICORN_WORKERS`` (default 1) workers of ``GUNICORN_THREADS``
    (default 8) threads and a 10 s graceful timeout (the time ``servicekit.local.stop``
    gives); ``name`` becomes the process title (``--name``)."""
    args = [sys.executable, "-m", "gunicorn", "--config", "python:servicekit.gunicorn_conf",
            "-b", f"127.0.0.1:{port}",
            "-w", str(workers or os.environ.get("GUNICORN_WORKERS", "1")),
            "--threads", os.environ.get("GUNICORN_THREADS", "8"),
            "--graceful-timeout", os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "10")]
    if name:
        args += ["--name", name]
    return [*args, app]
