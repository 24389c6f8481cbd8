"""servicekit: the small library every motcua service installs.

It knows nothing about any one service: settings, JSON logging with correlation ids, the one
error shape, JWT verification, Mongo helpers, the event envelope, the transactional outbox and
its relay, the consumer base with retries and dead letters, and test helpers.
"""
