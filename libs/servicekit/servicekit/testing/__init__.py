"""Test helpers: real local components on free ports, event capture, tokens, processes.

The pytest fixtures live in :mod:`servicekit.testing.plugin` (auto-loaded when servicekit is
installed); the plain helpers below can be used from any test or benchmark.
"""
from servicekit.testing.helpers import (
    EventCapture,
    JwksIssuer,
    ServiceProcess,
    read_dev_messages,
    wait_until,
)

__all__ = ["EventCapture", "JwksIssuer", "ServiceProcess", "read_dev_messages", "wait_until"]
