"""The worker process of a service: its consumers, its outbox relay and periodic tasks.

Each consumer and the relay get a thread and a broker connection of their own (kombu
connections are not thread-safe), reconnecting forever. A periodic task is a function run in
its own thread every ``interval`` seconds (again at once while it reports work done).
SIGTERM/SIGINT stop the loops after the current message.
"""
from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from kombu import Connection, Consumer

from servicekit.bus import EventBus
from servicekit.consumer import EventConsumer
from servicekit.outbox import OutboxRelay
from servicekit.outbox_wakeup import wakeup_queue

log = logging.getLogger("servicekit.worker")

RECONNECT_MAX_SECONDS = 5.0
STABLE_SECONDS = 10.0  # a loop that failed sooner keeps backing off (e.g. a failing declare)
STALLED_SECONDS = 30.0  # a loop silent for longer makes the worker not alive


@dataclass(frozen=True)
class PeriodicTask:
    """``run()`` every ``interval`` seconds; a truthy result (work done) runs it again now."""

    name: str
    run: Callable[[], object]
    interval: float = 1.0


class Worker:
    def __init__(self, bus: EventBus, *, consumers: Sequence[EventConsumer] = (),
                 relay: OutboxRelay | None = None, poll_seconds: float = 0.1,
                 tasks: Sequence[PeriodicTask] = ()) -> None:
        self.bus = bus
        self.consumers = list(consumers)
        self.relay = relay
        self.tasks = list(tasks)
        self.poll_seconds = poll_seconds
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []
        self.ticks: dict[str, float] = {}  # loop name → last time it made progress

    # -- loops --------------------------------------------------------------------------------

    def _with_reconnect(self, name: str, body) -> None:
        delay = 0.2
        while not self.stopping.is_set():
            began = time.monotonic()
            try:
                with self.bus.connection() as connection:
                    connection.ensure_connection(max_retries=1)
                    log.info("connected", extra={"fields": {"loop": name}})
                    body(connection)
            except Exception as exc:  # broker down, connection reset, Mongo down...
                if self.stopping.is_set():
                    return
                log.warning("loop error; reconnecting", extra={"fields": {
                    "loop": name, "error": f"{type(exc).__name__}: {exc}", "in_s": delay}})
                if time.monotonic() - began > STABLE_SECONDS:
                    delay = 0.2  # it ran fine for a while: a fresh failure, retry soon
                self.ticks[name] = time.monotonic()  # waiting for the broker is alive
                self.stopping.wait(delay)
                delay = min(delay * 2, RECONNECT_MAX_SECONDS)

    def _consume(self, consumer: EventConsumer, connection: Connection) -> None:
        consumer.declare(connection)
        with consumer.consumer(connection):
            while not self.stopping.is_set():
                self.ticks[consumer.queue_name] = time.monotonic()
                try:
                    connection.drain_events(timeout=1.0)
                except TimeoutError:  # nothing arrived within the second
                    connection.heartbeat_check()

    def _relay(self, connection: Connection) -> None:
        """Publish pending events; when idle, wait for a wake-up (servicekit.outbox_wakeup)
        or the poll interval, whichever comes first."""
        assert self.relay is not None
        connection.default_channel  # noqa: B018 - open the channel now, fail fast
        self.bus.declare(connection)
        if self.bus.service is None:  # no wake-ups: poll only
            while not self.stopping.is_set():
                self.ticks["relay"] = time.monotonic()
                if not self.relay.run_once(connection):
                    self.stopping.wait(self.poll_seconds)
            return
        woken = threading.Event()
        channel = connection.channel()
        queue = wakeup_queue(self.bus.service)
        with Consumer(channel, [queue], callbacks=[lambda _body, _message: woken.set()],
                      no_ack=True):
            while not self.stopping.is_set():
                self.ticks["relay"] = time.monotonic()
                woken.clear()  # a nudge from here on (even during the run) means: run again
                if self.relay.run_once(connection) or woken.is_set():
                    continue
                try:
                    connection.drain_events(timeout=self.poll_seconds)
                except TimeoutError:
                    connection.heartbeat_check()

    def _periodic(self, task: PeriodicTask) -> None:
        while not self.stopping.is_set():
            self.ticks[f"task-{task.name}"] = time.monotonic()
            try:
                busy = task.run()
            except Exception as exc:  # e.g. the database is down: wait and try again
                log.warning("task error", extra={"fields": {
                    "task": task.name, "error": f"{type(exc).__name__}: {exc}"}})
                busy = False
            if not busy:
                self.stopping.wait(task.interval)

    # -- lifecycle ----------------------------------------------------------------------------

    def declare(self) -> None:
        """Declare the exchange and every consumer's queues now, so that events published
        right after :meth:`start` are not dropped. Best effort: the loops declare again."""
        try:
            with self.bus.connection() as connection:
                connection.ensure_connection(max_retries=1)
                self.bus.declare(connection)
                for consumer in self.consumers:
                    consumer.declare(connection)
        except Exception as exc:  # broker down: the consumer loops declare once it is back
            log.warning("could not declare queues yet", extra={"fields": {"error": repr(exc)}})

    def start(self) -> None:
        self.declare()
        try:
            for consumer in self.consumers:
                consumer.ensure_indexes()
            if self.relay is not None:
                self.relay.ensure_indexes()
        except Exception as exc:  # database down at start: the loops retry their work
            log.warning("could not create indexes yet", extra={"fields": {"error": repr(exc)}})
        if self.relay is not None:
            self._spawn("relay", lambda conn: self._relay(conn))
        for consumer in self.consumers:
            self._spawn(consumer.queue_name,
                        lambda conn, c=consumer: self._consume(c, conn))
        for task in self.tasks:
            thread = threading.Thread(target=self._periodic, args=(task,),
                                      name=f"task-{task.name}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def _spawn(self, name: str, body) -> None:
        thread = threading.Thread(target=self._with_reconnect, args=(name, body),
                                  name=f"worker-{name}", daemon=True)
        thread.start()
        self.threads.append(thread)

    def stop(self, timeout: float = 10.0) -> None:
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        for consumer in self.consumers:
            consumer.close()

    def alive(self) -> bool:
        """Every thread runs and every loop made progress within ``STALLED_SECONDS``."""
        now = time.monotonic()
        return all(t.is_alive() for t in self.threads) and all(
            now - tick < STALLED_SECONDS for tick in self.ticks.values())

    def run_forever(self, heartbeat_file: str | None = None) -> None:
        """Start, then block until SIGTERM or SIGINT, touching ``heartbeat_file`` every
        second while :meth:`alive` (``python -m servicekit.worker --alive FILE`` checks it)."""
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                signal.signal(signum, lambda *_: self.stopping.set())
        self.start()
        log.info("worker started", extra={"fields": {
            "consumers": [c.queue_name for c in self.consumers], "relay": bool(self.relay)}})
        heartbeat = Path(heartbeat_file) if heartbeat_file else None
        while not self.stopping.is_set():
            if heartbeat is not None and self.alive():
                heartbeat.touch()
            self.stopping.wait(1.0)
        self.stop()
        log.info("worker stopped")


def main(argv: list[str] | None = None) -> int:
    """Liveness probe: ``python -m servicekit.worker --alive /tmp/worker-alive``."""
    parser = argparse.ArgumentParser(prog="python -m servicekit.worker")
    parser.add_argument("--alive", required=True, help="the worker's heartbeat file")
    parser.add_argument("--max-age", type=float, default=STALLED_SECONDS)
    args = parser.parse_args(argv)
    try:
        age = time.time() - Path(args.alive).stat().st_mtime
    except FileNotFoundError:
        print("no heartbeat yet", file=sys.stderr)
        return 1
    if age > args.max_age:
        print(f"heartbeat {age:.0f}s old", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
