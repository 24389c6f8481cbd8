"""The web entry point of every image: the app factory of the service named by SERVICE_NAME.

One Dockerfile builds every service (infra/docker/Dockerfile), so its command cannot name a
module; gunicorn calls ``servicekit.wsgi:create_app()`` and this finds ``<SERVICE_NAME>.app``.
"""
from __future__ import annotations

import importlib
import os

from flask import Flask


def create_app() -> Flask:
    """``<SERVICE_NAME>.app.create_app()`` (e.g. ``submission.app``)."""
    name = os.environ.get("SERVICE_NAME", "")
    if not name.isidentifier():
        raise RuntimeError(f"SERVICE_NAME must name a motcua service package, got {name!r}")
    return importlib.import_module(f"{name}.app").create_app()
