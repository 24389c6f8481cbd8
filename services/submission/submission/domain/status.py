"""Dossier statuses: the ten national-portal codes plus draft, from the shared vocabulary."""

from __future__ import annotations

from vocabulary.statuses import CLOCK_RUNNING, FINAL, Status

__all__ = ["FINAL_STATUSES", "OPEN_STATUSES", "Status"]

FINAL_STATUSES = FINAL
# Statuses in which the processing clock runs (or is paused) and an appointment date exists.
OPEN_STATUSES = CLOCK_RUNNING
