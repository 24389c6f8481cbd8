"""Operator CLI for dead letters: list them, and replay them onto their queue.

    motcua-deadletters list tracking.dossier-events
    motcua-deadletters replay tracking.dossier-events [--id EVENT_ID]

Uses ``AMQP_URL`` (default: the local broker).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from kombu import Queue

from servicekit.bus import EventBus
from servicekit.consumer import ATTEMPTS_HEADER, ERROR_HEADER


def _drain(bus: EventBus, queue: str):
    """Yield every message of ``<queue>.dead`` unacked; closing the channel returns the rest."""
    with bus.connection() as connection:
        channel = connection.channel()
        dead = Queue(f"{queue}.dead", durable=True)(channel)
        try:
            while True:
                message = dead.get(no_ack=False, accept=["application/json", "json"])
                if message is None:
                    return
                yield connection, message
        finally:
            channel.close()


def _summary(message) -> dict[str, Any]:
    headers = message.headers or {}
    try:
        event = json.loads(message.body)
    except ValueError:
        body = message.body
        event = {"raw": body if isinstance(body, str) else body.decode(errors="replace")}
    return {
        "id": event.get("id") if isinstance(event, dict) else None,
        "type": event.get("type") if isinstance(event, dict) else None,
        "attempts": headers.get(ATTEMPTS_HEADER),
        "error": headers.get(ERROR_HEADER),
        "envelope": event,
    }


def list_dead(bus: EventBus, queue: str) -> list[dict[str, Any]]:
    """Every dead letter of ``queue`` (they stay in the dead-letter queue)."""
    return [_summary(message) for _conn, message in _drain(bus, queue)]


def replay(bus: EventBus, queue: str, event_id: str | None = None) -> int:
    """Put dead letters (all, or the one with ``event_id``) back on ``queue``; return count."""
    count = 0
    for connection, message in _drain(bus, queue):
        summary = _summary(message)
        if event_id and summary["id"] != event_id:
            continue  # left unacked: back in the dead-letter queue when the channel closes
        headers = {k: v for k, v in (message.headers or {}).items()
                   if k not in (ATTEMPTS_HEADER, ERROR_HEADER)}
        bus.publish(connection, message.body, routing_key=queue, exchange="",
                    message_id=message.properties.get("message_id") or "", headers=headers)
        message.ack()
        count += 1
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="motcua-deadletters", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--amqp-url", default=os.environ.get(
        "AMQP_URL", "amqp://guest:guest@127.0.0.1:5672//"))
    sub = parser.add_subparsers(dest="command", required=True)
    listing = sub.add_parser("list", help="show dead letters of a consumer queue")
    listing.add_argument("queue")
    again = sub.add_parser("replay", help="put dead letters back on their queue")
    again.add_argument("queue")
    again.add_argument("--id", dest="event_id", help="only the event with this id")
    args = parser.parse_args(argv)
    bus = EventBus(args.amqp_url)
    if args.command == "list":
        for item in list_dead(bus, args.queue):
            print(json.dumps(item, ensure_ascii=False))
        return 0
    print(f"replayed {replay(bus, args.queue, args.event_id)} message(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
