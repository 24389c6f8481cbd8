"""A small thread-safe LRU cache whose entries may carry a deadline.

For values that are immutable (a procedure version) or safe to reuse until a known time (a
verified token's claims, never past its ``exp``): the threads of a web process share it.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Hashable
from typing import Any

FOREVER = float("inf")


class BoundedCache:
    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Any | None:
        """The value, unless absent or past its deadline (``time.time()``)."""
        with self._lock:
            entry = self._items.get(key)
            if entry is None:
                return None
            if time.time() >= entry[0]:
                del self._items[key]
                return None
            self._items.move_to_end(key)
            return entry[1]

    def put(self, key: Hashable, value: Any, until: float = FOREVER) -> None:
        with self._lock:
            self._items[key] = (until, value)
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
