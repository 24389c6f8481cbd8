"""A consumer process used by the bus tests: records one effect document per event.

Environment: MONGO_URL, MONGO_DB, AMQP_URL, QUEUE, FAIL_TYPES (comma list of event types whose
handler always raises), KILL_MARKER (a file path: the first time an event is handled, create
it and SIGKILL ourselves after the handler's write — before recording and acking).
"""
import os
import signal
from pathlib import Path

from servicekit.bus import EventBus
from servicekit.config import ServiceSettings
from servicekit.consumer import EventConsumer
from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.worker import Worker


def handle(event, ctx):
    if event["type"] in os.environ.get("FAIL_TYPES", "").split(","):
        raise RuntimeError("handler cannot process this event")
    ctx.once("effects", {"_id": event["id"]},
             {"$inc": {"count": 1}, "$set": {"pid": os.getpid()}}, upsert=True)
    marker = os.environ.get("KILL_MARKER")
    if marker and not Path(marker).exists():
        Path(marker).write_text(event["id"])
        os.kill(os.getpid(), signal.SIGKILL)


def main():
    settings = ServiceSettings.from_env(service_name="sample-consumer",
                                        consumer_max_attempts=3, consumer_retry_delay_ms=200)
    configure_logging(settings.service_name)
    bus = EventBus.from_settings(settings)
    consumer = EventConsumer(bus=bus, db=connect(settings), queue=os.environ["QUEUE"],
                             handlers={"test.happened": handle, "test.poison": handle},
                             max_attempts=settings.consumer_max_attempts,
                             retry_delay_ms=settings.consumer_retry_delay_ms, prefetch=5)
    Worker(bus, consumers=[consumer]).run_forever()


if __name__ == "__main__":
    main()
