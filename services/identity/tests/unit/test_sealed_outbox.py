import json
import os

from identity.domain.pii import PiiCipher
from identity.sealed_outbox import sealed_document, sealed_update
from servicekit.events import new_event

CIPHER = PiiCipher({"k1": os.urandom(32)}, "k1")


def otp_event():
    data = {"destination": "+84912345678", "code": "123456", "channel": "sms"}
    return new_event("identity.otp_requested", data, source="identity", aggregate_id="c1")


def test_new_document_carries_sealed_bodies_only():
    event = otp_event()
    doc = sealed_document(CIPHER, {"_id": "c1"}, [event])
    entry = doc["outbox"][event["id"]]
    assert "+84912345678" not in json.dumps(doc) and "123456" not in json.dumps(doc)
    assert json.loads(CIPHER.decrypt("outbox", entry["body"]))["data"]["code"] == "123456"
    assert doc["outbox_pending"] == 1 and entry["type"] == "identity.otp_requested"


def test_update_seals_event_entries_and_leaves_the_rest():
    event = otp_event()
    update = sealed_update(CIPHER, {"$set": {"status": "x"}}, [event])
    assert update["$set"]["status"] == "x"
    assert update["$inc"]["outbox_pending"] == 1
    body = update["$set"][f"outbox.{event['id']}"]["body"]
    assert body.startswith("k1:") and "+84912345678" not in body
