"""Agency codes (``000.00.31.H29``) and dossier codes (``<agency>-<yymmdd>-<NNNN>``)."""
from __future__ import annotations

import re
from datetime import date

AGENCY_CODE_PATTERN = r"[0-9A-Z]{2,3}(?:\.[0-9A-Z]{2,3}){3}"
AGENCY_CODE_RE = re.compile(rf"^{AGENCY_CODE_PATTERN}$")
DOSSIER_CODE_RE = re.compile(
    rf"^(?P<agency>{AGENCY_CODE_PATTERN})-(?P<day>\d{{6}})-(?P<seq>\d{{4,}})$")

MSG_AGENCY = "Mã cơ quan không đúng định dạng (ví dụ: 000.00.31.H29)."
MSG_DOSSIER_CODE = "Mã hồ sơ không đúng định dạng (ví dụ: 000.00.31.H29-261128-0001)."


def is_agency_code(value: str) -> bool:
    return bool(AGENCY_CODE_RE.match(value or ""))


def normalise_dossier_code(value: str) -> str:
    return str(value).strip().upper()


def is_dossier_code(value: str) -> bool:
    return bool(DOSSIER_CODE_RE.match(value or ""))


def format_dossier_code(agency_code: str, receipt_day: date, sequence: int) -> str:
    """``000.00.31.H29``, 28/11/2026, 1 → ``000.00.31.H29-261128-0001``.

    Four digits as the national portal uses; a busy day past 9999 keeps counting with more
    digits rather than reusing a code.
    """
    if sequence < 1:
        raise ValueError("sequence starts at 1")
    return f"{agency_code}-{receipt_day:%y%m%d}-{sequence:04d}"


def parse_dossier_code(code: str) -> tuple[str, str, int] | None:
    """``(agency, yymmdd, sequence)`` or None."""
    match = DOSSIER_CODE_RE.match(code or "")
    if not match:
        return None
    return match["agency"], match["day"], int(match["seq"])
