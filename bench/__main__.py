"""``make bench``: run every benchmark side by side in one run; write bench/results.{md,json}.

    python -m bench [--seconds 10] [--concurrency 8] [--quick] [--only NAME ...]

``--only`` runs the named scenarios alone (for a quick look while working) and writes its
figures to bench/partial.{md,json} so a partial run never replaces the full results.
"""
from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import scenarios
from infra.local.runner import RunningStack

OUT = Path(__file__).resolve().parent


def _vhost(name: str) -> str:
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", name], capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "add_vhost", name], check=True, capture_output=True)
    subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", name, "guest", ".*", ".*",
                    ".*"], check=True, capture_output=True)
    return f"amqp://guest:guest@127.0.0.1:5672/{name}"


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--quick", action="store_true", help="short runs, 10k instead of 100k")
    parser.add_argument("--only", nargs="+", metavar="NAME",
                        choices=[s.__name__ for s in scenarios.ALL],
                        help="run only these scenarios; results go to bench/partial.*")
    args = parser.parse_args()
    seconds = 3.0 if args.quick else args.seconds
    results: dict = {
        "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": __import__("os").cpu_count(),
                    "platform": platform.platform()},
        "settings": {"seconds": seconds, "concurrency": args.concurrency},
    }
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as tmp:
        stack = RunningStack(Path(tmp) / "var", _vhost("motcua-bench"),
                             extra_env=scenarios.BENCH_ENV)
        started = time.monotonic()
        with stack:
            results["startup_seconds"] = round(time.monotonic() - started, 1)
            ctx = scenarios.Context(stack, seconds, args.concurrency, Path(tmp),
                                    big=10_000 if args.quick else 100_000)
            chosen = [s for s in scenarios.ALL if not args.only or s.__name__ in args.only]
            for scenario in chosen:
                print(f"== {scenario.__name__}", flush=True)
                try:
                    results[scenario.__name__] = scenario(ctx)
                except Exception as exc:  # report and go on: one miss must not hide the rest
                    results[scenario.__name__] = {"error": f"{type(exc).__name__}: {exc}"}
                print(json.dumps(results[scenario.__name__], ensure_ascii=False), flush=True)
            results["memory"] = scenarios.memory(ctx)
            ctx.close()
    stem = "partial" if args.only else "results"
    (OUT / f"{stem}.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    (OUT / f"{stem}.md").write_text(scenarios.report(results))
    print(f"wrote {OUT / f'{stem}.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
