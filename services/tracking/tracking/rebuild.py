"""Rebuild the dossier views from the timeline: ``python -m tracking.rebuild``.

Wipes ``dossier_views`` and replays every recorded event (the timeline keeps the full,
sanitized envelopes) through the same fold the worker uses, so the result is identical to
the views built live. Safe while the worker runs: both derive views from the timeline, and
a view is only replaced by one folded from more events.

Names recorded in clear (before they were sealed) or under a key that is no longer the active
one of ``TRACKING_PII_KEYS`` are sealed with the active key first: run it after a rotation.
"""
from __future__ import annotations

import argparse
import logging
import sys

from pymongo.database import Database

from servicekit.logging import configure_logging
from servicekit.mongo import connect
from servicekit.sealing import PiiCipher
from tracking import repository
from tracking.config import TrackingSettings
from tracking.domain.privacy import applicant_name, seal_name
from tracking.handlers import refresh_view

log = logging.getLogger("tracking.rebuild")


def seal_recorded_names(db: Database, cipher: PiiCipher) -> int:
    """Seal the applicant names recorded in clear, re-seal those sealed with a key that is
    no longer the active one; returns how many envelopes were rewritten."""
    sealed = 0
    for entry in db[repository.TIMELINE].find({}, {"envelope": 1, "dossier_id": 1}):
        data = dict((entry.get("envelope") or {}).get("data") or {})
        name = data.pop("applicant_name", None)
        old = data.get("applicant_name_sealed")
        if old and cipher.needs_reencrypt(old):
            name = applicant_name(cipher, {"_id": entry["dossier_id"], **data})
        elif not name:
            continue
        data["applicant_name_sealed"] = seal_name(cipher, entry["dossier_id"], name)
        db[repository.TIMELINE].update_one({"_id": entry["_id"]},
                                           {"$set": {"envelope.data": data}})
        sealed += 1
    return sealed


def rebuild(db: Database, cipher: PiiCipher | None = None) -> int:
    """Wipe the views and replay the timeline (sealing names left in clear when ``cipher``
    is given); returns the number of dossiers rebuilt."""
    repository.ensure_indexes(db)
    if cipher is not None:
        seal_recorded_names(db, cipher)
    wiped = repository.wipe_views(db)
    count = 0
    for dossier_id in repository.dossier_ids_in_timeline(db):
        refresh_view(db, dossier_id)
        count += 1
    log.info("views rebuilt", extra={"fields": {"wiped": wiped, "rebuilt": count}})
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tracking.rebuild",
        description="Xóa và dựng lại toàn bộ dữ liệu tra cứu hồ sơ từ dòng thời gian sự kiện.")
    parser.parse_args(argv)
    settings = TrackingSettings.from_env()
    configure_logging(settings.service_name, settings.log_level)
    count = rebuild(connect(settings), settings.cipher())
    print(f"rebuilt {count} dossier views")
    return 0


if __name__ == "__main__":
    sys.exit(main())
