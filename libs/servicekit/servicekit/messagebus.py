"""The message bus every service dispatches through (cosmicpython's, chapter 9, simplified).

A service's ``handlers.py`` ends with one map, ``HANDLERS = {CommandType: handler}``, where a
command is a small dataclass and a handler is ``handler(services, command)``. Routes, the CLI
and tests never call a handler directly: they build the command and ask the bus, so the map is
the one list of what the service does and cannot drift from the code.

Events a service consumes go through the same idea at the worker: ``EVENT_HANDLERS = {event
type: handler(services, event, ctx)}`` bound to the worker's :class:`~servicekit.consumer.
EventConsumer` by :func:`bind_event_handlers`.

Reads that change nothing live in ``views.py`` (cosmicpython's chapter 12) and are called
directly.
"""
from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

S = TypeVar("S")


class UnknownCommand(LookupError):
    """No handler is mapped for this command type: a wiring bug, found by the map test."""


class MessageBus(Generic[S]):
    def __init__(self, services: S, handlers: Mapping[type, Callable[[S, Any], Any]]) -> None:
        self.services = services
        self.handlers = dict(handlers)

    def handle(self, command: Any) -> Any:
        try:
            handler = self.handlers[type(command)]
        except KeyError:
            raise UnknownCommand(type(command).__name__) from None
        return handler(self.services, command)


def bind_event_handlers(services: S, handlers: Mapping[str, Callable[..., Any]]
                        ) -> dict[str, Callable[[dict[str, Any], Any], Any]]:
    """``{event type: handler(services, event, ctx)}`` → what an EventConsumer calls."""
    return {event_type: functools.partial(_call, handler, services)
            for event_type, handler in handlers.items()}


def _call(handler: Callable[..., Any], services: Any, event: dict[str, Any], ctx: Any) -> Any:
    return handler(services, event, ctx)


def current_bus() -> MessageBus:
    """The bus of the Flask app serving this request (``app.extensions["bus"]``)."""
    from flask import current_app

    return current_app.extensions["bus"]


def handle(command: Any) -> Any:
    """Dispatch ``command`` on the current app's bus: what a route calls."""
    return current_bus().handle(command)
