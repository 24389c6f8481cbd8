"""The one image's web entry point finds the service named by SERVICE_NAME."""
from __future__ import annotations

import pytest

from servicekit import wsgi


def test_the_entry_point_builds_the_named_service(monkeypatch):
    monkeypatch.setenv("SERVICE_NAME", "gateway")
    monkeypatch.setenv("MOTCUA_ENV", "test")
    app = wsgi.create_app()
    assert app.import_name.startswith("gateway")


@pytest.mark.parametrize("name", ["", "../identity", "identity.app;rm"])
def test_the_entry_point_refuses_a_name_that_is_no_package(monkeypatch, name):
    monkeypatch.setenv("SERVICE_NAME", name)
    with pytest.raises(RuntimeError, match="SERVICE_NAME"):
        wsgi.create_app()
