"""Shared test helpers: a builder of ``dossier.*`` event sequences as submission sends them."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from servicekit.events import new_event
from servicekit.sealing import PiiCipher, parse_keyring
from tracking.config import TrackingSettings

KEY = "test-cccd-key"


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class DossierStory:
    """Builds the events of one dossier, one per status change, versions increasing."""

    def __init__(self, *, code: str = "000.00.31.H29-261128-0001",
                 agency_code: str = "000.00.31.H29", agency_name: str = "UBND phường Bến Nghé",
                 province: str = "79", applicant_name: str = "Nguyễn Văn An",
                 applicant_cccd: str = "079203001234", applicant_id: str = "citizen-1",
                 received_at: datetime | None = None) -> None:
        self.dossier_id = uuid.uuid4().hex
        self.version = 0
        self.province = province
        self.received_at = received_at or datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
        self.due_at: datetime | None = None
        self.base = {"dossier_id": self.dossier_id, "code": code,
                     "procedure_code": "1.001193", "procedure_name": "Đăng ký khai sinh",
                     "agency_code": agency_code, "agency_name": agency_name,
                     "applicant_name": applicant_name, "applicant_cccd": applicant_cccd,
                     "applicant_id": applicant_id, "province": province}
        self.events: list[dict[str, Any]] = []

    def event(self, status: str, at: datetime, *, type_: str | None = None,
              **extra: Any) -> dict[str, Any]:
        self.version += 1
        data = {**self.base, "status": status, "received_at": iso(self.received_at),
                "due_at": iso(self.due_at), "occurred_at": iso(at), **extra}
        event = new_event(type_ or f"dossier.{status}", data, source="submission",
                          aggregate_id=self.dossier_id, aggregate_version=self.version,
                          tenant=self.province)
        event["occurred_at"] = iso(at)
        self.events.append(event)
        return event

    # The usual path, relative to ``received_at``.
    def submitted(self) -> DossierStory:
        self.event("submitted", self.received_at)
        return self

    def accepted(self, due_in: timedelta = timedelta(days=5)) -> DossierStory:
        self.due_at = self.received_at + due_in
        self.event("accepted", self.received_at + timedelta(hours=1))
        return self

    def processing(self) -> DossierStory:
        self.event("processing", self.received_at + timedelta(hours=2),
                   type_="dossier.processing_started")
        return self

    def completed(self, after: timedelta) -> DossierStory:
        self.event("completed", self.received_at + after, result="Đã cấp giấy khai sinh")
        return self

    def returned(self, after: timedelta) -> DossierStory:
        self.event("returned", self.received_at + after, return_method="counter")
        return self

    def not_accepted(self) -> DossierStory:
        self.event("not_accepted", self.received_at + timedelta(hours=1),
                   reason="Hồ sơ không thuộc thẩm quyền")
        return self


@pytest.fixture
def story():
    return DossierStory


@pytest.fixture
def cccd_key() -> str:
    return KEY


@pytest.fixture
def cipher() -> PiiCipher:
    """The development key ring the web app and worker use in tests (their default)."""
    defaults = TrackingSettings.from_env({})
    return PiiCipher(parse_keyring(defaults.pii_keys), defaults.pii_active_key)
