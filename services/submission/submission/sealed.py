"""What submission stores of a person, sealed (servicekit.sealing), and how it reads it back.

Used by the repository's document mapping only: handlers, views and the domain see clear
values. On a dossier document

- ``applicant_sealed``: the applicant (name, CCCD, date of birth, phone, email, address);
- ``applicant_cccd_hash``: the keyed hash of the applicant's CCCD, for lookups;
- ``form_data``: only the form values that are not personal (choices and counts, see
  :mod:`submission.domain.personal`); ``form_sealed``: the others;
- outbox bodies (events name the applicant) sealed until the relay publishes and erases them;
- ``filer_sealed``: a proxy filing's filer (their verified identity); the values before and
  after of each supplement change, ``details.diff_sealed`` of its history entry.

The verified identities of accounts (``verified_identities``) are sealed like profile copies.

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
    if "filer" in document or any(  # clear copies (a proxy filer, supplement diffs)
            name in (entry.get("details") or {}) for entry in document.get("history") or []
            for name in HISTORY_DIFF_FIELDS):
        return False
    diffs = [(entry.get("details") or {}).get("diff_sealed")
             for entry in document.get("history") or []]
    return all(sealer.is_current(document.get(name)) for name in
               ("applicant_sealed", "form_sealed")) and \
        all(sealer.is_current(value) for value in [document.get("filer_sealed"), *diffs]
            if value) and \
        sealer.is_current(None, document.get("applicant_cccd_hash"))


# ---- a proxy filing's filer and the supplement diffs of the history (issue 20) --------------
# (The filer is the verified identity of the account holder who filed for the applicant; a
# supplement change keeps the values before and after: both are personal data.)
HISTORY_DIFF_FIELDS = ("form_before", "form_after", "applicant_before", "applicant_after")


def seal_filer(sealer: Sealer, dossier_id: str, filer: dict[str, Any]) -> str | None:
    return sealer.seal_json(_field("dossier.filer", dossier_id), filer) if filer else None


def open_filer(sealer: Sealer, document: dict[str, Any]) -> dict[str, Any]:
    opened = sealer.open_json(_field("dossier.filer", document["_id"]),
                              document.get("filer_sealed"), None)
    return opened if opened is not None else dict(document.get("filer") or {})


def seal_history(sealer: Sealer, dossier_id: str, history: list[dict[str, Any]]
                 ) -> list[dict[str, Any]]:
    """History entries with their diff values sealed (``details.diff_sealed``)."""
    stored = []
    for entry in history:
        details = entry.get("details") or {}
        diff = {k: details[k] for k in HISTORY_DIFF_FIELDS if k in details}
        if diff:
            details = {k: v for k, v in details.items() if k not in HISTORY_DIFF_FIELDS}
            details["diff_sealed"] = sealer.seal_json(
                _field("dossier.history", f"{dossier_id}/{entry.get('seq')}"), diff)
            entry = {**entry, "details": details}
        stored.append(entry)
    return stored


def open_history(sealer: Sealer, dossier_id: str, history: list[dict[str, Any]] | None
                 ) -> list[dict[str, Any]]:
    opened = []
    for entry in history or []:
        details = entry.get("details") or {}
        if "diff_sealed" in details:
            diff = sealer.open_json(
                _field("dossier.history", f"{dossier_id}/{entry.get('seq')}"),
                details["diff_sealed"], {})
            details = {**{k: v for k, v in details.items() if k != "diff_sealed"}, **diff}
            entry = {**entry, "details": details}
        opened.append(entry)
    return opened


# ---- verified account identities (identity's events) ----------------------------------------
def seal_identity(sealer: Sealer, user_id: str, identity: dict[str, Any]) -> str | None:
    return sealer.seal_json(_field("identity", user_id), identity)


def open_identity(sealer: Sealer, document: dict[str, Any]) -> dict[str, Any]:
    return sealer.open_json(_field("identity", document["_id"]), document.get("sealed"), {}) \
        if document.get("sealed") else {}


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
