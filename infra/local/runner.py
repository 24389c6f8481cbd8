"""Start the whole platform (devstack.py) on free ports, for tests and benchmarks."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from servicekit.local import free_port

ROOT = Path(__file__).resolve().parents[2]
PORTS = ("GATEWAY_PORT", "IDENTITY_PORT", "CATALOG_PORT", "SUBMISSION_PORT", "TRACKING_PORT",
         "NOTIFY_PORT", "MONGO_PORT", "S3_PORT", "SMTP_PORT")


@dataclass
class RunningStack:
    var: Path
    amqp_url: str
    extra_env: dict[str, str] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=lambda: {name: free_port() for name in PORTS})
    process: subprocess.Popen | None = None
    banner: str = ""

    def url(self, port_name: str = "GATEWAY_PORT") -> str:
        return f"http://127.0.0.1:{self.ports[port_name]}"

    @property
    def mongo_url(self) -> str:
        return f"mongodb://127.0.0.1:{self.ports['MONGO_PORT']}"

    def env(self) -> dict[str, str]:
        return {**os.environ, **{k: str(v) for k, v in self.ports.items()},
                "MOTCUA_VAR": str(self.var), "AMQP_URL": self.amqp_url, **self.extra_env}

    def start(self) -> RunningStack:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "infra/local/devstack.py")], env=self.env(),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        lines = []
        for line in self.process.stdout:
            lines.append(line)
            if "Press Ctrl-C to stop." in line:
                break
        self.banner = "".join(lines)
        if "motcua is running" not in self.banner:
            self.stop()
            raise RuntimeError(f"platform did not start:\n{self.banner}")
        return self

    def service_env(self) -> dict[str, str]:
        """The environment the stack gave its processes, to start one more that joins it."""
        import json

        return {**os.environ, **json.loads((self.var / "stack-env.json").read_text())}

    def processes(self) -> list[psutil.Process]:
        """Every process the stack started (web workers, workers, components)."""
        if self.process is None:
            return []
        return psutil.Process(self.process.pid).children(recursive=True)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def __enter__(self) -> RunningStack:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
