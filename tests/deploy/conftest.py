"""Fixtures of the deployment checks (the checks themselves: deploy_checks.py)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def broken_copy(tmp_path):
    """Copy a file or folder of the repository into tmp_path, keeping its relative path."""

    def copy(relative: str) -> Path:
        source = ROOT / relative
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target)
        else:
            shutil.copy2(source, target)
        return target

    return copy
