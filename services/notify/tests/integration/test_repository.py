"""MongoRepository on nx-27017: the guarantees the use cases rely on."""

from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.delivery import Notification, RetryPolicy, Status
from notify.domain.preferences import Contact
from notify.domain.templates import Channel, MessageTemplate
from notify.repository import MongoRepository, create_indexes

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.fixture
def repo(mongo_db, web_settings):
    create_indexes(mongo_db, development=True)
    return MongoRepository(mongo_db, web_settings.sealer())


def notification(event_id="e1", channel="sms", recipient="+84912345678", **extra):
    return Notification(
        event_id=event_id,
        event_type="dossier.accepted",
        channel=channel,
        recipient=recipient,
        created_at=T0,
        **extra,
    )


def test_the_unique_index_allows_one_notification_per_event_channel_recipient(repo, mongo_db):
    assert repo.add_notification(notification())
    assert not repo.add_notification(notification())
    assert repo.add_notification(notification(channel="email", recipient="a@example.vn"))
    assert mongo_db.notifications.count_documents({"event_id": "e1"}) == 2


def test_a_stale_copy_cannot_overwrite_a_newer_save(repo):
    n = notification()
    repo.add_notification(n)
    first, second = repo.get_notification(n.id), repo.get_notification(n.id)
    first.start_sending(T0)
    assert repo.save_notification(first)
    second.start_sending(T0)
    assert not repo.save_notification(second)  # another worker claimed it first
    assert repo.get_notification(n.id).attempts == 1


def test_due_notifications_come_by_priority_then_due_time(repo):
    low = notification(event_id="low", priority=1)
    otp = notification(event_id="otp", priority=10)
    repo.add_notification(low)
    repo.add_notification(otp)
    waiting = notification(event_id="waiting")
    repo.add_notification(waiting)
    waiting.start_sending(T0)
    waiting.failed(T0, "x", permanent=False, policy=RetryPolicy(base_delay=timedelta(minutes=1)))
    repo.save_notification(waiting)
    due = repo.due_notifications(T0 + timedelta(seconds=30), 10)
    assert [n.event_id for n in due] == ["otp", "low"]
    due = repo.due_notifications(T0 + timedelta(minutes=1), 10)
    assert [n.event_id for n in due] == ["otp", "low", "waiting"]


def test_a_saved_notification_reads_back_the_same(repo):
    n = notification(user_id="u1", expires_at=T0 + timedelta(minutes=5), sealed="tok")
    repo.add_notification(n)
    n.start_sending(T0 + timedelta(seconds=1))
    n.delivered(T0 + timedelta(seconds=2), "dev", "ref")
    repo.save_notification(n)
    back = repo.get_notification(n.id)
    assert back.status == Status.DELIVERED and back.sealed is None
    assert back.expires_at == n.expires_at and back.created_at == T0
    assert [(t.status, t.at) for t in back.history] == [(t.status, t.at) for t in n.history]


def test_final_failure_events_go_to_the_outbox_in_the_same_write(repo, mongo_db):
    n = notification()
    repo.add_notification(n)
    n.start_sending(T0)
    n.failed(T0, "số không tồn tại", permanent=True, policy=RetryPolicy())
    repo.save_notification(n)
    doc = mongo_db.notifications.find_one({"_id": n.id})
    assert doc["status"] == "permanent_failure"
    assert doc["outbox_pending"] == 1
    [entry] = doc["outbox"].values()
    assert entry["type"] == "notify.delivery_failed"


def test_notifications_left_sending_are_found_after_the_claim_timeout(repo):
    n = notification()
    repo.add_notification(n)
    n.start_sending(T0)
    repo.save_notification(n)
    assert repo.stale_sending(T0, 10) == []
    assert [s.id for s in repo.stale_sending(T0 + timedelta(seconds=1), 10)] == [n.id]


def test_contacts_keep_the_newest_version(repo):
    repo.save_contact(Contact("u1", email="new@example.vn"), version=3)
    repo.save_contact(Contact("u1", email="old@example.vn"), version=2)
    assert repo.get_contact("u1").email == "new@example.vn"
    repo.save_contact(Contact("u1", email="newer@example.vn"), version=4)
    assert repo.get_contact("u1").email == "newer@example.vn"


def test_template_versions_are_unique_and_the_latest_wins(repo):
    v2 = MessageTemplate("dossier.accepted", Channel.SMS, "A ${dossier_code}", version=2)
    assert repo.add_template(v2)
    assert not repo.add_template(v2)
    repo.add_template(MessageTemplate("dossier.accepted", Channel.SMS, "B", version=3))
    assert repo.latest_template("dossier.accepted", Channel.SMS).text == "B"


def test_forgetting_a_user_erases_contact_inbox_and_message_bodies(repo):
    repo.save_contact(Contact("u1", email="a@example.vn"), version=1)
    inbox = notification(channel="in_app", recipient="u1", user_id="u1", body="Hồ sơ...")
    sms = notification(user_id="u1", body="Hồ sơ của Lan")
    repo.add_notification(inbox)
    repo.add_notification(sms)
    repo.forget_user("u1")
    assert repo.get_contact("u1") is None
    assert repo.get_notification(inbox.id) is None
    erased = repo.get_notification(sms.id)
    assert (erased.body, erased.user_id) == ("", None)
    assert "+84" not in erased.recipient
