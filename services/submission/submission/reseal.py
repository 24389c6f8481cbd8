"""``python -m submission.reseal``: rewrite stored personal data with the active keys.

Run it once after upgrading from a version that kept the applicant and the form in clear,
and after every key rotation (new active key in ``SUBMISSION_PII_ACTIVE_KEY`` /
``SUBMISSION_LOOKUP_ACTIVE_KEY``, old keys still in the rings until it has finished). It is
safe while the services run: each rewrite is guarded by the document's version (a dossier
saved meanwhile is already sealed with the active keys) and a second run finds nothing to do.

- dossiers: applicant and personal form values sealed, the CCCD's keyed hash rewritten, the
  legacy clear fields removed; bodies of events already published erased, pending clear ones
  sealed;
- consented profile copies and stored idempotent answers: sealed.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from pymongo.database import Database

from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.sealing import Sealer
from submission import repository, sealed
from submission.config import SubmissionSettings

log = logging.getLogger("submission.reseal")


def _procedure_eform(db: Database, reference: dict[str, Any]) -> dict | None:
    try:
        return repository.procedure_snapshot(db, reference["code"], reference["version"]).get(
            "eform")
    except (LookupError, KeyError, TypeError):
        return None  # unknown version: every form value is treated as personal


def _outbox_changes(sealer: Sealer, document: dict[str, Any]) -> tuple[dict, dict]:
    to_set, to_unset = {}, {}
    for event_id, entry in (document.get("outbox") or {}).items():
        body = entry.get("body")
        if body is None:
            continue
        if entry.get("sent_at"):
            to_unset[f"outbox.{event_id}.body"] = ""  # published already: nobody needs it
        else:
            clear = sealer.open_event(body)
            if body.lstrip().startswith("{") or sealer.cipher.needs_reencrypt(body):
                to_set[f"outbox.{event_id}.body"] = sealer.seal_event(clear)
    return to_set, to_unset


def reseal_dossiers(db: Database, sealer: Sealer) -> int:
    rewritten = 0
    for document in db[repository.DOSSIERS].find({}):
        outbox_set, outbox_unset = _outbox_changes(sealer, document)
        if sealed.dossier_is_current(sealer, document) and not outbox_set and not outbox_unset:
            continue
        applicant, form_data = sealed.open_dossier_personal(sealer, document)
        fields = sealed.dossier_personal_fields(
            sealer, document["_id"], _procedure_eform(db, document.get("procedure") or {}),
            applicant, form_data)
        update = {"$set": {**fields, **outbox_set},
                  "$unset": {**{k: "" for k in sealed.LEGACY_DOSSIER_FIELDS}, **outbox_unset}}
        result = db[repository.DOSSIERS].update_one(
            {"_id": document["_id"], "version": document["version"]}, update)
        rewritten += result.modified_count
    return rewritten


def reseal_profiles(db: Database, sealer: Sealer) -> int:
    rewritten = 0
    for document in db[repository.PROFILES].find({"consent": True}):
        legacy = any(document.get(k) for k in sealed.PROFILE_FIELDS)
        if not legacy and sealer.is_current(document.get("sealed")):
            continue
        profile = sealed.open_profile(sealer, document)
        result = db[repository.PROFILES].update_one(
            {"_id": document["_id"], "event_version": document.get("event_version")},
            {"$set": {"sealed": sealed.seal_profile(sealer, document["_id"], profile)},
             "$unset": {k: "" for k in sealed.PROFILE_FIELDS}})
        rewritten += result.modified_count
    return rewritten


def reseal_answers(db: Database, sealer: Sealer) -> int:
    rewritten = 0
    for record in db[repository.IDEMPOTENCY].find({"state": "done"}):
        if "body_sealed" in record and sealer.is_current(record["body_sealed"]):
            continue
        body = sealed.open_answer(sealer, record)
        result = db[repository.IDEMPOTENCY].update_one(
            {"_id": record["_id"]},
            {"$set": {"body_sealed": sealed.seal_answer(sealer, record["_id"], body)},
             "$unset": {"body": ""}})
        rewritten += result.modified_count
    return rewritten


def reseal(db: Database, sealer: Sealer) -> dict[str, int]:
    """Rewrite what is not sealed with the active keys; returns how many per collection."""
    return {"dossiers": reseal_dossiers(db, sealer), "profiles": reseal_profiles(db, sealer),
            "idempotency_keys": reseal_answers(db, sealer)}


def main() -> None:
    settings = SubmissionSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    counts = reseal(connect(settings), settings.sealer())
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
