"""What submission stores of a person, sealed (servicekit.sealing), and how it reads it back.

Used by the repository's document mapping only: handlers, views and the domain see clear
values. On a dossier document

- ``applicant_sealed``: the applicant (name, CCCD, date of birth, phone, email, address);
- ``applicant_cccd_hash``: the keyed hash of the applicant's CCCD, for lookups;
- ``form_data``: only the form values that are not personal (choices and counts, see
  :mod:`submission.domain.personal`); ``form_sealed``: the others;
- outbox bodies (events name the applicant) sealed until the relay publishes and erases them.

Each sealed value is bound to its document (associated data ``"<kind>/<id>"``): a value
copied into another dossier does not open there. Documents written before sealing (clear
``applicant``/``applicant_cccd``/``form_data``) are still read, and rewritten sealed on their
next save or by ``python -m submission.reseal``.
"""

from __future__ import annotations

import re
from typing import Any

from servicekit.sealing import Sealer
from submission.domain.personal import split_form

CCCD_LOOKUP = "applicant_cccd"
# Clear fields of documents written before sealing; every save removes them.
LEGACY_DOSSIER_FIELDS = ("applicant", "applicant_cccd")
PROFILE_FIELDS = ("full_name", "cccd", "date_of_birth", "phone", "email", "address")


def _field(kind: str, document_id: str) -> str:
    return f"{kind}/{document_id}"


def cccd_hash(sealer: Sealer, cccd: str | None) -> str | None:
    return sealer.hash(CCCD_LOOKUP, re.sub(r"\s+", "", cccd)) if cccd else None


def cccd_candidates(sealer: Sealer, cccd: str) -> list[str]:
    """Every hash a CCCD may be stored under (several during a key rotation)."""
    return sealer.candidates(CCCD_LOOKUP, re.sub(r"\s+", "", cccd))


# ---- dossiers -------------------------------------------------------------------------------
def dossier_personal_fields(sealer: Sealer, dossier_id: str, eform: dict | None,
                            applicant: dict[str, Any], form_data: dict[str, Any]
                            ) -> dict[str, Any]:
    """The document fields holding the applicant and the form."""
    clear, personal = split_form(eform, form_data)
    return {
        "applicant_sealed": sealer.seal_json(_field("dossier.applicant", dossier_id), applicant),
        "applicant_cccd_hash": cccd_hash(sealer, applicant.get("cccd")),
        "form_data": clear,
        "form_sealed": sealer.seal_json(_field("dossier.form", dossier_id), personal),
    }


def open_dossier_personal(sealer: Sealer, document: dict[str, Any]
                          ) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(applicant, form_data)`` of a stored dossier (a legacy clear one too)."""
    dossier_id = document["_id"]
    applicant = sealer.open_json(_field("dossier.applicant", dossier_id),
                                 document.get("applicant_sealed"), None)
    if applicant is None:
        applicant = document.get("applicant") or {}
    personal = sealer.open_json(_field("dossier.form", dossier_id),
                                document.get("form_sealed"), {})
    return applicant, {**(document.get("form_data") or {}), **personal}


def dossier_is_current(sealer: Sealer, document: dict[str, Any]) -> bool:
    """Sealed with the active keys and free of legacy clear fields (re-seal skips it)."""
    if "form_sealed" not in document or any(name in document for name in LEGACY_DOSSIER_FIELDS):
        return False  # written before sealing
    return all(sealer.is_current(document.get(name)) for name in
               ("applicant_sealed", "form_sealed")) and \
        sealer.is_current(None, document.get("applicant_cccd_hash"))


# ---- consented profile copies ---------------------------------------------------------------
def seal_profile(sealer: Sealer, user_id: str, profile: dict[str, Any]) -> str | None:
    return sealer.seal_json(_field("profile", user_id), profile)


def open_profile(sealer: Sealer, document: dict[str, Any]) -> dict[str, Any]:
    sealed = document.get("sealed")
    if sealed:
        return sealer.open_json(_field("profile", document["_id"]), sealed, {})
    return {k: document[k] for k in PROFILE_FIELDS if document.get(k)}  # legacy clear copy


# ---- stored answers of idempotent requests (a draft's form, the applicant) -------------------
def seal_answer(sealer: Sealer, key_id: str, body: Any) -> str | None:
    return sealer.seal_json(_field("idempotency", key_id), body)


def open_answer(sealer: Sealer, record: dict[str, Any]) -> Any:
    if "body_sealed" in record:
        return sealer.open_json(_field("idempotency", record["_id"]), record["body_sealed"])
    return record.get("body")
