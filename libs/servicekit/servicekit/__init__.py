"""servicekit: the small library every motcua service installs.

It knows nothing about any one service: settings, JSON logging with correlation ids, the one
error shape, JWT verification, Mongo helpers, the event envelope, the transactional outbox and
its relay, the consumer base with retries and dead letters, and test helpers.
"""

from servicekit.schemas import use_vietnamese_messages as _use_vietnamese_messages

# Schemas are declared at import time by the services; their fields copy marshmallow's default
# messages when created, so the Vietnamese defaults must be in place before any of them.
_use_vietnamese_messages()
