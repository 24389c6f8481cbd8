"""A small closed-loop HTTP load generator: N threads, each with a keep-alive connection."""
from __future__ import annotations

import http.client
import json
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

Request = tuple[str, str, bytes | None, dict[str, str]]  # method, path, body, headers


@dataclass
class Result:
    name: str
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float] = field(repr=False)

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]

    def summary(self) -> dict:
        return {"name": self.name, "requests": self.requests, "errors": self.errors,
                "seconds": round(self.seconds, 2), "throughput_rps": round(self.throughput, 1),
                "p50_ms": round(self.percentile(50), 2), "p99_ms": round(self.percentile(99), 2),
                "mean_ms": round(statistics.fmean(self.latencies_ms), 2)
                if self.latencies_ms else None}


def run_load(name: str, base_url: str, make_request: Callable[[int], Request], *,
             concurrency: int = 8, seconds: float = 10.0, warmup: float = 1.0,
             ok: Callable[[int], bool] = lambda status: status < 400) -> Result:
    """Send requests from ``concurrency`` threads for ``seconds`` after a warm-up."""
    parts = urlsplit(base_url)
    latencies: list[float] = []
    errors = 0
    counter = 0
    lock = threading.Lock()
    start_at = time.perf_counter() + warmup
    stop_at = start_at + seconds

    def worker():
        nonlocal errors, counter
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        local: list[float] = []
        local_errors = 0
        while True:
            with lock:
                counter += 1
                n = counter
            method, path, body, headers = make_request(n)
            began = time.perf_counter()
            if began > stop_at:
                break
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
                status = 599
            elapsed = (time.perf_counter() - began) * 1000
            if began >= start_at:
                local.append(elapsed)
                if not ok(status):
                    local_errors += 1
        connection.close()
        with lock:
            latencies.extend(local)
            errors += local_errors

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return Result(name, len(latencies), errors, seconds, latencies)


def get(path: str, headers: dict[str, str] | None = None) -> Callable[[int], Request]:
    return lambda _n: ("GET", path, None, headers or {})


def post_json(path: str, body: Callable[[int], dict], headers: dict[str, str] | None = None
              ) -> Callable[[int], Request]:
    def make(n: int) -> Request:
        return ("POST", path, json.dumps(body(n)).encode(),
                {"Content-Type": "application/json", **(headers or {})})
    return make
