"""Who may see a dossier's full record (applicant's full name and timeline).

The applicant (token ``sub`` == the dossier's ``applicant_id``), an officer of the dossier's
agency (claim ``agency``) and an admin. Everyone else — anonymous callers included — sees
the public fields with the applicant name masked.
"""
from __future__ import annotations

from typing import Any

STAFF_ROLES = ("officer", "admin")


def is_staff(claims: dict[str, Any] | None) -> bool:
    return bool(claims) and claims.get("role") in STAFF_ROLES


def may_see_in_full(view: dict[str, Any], claims: dict[str, Any] | None) -> bool:
    if not claims:
        return False
    role = claims.get("role")
    if role == "admin":
        return True
    if role == "officer":
        return bool(claims.get("agency")) and claims.get("agency") == view.get("agency_code")
    return bool(view.get("applicant_id")) and view.get("applicant_id") == claims.get("sub")
