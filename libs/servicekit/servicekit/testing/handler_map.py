"""Checks that keep a service's handler map whole (used by every service's unit tests)."""
from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterable, Mapping
from types import ModuleType
from typing import Any


def unmapped_commands(modules: Iterable[ModuleType],
                      handlers: Mapping[type, Callable[..., Any]]) -> list[str]:
    """Command dataclasses defined in ``modules`` that have no handler in the map."""
    missing = []
    for module in modules:
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and dataclasses.is_dataclass(obj)
                    and obj.__module__ == module.__name__ and obj not in handlers):
                missing.append(f"{module.__name__}.{name}")
    return sorted(missing)


def unmapped_handlers(modules: Iterable[ModuleType],
                      handlers: Mapping[Any, Callable[..., Any]],
                      *, helpers: Iterable[str] = ()) -> list[str]:
    """Public functions of ``modules`` that take a command (or an event) and are not in the
    map: a use case someone added without listing it. ``helpers`` names public functions
    that are not use cases (say so in the handlers module)."""
    mapped = {_unwrap(fn) for fn in handlers.values()}
    skip = set(helpers)
    missing = []
    for module in modules:
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) and obj.__module__ == module.__name__
                    and not name.startswith("_") and name not in skip and obj not in mapped):
                missing.append(f"{module.__name__}.{name}")
    return sorted(missing)


def _unwrap(fn: Callable[..., Any]) -> Callable[..., Any]:
    while hasattr(fn, "func"):  # functools.partial
        fn = fn.func
    return inspect.unwrap(fn)
