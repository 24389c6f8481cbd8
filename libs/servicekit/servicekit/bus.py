"""RabbitMQ topology and publishing (kombu, publisher confirms on).

Names follow the contract: one durable topic exchange (``motcua.events``), routing key =
event type, one durable queue per consumer, ``<queue>.retry`` (messages wait there for the
retry delay, then dead-letter back to ``<queue>``) and ``<queue>.dead`` for operators.
"""
from __future__ import annotations

from collections.abc import Iterable

from kombu import Connection, Exchange, Queue, binding

from servicekit.config import ServiceSettings


class EventBus:
    def __init__(self, amqp_url: str, exchange: str = "motcua.events", *,
                 connect_timeout: float = 5.0, heartbeat: int = 30,
                 service: str | None = None) -> None:
        self.amqp_url = amqp_url
        self.service = service  # whose outbox relay listens for wake-ups (outbox_wakeup)
        self.exchange = Exchange(exchange, type="topic", durable=True)
        self.connect_timeout = connect_timeout
        self.heartbeat = heartbeat

    @classmethod
    def from_settings(cls, settings: ServiceSettings) -> EventBus:
        return cls(settings.amqp_url, settings.events_exchange, service=settings.service_name)

    def connection(self) -> Connection:
        """A new connection whose publishes wait for the broker's confirm."""
        return Connection(
            self.amqp_url,
            connect_timeout=self.connect_timeout,
            heartbeat=self.heartbeat,
            transport_options={"confirm_publish": True},
        )

    def queues(self, name: str, routing_keys: Iterable[str]) -> tuple[Queue, Queue, Queue]:
        """The consumer queue, its retry queue and its dead-letter queue.

        The retry queue has no queue-level TTL: each copy carries its own ``expiration``, so
        changing the retry delay never conflicts with the queue already declared.
        """
        main = Queue(name, durable=True,
                     bindings=[binding(self.exchange, routing_key=key) for key in routing_keys])
        retry = Queue(
            f"{name}.retry", durable=True,
            queue_arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": name},
        )
        dead = Queue(f"{name}.dead", durable=True)
        return main, retry, dead

    def declare(self, connection: Connection, *queues: Queue) -> None:
        channel = connection.default_channel
        self.exchange(channel).declare()
        for queue in queues:
            queue(channel).declare()

    def publish(self, connection: Connection, body: bytes, *, routing_key: str,
                message_id: str, headers: dict | None = None, exchange: str | None = None,
                expiration_ms: int | None = None) -> None:
        """Publish one persistent message; returns once the broker confirmed it."""
        producer = connection.Producer()
        extra = {} if expiration_ms is None else {"expiration": expiration_ms / 1000}
        producer.publish(
            body,
            exchange=self.exchange.name if exchange is None else exchange,
            routing_key=routing_key,
            content_type="application/json",
            content_encoding="utf-8",
            delivery_mode=2,
            message_id=message_id,
            headers=headers or {},
            retry=False,
            **extra,
        )


def check_broker(bus: EventBus) -> None:
    """Readiness check: raises when the broker cannot be reached."""
    connection = Connection(bus.amqp_url, connect_timeout=2)
    try:
        connection.ensure_connection(max_retries=1, timeout=2)
    finally:
        connection.release()
