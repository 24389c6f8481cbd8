"""Use cases of the tracking worker: ``dossier.*`` events → timeline + dossier view.

Every event is recorded on the timeline once (unique event id; a duplicate is a no-op) with
the clear CCCD replaced by its keyed hash and the applicant's name sealed, then the dossier's
view is re-folded from all its recorded events and saved only if it was folded from more
events than the stored one (see :mod:`tracking.domain.projection` and
:func:`tracking.repository.save_view`). Redelivery, duplicates and any arrival order
therefore converge on the same view.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from pymongo.database import Database

from servicekit.consumer import HandlerContext
from servicekit.sealing import PiiCipher
from tracking import repository
from tracking.domain.projection import project, sanitize, timeline_entry


def refresh_view(db: Database, dossier_id: str) -> dict[str, Any]:
    """Fold every recorded event of a dossier and save the view (guarded)."""
    view = project(dossier_id, repository.stored_events(db, dossier_id))
    repository.save_view(db, view)
    return view


def record_dossier_event(event: dict[str, Any], ctx: HandlerContext, *, cccd_key: str,
                         cipher: PiiCipher) -> None:
    stored = sanitize(event, cccd_key, cipher)
    repository.add_timeline_entry(ctx.db, timeline_entry(stored))
    # Refresh even when the entry existed: a crash between insert and view write must heal
    # on redelivery.
    refresh_view(ctx.db, str(event["aggregate_id"]))


def handlers(cccd_key: str, cipher: PiiCipher
             ) -> dict[str, Callable[[dict[str, Any], HandlerContext], None]]:
    """What the tracking worker does, on one screen."""
    return {
        "dossier.*": functools.partial(record_dossier_event, cccd_key=cccd_key, cipher=cipher),
    }
