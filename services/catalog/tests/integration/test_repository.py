"""The store itself refuses to overwrite a published version, whatever the caller does."""

import datetime as dt

import pytest

from catalog import repository
from catalog.domain.errors import Conflict
from catalog.domain.procedure import ProcedureVersion, VersionStatus


def test_a_published_version_cannot_be_saved_over(shared):
    db = shared.db
    document = repository.get_procedure(db, "1.001193")
    published = repository.latest_version(document)
    assert published.is_published
    forged = ProcedureVersion(
        "1.001193",
        published.version,
        VersionStatus.DRAFT,
        {**published.definition, "name": "Ghi đè"},
        published.created_at,
        dt.datetime.now(dt.UTC),
    )
    with pytest.raises(Conflict):
        repository.save_draft(db, document, forged, dt.datetime.now(dt.UTC))
    stored = repository.get_procedure(db, "1.001193")
    assert stored["versions"]["v1"]["definition"]["name"] == "Thủ tục đăng ký khai sinh"


def test_a_stale_revision_is_a_conflict(shared):
    db = shared.db
    stale = repository.get_procedure(db, "1.004222")
    draft = ProcedureVersion(
        "1.004222",
        2,
        VersionStatus.DRAFT,
        repository.latest_version(stale).definition,
        dt.datetime.now(dt.UTC),
        dt.datetime.now(dt.UTC),
    )
    repository.save_draft(db, stale, draft, dt.datetime.now(dt.UTC))
    with pytest.raises(Conflict):
        repository.save_draft(db, stale, draft, dt.datetime.now(dt.UTC))
