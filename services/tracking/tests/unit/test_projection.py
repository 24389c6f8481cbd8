import itertools
import os
import random
from datetime import UTC, datetime, timedelta

import pytest

from servicekit.sealing import PiiCipher, PiiKeyError
from tracking.domain.privacy import applicant_name
from tracking.domain.projection import (
    is_overdue,
    parse_time,
    project,
    sanitize,
    timeline_entry,
)

KEY = "unit-key"
CIPHER = PiiCipher({"k1": os.urandom(32)}, "k1")


_STORED: dict[str, dict] = {}


def _stored(event):
    """An event as the worker records it: sanitized once (its sealed name is then fixed)."""
    if event["id"] not in _STORED:
        _STORED[event["id"]] = sanitize(event, KEY, CIPHER)
    return _STORED[event["id"]]


def _fold(story, events=None):
    return project(story.dossier_id, [_stored(e) for e in (events or story.events)])


def test_in_order_fold_gives_status_label_dates_and_outcome(story):
    s = story().submitted().accepted(timedelta(days=5)).processing().completed(timedelta(days=3))
    view = _fold(s)
    assert view["_id"] == s.dossier_id
    assert (view["status"], view["status_code"], view["status_label"]) == (
        "completed", 9, "Đã xử lý xong")
    assert view["code"] == "000.00.31.H29-261128-0001"
    assert view["received_at"] == s.received_at
    assert view["due_at"] == s.received_at + timedelta(days=5)
    assert view["completed_at"] == s.received_at + timedelta(days=3)
    assert view["outcome"] == "on_time"
    assert view["aggregate_version"] == 4 and view["event_count"] == 4
    assert view["province"] == "79"


def test_every_arrival_order_gives_the_same_view(story):
    s = story().submitted().accepted().processing().completed(timedelta(days=2)) \
        .returned(timedelta(days=3))
    expected = _fold(s)
    for order in itertools.permutations(s.events):
        assert _fold(s, list(order)) == expected


def test_duplicates_change_nothing(story):
    s = story().submitted().accepted().processing()
    expected = _fold(s)
    noisy = s.events + s.events[:2] + [dict(s.events[1])]
    random.Random(7).shuffle(noisy)
    assert _fold(s, noisy) == expected


def test_older_event_never_overwrites_newer_status(story):
    s = story().submitted().accepted().processing()
    latest_first = [s.events[2], s.events[0], s.events[1]]
    assert _fold(s, latest_first)["status"] == "processing"
    assert _fold(s, s.events[:2])["status"] == "accepted"


def test_completion_time_is_kept_when_the_return_arrives_first(story):
    s = story().submitted().accepted().completed(timedelta(days=1)).returned(timedelta(days=2))
    view = _fold(s, [s.events[3], s.events[0], s.events[1], s.events[2]])
    assert view["completed_at"] == s.received_at + timedelta(days=1)
    assert view["status"] == "returned"


def test_completed_after_the_appointment_is_late(story):
    s = story().submitted().accepted(timedelta(days=2)).completed(timedelta(days=4))
    assert _fold(s)["outcome"] == "late"


def test_not_accepted_is_closed_with_its_reason(story):
    view = _fold(story().submitted().not_accepted())
    assert view["outcome"] == "closed"
    assert view["reason"] == "Hồ sơ không thuộc thẩm quyền"
    assert view["status_label"] == "Không được tiếp nhận"


def test_extension_moves_the_appointment_date(story):
    s = story().submitted().accepted(timedelta(days=2))
    new_due = s.received_at + timedelta(days=9)
    event = s.event("accepted", s.received_at + timedelta(days=1), type_="dossier.extended")
    del event["data"]["due_at"]
    event["data"]["new_due_at"] = new_due.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert _fold(s)["due_at"] == new_due


def test_missing_optional_fields_do_not_crash_and_keep_earlier_values(story):
    s = story().submitted()
    sparse = {"id": "11111111-1111-4111-8111-111111111111", "type": "dossier.accepted",
              "version": 1, "occurred_at": "2026-11-02T05:00:00Z", "source": "submission",
              "aggregate_id": s.dossier_id, "aggregate_version": 2, "data": {}}
    view = _fold(s, s.events + [sparse])
    assert view["status"] == "accepted"
    assert applicant_name(CIPHER, view) == "Nguyễn Văn An"
    bare = project("x", [{"id": "e", "type": "dossier.weird", "aggregate_id": "x",
                          "data": {"due_at": "not a date"}}])
    assert bare["status"] is None and bare["due_at"] is None and bare["outcome"] is None


def test_sanitize_seals_the_applicant_name_bound_to_its_dossier(story):
    event = story().submitted().events[0]
    stored = sanitize(event, KEY, CIPHER)
    assert "applicant_name" not in stored["data"] and "Nguyễn" not in repr(stored)
    view = project(event["aggregate_id"], [stored])
    assert applicant_name(CIPHER, view) == "Nguyễn Văn An"
    with pytest.raises(PiiKeyError):  # copied onto another dossier, it does not open
        applicant_name(CIPHER, {**view, "_id": "another-dossier"})


def test_sanitize_replaces_the_clear_cccd_by_its_hash(story):
    event = story().submitted().events[0]
    stored = sanitize(event, KEY, CIPHER)
    assert "applicant_cccd" not in stored["data"]
    assert "079203001234" not in repr(stored)
    assert stored["data"]["applicant_cccd_hash"]
    assert event["data"]["applicant_cccd"] == "079203001234"  # input untouched
    assert sanitize(stored, KEY, CIPHER) == stored


def test_timeline_entry_is_keyed_by_event_id_and_keeps_the_envelope(story):
    event = sanitize(story().submitted().events[0], KEY, CIPHER)
    entry = timeline_entry(event)
    assert entry["_id"] == event["id"]
    assert entry["status_label"] == "Mới đăng ký"
    assert entry["occurred_at"] == parse_time(event["occurred_at"])
    assert entry["envelope"] == event


def test_overdue_is_computed_at_read_time(story):
    s = story().submitted().accepted(timedelta(days=5))
    view = _fold(s)
    due = s.received_at + timedelta(days=5)
    assert not is_overdue(view, due)
    assert is_overdue(view, due + timedelta(seconds=1))
    completed = _fold(s.completed(timedelta(days=6)))
    assert not is_overdue(completed, due + timedelta(days=30))


def test_parse_time_accepts_z_offsets_and_rejects_garbage():
    assert parse_time("2026-11-28T08:15:00Z") == datetime(2026, 11, 28, 8, 15, tzinfo=UTC)
    assert parse_time("2026-11-28T15:15:00+07:00") == datetime(2026, 11, 28, 8, 15, tzinfo=UTC)
    assert parse_time("28/11/2026") is None
    assert parse_time(None) is None


def test_reason_belongs_to_the_status_it_came_with(story):
    s = story().submitted().accepted()
    s.event("supplement_requested", s.received_at + timedelta(days=1), reason="Thiếu giấy")
    assert _fold(s)["reason"] == "Thiếu giấy"
    s.event("processing", s.received_at + timedelta(days=2), type_="dossier.supplemented")
    assert _fold(s)["reason"] is None
    s.event("processing", s.received_at + timedelta(days=3), type_="dossier.extended",
            reason="Cần xác minh thêm")
    assert _fold(s)["reason"] == "Cần xác minh thêm"
