"""The RabbitMQ topology motcua needs, read from the services' own worker code.

definitions.json (next to this file) pre-declares, for every consumer a worker builds, the
queues servicekit declares for it (the queue, ``<queue>.retry``, ``<queue>.dead``) with the very
arguments and bindings servicekit uses — RabbitMQ refuses a redeclaration with other arguments
— so that no event published before a consumer's first start is dropped. Regenerate it after a
worker gains or loses a queue or a handler:

    .venv/bin/python infra/compose/rabbitmq/topology.py            # rewrite definitions.json
    .venv/bin/python infra/compose/rabbitmq/topology.py --check    # exit 1 when it is stale

Reading the topology builds each service's worker (``<svc>.worker.build_worker``) with a
stand-in database: nothing connects to MongoDB or RabbitMQ. Needs every service installed.
"""
from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import tempfile
from pathlib import Path
from unittest import mock

DEFINITIONS = Path(__file__).with_name("definitions.json")
SERVICES_WITH_WORKERS = ("identity", "catalog", "submission", "tracking", "notify")
EXCHANGE = "motcua.events"
UNROUTED = "motcua.unrouted"

Topology = dict[str, dict[str, set[str]]]  # service -> queue -> routing keys


def _settings(service: str, scratch: str):
    config = importlib.import_module(f"{service}.config")
    from servicekit.config import ServiceSettings

    classes = [value for value in vars(config).values()
               if inspect.isclass(value) and issubclass(value, ServiceSettings)
               and value is not ServiceSettings and value.__module__ == config.__name__]
    (settings_class,) = classes
    # Development defaults; identity's development signing key goes to a scratch folder.
    return settings_class.from_env({"IDENTITY_JWT_DEV_KEY_FILE": f"{scratch}/jwt.pem"})


def _build_worker(service: str, scratch: str):
    from servicekit import mongo
    from servicekit.bus import EventBus
    from servicekit.worker import Worker

    module = importlib.import_module(f"{service}.worker")
    settings = _settings(service, scratch)
    database = mock.MagicMock(name=f"{service} database")
    patches = [
        mock.patch.object(loaded, attribute, lambda *_args, **_kwargs: database)
        for name, loaded in list(sys.modules.items())
        if name == service or name.startswith((f"{service}.", "servicekit"))
        for attribute, value in list(vars(loaded).items())
        if value is mongo.connect
    ]
    arguments = {"settings": settings, "db": database, "bus": EventBus.from_settings(settings)}
    parameters = inspect.signature(module.build_worker).parameters
    for name, parameter in parameters.items():
        if name not in arguments and parameter.default is inspect.Parameter.empty:
            raise TypeError(f"{service}.worker.build_worker: cannot supply {name!r}")
    for patch in patches:
        patch.start()
    try:
        built = module.build_worker(**{k: v for k, v in arguments.items() if k in parameters})
    finally:
        for patch in patches:
            patch.stop()
    if isinstance(built, Worker):
        return built
    return next(item for item in built if isinstance(item, Worker))


def _workers() -> dict:
    with tempfile.TemporaryDirectory() as scratch:
        return {service: _build_worker(service, scratch) for service in SERVICES_WITH_WORKERS}


def consumer_topology() -> Topology:
    """Every consumer queue of every worker, with the routing keys it binds."""
    return {service: {consumer.queue_name: set(consumer.handlers)
                      for consumer in worker.consumers}
            for service, worker in _workers().items()}


def declared_queues() -> list[dict]:
    """The queues the workers declare (kombu objects from servicekit), in definitions form."""
    declared = []
    for service, worker in sorted(_workers().items()):
        for consumer in sorted(worker.consumers, key=lambda c: c.queue_name):
            for queue in (consumer.queue, consumer.retry_queue, consumer.dead_queue):
                declared.append({
                    "name": queue.name,
                    "durable": bool(queue.durable),
                    "auto_delete": bool(queue.auto_delete),
                    "arguments": dict(queue.queue_arguments or {}),
                    "bindings": sorted(
                        (b.exchange.name, b.routing_key) for b in (queue.bindings or ())
                        if b.exchange is not None and b.exchange.name),
                    "service": service,
                })
    return declared


def definitions(queues: list[dict]) -> dict:
    """RabbitMQ definitions (rabbitmqctl import_definitions) declaring ``queues``."""
    exchange = {"vhost": "/", "durable": True, "auto_delete": False, "internal": False,
                "arguments": {}}
    result_queues, bindings = [], []
    for queue in queues + [{"name": UNROUTED, "durable": True, "auto_delete": False,
                            "arguments": {}, "bindings": []}]:
        result_queues.append({"name": queue["name"], "vhost": "/",
                              "durable": queue["durable"], "auto_delete": queue["auto_delete"],
                              "arguments": queue["arguments"]})
        bindings.extend({"source": source, "vhost": "/", "destination": queue["name"],
                         "destination_type": "queue", "routing_key": key, "arguments": {}}
                        for source, key in queue["bindings"])
    bindings.append({"source": UNROUTED, "vhost": "/", "destination": UNROUTED,
                     "destination_type": "queue", "routing_key": "", "arguments": {}})
    return {
        "vhosts": [{"name": "/"}],
        "exchanges": [{"name": EXCHANGE, "type": "topic", **exchange},
                      {"name": UNROUTED, "type": "fanout", **exchange}],
        "queues": result_queues,
        "bindings": bindings,
        "policies": [
            # Events no queue is bound for are kept for operators instead of dropped.
            {"vhost": "/", "name": "motcua-events-alternate", "pattern": "^motcua\\.events$",
             "apply-to": "exchanges", "priority": 0,
             "definition": {"alternate-exchange": UNROUTED}},
            {"vhost": "/", "name": "motcua-unrouted-bounded", "pattern": "^motcua\\.unrouted$",
             "apply-to": "queues", "priority": 0,
             "definition": {"max-length": 100000, "message-ttl": 7 * 24 * 3600 * 1000,
                            "overflow": "drop-head"}},
        ],
    }


def render(queues: list[dict]) -> str:
    return json.dumps(definitions(queues), indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if definitions.json is stale")
    args = parser.parse_args(argv)
    text = render(declared_queues())
    if args.check:
        if DEFINITIONS.read_text() != text:
            print(f"{DEFINITIONS} is stale: run {Path(__file__).name} to regenerate it")
            return 1
        return 0
    DEFINITIONS.write_text(text)
    print(f"wrote {DEFINITIONS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
