"""notify keeps no phone number, email or name in clear: contacts, notifications (recipient
and content, the inbox included) and the dev record are sealed; reads open them; documents
from before sealing are still read, and ``notify.reseal`` rewrites them."""

import json
from datetime import UTC, datetime

import pytest

from notify.domain.delivery import Notification, Status
from notify.domain.preferences import Contact
from notify.providers.dev import DevMessage
from notify.repository import (
    CONTACTS,
    NOTIFICATIONS,
    MongoDevSink,
    MongoRepository,
    create_indexes,
)
from notify.reseal import reseal

PHONE, EMAIL, NAME = "+84912000777", "lan.tran@example.vn", "Trần Thị Lan"
T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.fixture
def repo(mongo_db, web_settings):
    create_indexes(mongo_db, development=True)
    return MongoRepository(mongo_db, web_settings.sealer())


def _clear_in(db) -> list[str]:
    text = "".join(json.dumps(list(db[name].find({})), ensure_ascii=False, default=str)
                   for name in db.list_collection_names())
    return [value for value in (PHONE, PHONE[3:], EMAIL, NAME) if value in text]


def test_contacts_notifications_and_dev_record_are_sealed(repo, mongo_db, web_settings):
    repo.save_contact(Contact("u1", email=EMAIL, phone=PHONE, full_name=NAME), version=1)
    sms = Notification(event_id="e1", event_type="dossier.accepted", channel="sms",
                       recipient=PHONE, user_id="u1", created_at=T0, body=f"Chào {NAME}")
    inbox = Notification(event_id="e1", event_type="dossier.accepted", channel="in_app",
                         recipient="u1", user_id="u1", created_at=T0, body=f"Chào {NAME}",
                         status=Status.DELIVERED)
    assert repo.add_notification(sms) and repo.add_notification(inbox)
    sink = MongoDevSink(mongo_db, web_settings.sealer())
    sink.record(DevMessage("sms", PHONE, "", f"Chào {NAME}", datetime.now(UTC)))

    assert _clear_in(mongo_db) == []
    assert repo.get_contact("u1") == Contact("u1", email=EMAIL, phone=PHONE, full_name=NAME)
    assert repo.find_notification("e1", "sms", "0912000777").body == f"Chào {NAME}"
    assert not repo.add_notification(Notification(  # the same recipient in another spelling
        event_id="e1", event_type="dossier.accepted", channel="sms", recipient="0912000777",
        created_at=T0))
    items, _, _ = repo.inbox("u1", unread_only=False, offset=0, limit=10)
    assert [n.body for n in items] == [f"Chào {NAME}"]
    assert [m.to for m in sink.list("0912 000 777")] == [PHONE]


def test_clear_documents_from_before_sealing_are_read_and_resealed(repo, mongo_db, web_settings):
    mongo_db[CONTACTS].insert_one({"_id": "u2", "email": EMAIL, "phone": PHONE,
                                   "full_name": NAME, "version": 1})
    old = Notification(event_id="e2", event_type="dossier.accepted", channel="email",
                       recipient=EMAIL, user_id="u2", created_at=T0, subject="Hồ sơ",
                       body=f"Chào {NAME}")
    repo.add_notification(old)
    mongo_db[NOTIFICATIONS].update_one({"_id": old.id}, {  # as the previous version wrote it
        "$set": {"recipient": EMAIL, "subject": "Hồ sơ", "body": f"Chào {NAME}", "html": ""},
        "$unset": {"recipient_hash": "", "recipient_sealed": "", "content_sealed": ""}})
    assert _clear_in(mongo_db)
    assert repo.get_contact("u2").phone == PHONE
    assert repo.get_notification(old.id).recipient == EMAIL

    counts = reseal(mongo_db, web_settings.sealer(), development=True)
    assert (counts["contacts"], counts["notifications"]) == (1, 1)
    assert _clear_in(mongo_db) == []
    assert repo.get_contact("u2").full_name == NAME
    assert repo.find_notification("e2", "email", EMAIL).body == f"Chào {NAME}"
    assert reseal(mongo_db, web_settings.sealer(), development=True) == {
        "notifications": 0, "contacts": 0, "dev_messages": 0}
