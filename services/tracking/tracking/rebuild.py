"""Rebuild the dossier views from the timeline: ``python -m tracking.rebuild``.

Wipes ``dossier_views`` and replays every recorded event (the timeline keeps the full,
sanitized envelopes) through the same fold the worker uses, so the result is identical to
the views built live. Safe while the worker runs: both derive views from the timeline, and
a view is only replaced by one folded from more events.
"""
from __future__ import annotations

import argparse
import logging
import sys

from pymongo.database import Database

from servicekit.logging import configure_logging
from servicekit.mongo import connect
from tracking import repository
from tracking.config import TrackingSettings
from tracking.handlers import refresh_view

log = logging.getLogger("tracking.rebuild")


def rebuild(db: Database) -> int:
    """Wipe the views and replay the timeline; returns the number of dossiers rebuilt."""
    repository.ensure_indexes(db)
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
    count = rebuild(connect(settings))
    print(f"rebuilt {count} dossier views")
    return 0


if __name__ == "__main__":
    sys.exit(main())
