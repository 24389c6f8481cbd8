"""The template versions a worker renders with, read from the database at most every ``ttl``.

Administrators add a version rarely, while every event needs one template per channel: the
worker keeps what it read, per event type, for ``ttl`` seconds (``TEMPLATE_CACHE_SECONDS``).
A newly saved version is therefore used by every worker at most ``ttl`` seconds after it was
saved. Saving a version (``save_template``) never reads from here: it needs the latest one.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from notify.domain.default_templates import DEFAULT_TEMPLATES
from notify.domain.templates import Channel, MessageTemplate
from notify.ports import Repository


class TemplateCache:
    def __init__(
        self, repo: Repository, ttl: float, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.repo, self.ttl, self.clock = repo, ttl, clock
        # event type → (read until, latest saved version per channel)
        self._saved: dict[str, tuple[float, Mapping[Channel, MessageTemplate]]] = {}

    def template(self, event_type: str, channel: Channel) -> MessageTemplate | None:
        """The latest saved version, else the one shipped in code; None if neither exists."""
        return self._latest(event_type).get(channel) or DEFAULT_TEMPLATES.get(
            (event_type, channel)
        )

    def _latest(self, event_type: str) -> Mapping[Channel, MessageTemplate]:
        now = self.clock()
        cached = self._saved.get(event_type)
        if cached is not None and now < cached[0]:
            return cached[1]
        # One query for every channel of the event. Threads sharing the cache may both
        # read on expiry; either result is current.
        latest = self.repo.latest_templates(event_type)
        self._saved[event_type] = (now + self.ttl, latest)
        return latest
