"""Dossier code format: ``<agency code>-<yymmdd>-<NNNN>`` (ARCHITECTURE.md)."""
from __future__ import annotations

import re

AGENCY_CODE = r"[0-9A-Z]{2,3}(?:\.[0-9A-Z]{2,3}){3}"
DOSSIER_CODE_RE = re.compile(rf"^{AGENCY_CODE}-\d{{6}}-\d{{4,}}$")


def normalize_code(value: str) -> str:
    return value.strip().upper()


def is_valid_dossier_code(value: str) -> bool:
    return bool(DOSSIER_CODE_RE.match(value))
