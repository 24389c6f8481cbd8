"""Dossier codes: `<agency code>-<yymmdd>-<NNNN>`, sequence per agency per receipt day."""

from __future__ import annotations

import re
from datetime import date

AGENCY_CODE_PATTERN = r"[0-9A-Z]{2,3}(?:\.[0-9A-Z]{2,3}){3}"
DOSSIER_CODE_RE = re.compile(
    rf"^(?P<agency>{AGENCY_CODE_PATTERN})-(?P<day>\d{{6}})-(?P<seq>\d{{4,}})$")


def counter_key(agency_code: str, receipt_day: date) -> str:
    """The id of the counter document shared by every dossier of one agency on one day."""
    return f"{agency_code}:{receipt_day:%Y%m%d}"


def format_dossier_code(agency_code: str, receipt_day: date, sequence: int) -> str:
    """`000.00.31.H29`, 28/11/2026, 1 → `000.00.31.H29-261128-0001`.

    Four digits as the national portal uses; a busy day past 9999 keeps counting with more
    digits rather than reusing a code.
    """
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{receipt_day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(code: str) -> tuple[str, str, int] | None:
    match = DOSSIER_CODE_RE.match(code)
    if not match:
        return None
    return match["agency"], match["day"], int(match["seq"])
