"""Events through the outbox to the real broker, and the consumers' local copies."""
import dataclasses

import pytest

from servicekit.events import encode, new_event
from servicekit.testing.helpers import EventCapture, wait_until
from submission import repository
from submission.worker import build_worker


@pytest.fixture
def worker(settings, amqp_url, bus, mongo_db, app):
    worker = build_worker(dataclasses.replace(settings, amqp_url=amqp_url), mongo_db, bus)
    worker.start()
    wait_until(lambda: all(queue_exists(bus, c.queue_name) for c in worker.consumers),
               message="consumer queues declared")
    yield worker
    worker.stop()


def queue_exists(bus, name):
    with bus.connection() as connection:
        try:
            connection.default_channel.queue_declare(name, passive=True)
        except Exception:  # noqa: BLE001 - not declared yet
            return False
    return True


def publish(bus, event):
    with bus.connection() as connection:
        bus.declare(connection)
        bus.publish(connection, encode(event), routing_key=event["type"],
                    message_id=event["id"])


def test_each_status_change_and_extension_is_published_once(api, bus, worker, clock):
    with EventCapture(bus, "dossier.#") as events:
        dossier = api.submitted()
        clock.set(2026, 3, 2, 9, 0)
        api.act(dossier["id"], "accept")
        api.act(dossier["id"], "extend", new_due_at="2026-03-06", reason="Cần xác minh")
        extended = events.wait(lambda e: e["type"] == "dossier.extended")
    submitted = next(e for e in events.events if e["type"] == "dossier.submitted")
    accepted = next(e for e in events.events if e["type"] == "dossier.accepted")
    assert [e["type"] for e in events.events] == [
        "dossier.submitted", "dossier.accepted", "dossier.extended"]
    data = submitted["data"]
    assert data["code"] == dossier["code"] and data["status"] == "submitted"
    assert data["status_code"] == 1 and data["status_label"] == "Mới đăng ký"
    assert data["procedure_name"] == "Thủ tục đăng ký khai sinh"
    assert data["applicant_name"] == "Nguyễn Văn An" and data["applicant_cccd"] == "079203001234"
    assert data["agency_code"] == "000.00.31.H29" and submitted["tenant"] == "79"
    assert submitted["aggregate_id"] == dossier["id"] and submitted["source"] == "submission"
    assert accepted["aggregate_version"] > submitted["aggregate_version"]
    assert accepted["data"]["due_at"] == "2026-03-03T02:00:00Z"
    assert extended["data"]["reason"] == "Cần xác minh"
    assert extended["data"]["new_due_at"] == "2026-03-06T10:00:00Z"


def test_catalog_events_become_the_local_copies(api, bus, worker, mongo_db, client):
    definition = {
        "code": "1.004222", "version": 1, "name": "Đăng ký thường trú", "level": 3,
        "processing_days": 7,
        "methods": [{"channel": "truc_tiep", "processing_days": 7, "fee_vnd": 20000},
                    {"channel": "truc_tuyen", "processing_days": 7, "fee_vnd": 10000}],
        "components": [{"code": "to_khai", "name": "Tờ khai CT01", "required": True,
                        "file_types": ["pdf"], "max_size_mb": 2}],
        "agencies": ["000.00.07.H29"],
        "eform": {"fields": [{"name": "noi_o", "label": "Nơi ở", "type": "address",
                              "required": True}]},
    }

    def published(version, **changes):
        return new_event("catalog.procedure_published",
                         {**definition, "version": version, **changes}, source="catalog",
                         aggregate_id="1.004222", aggregate_version=version)

    agency = new_event("catalog.agency_changed", {"change": "created", "agency": {
        "code": "000.00.07.H29", "name": "Công an phường Bến Thành", "kind": "cong_an_xa",
        "province": "79", "active": True}}, source="catalog", aggregate_id="000.00.07.H29",
        aggregate_version=1, tenant="79")
    publish(bus, agency)
    first = published(1)
    publish(bus, first)
    publish(bus, first)  # redelivery: no second effect
    stored = wait_until(lambda: repository.get_procedure(mongo_db, "1.004222"))
    assert stored["processing_days"] == 7.0
    assert stored["components"][0]["max_size"] == 2 * 1024 * 1024
    assert stored["components"][0]["allowed_types"] == ["pdf"]
    publish(bus, published(2, name="Đăng ký thường trú (2)"))
    wait_until(lambda: repository.get_procedure(mongo_db, "1.004222")["version"] == 2)
    publish(bus, published(1, name="Cũ"))  # an older version arriving late changes nothing
    wait_until(lambda: mongo_db.handled_events.count_documents({}) >= 4)
    assert repository.get_procedure(mongo_db, "1.004222")["name"] == "Đăng ký thường trú (2)"
    wait_until(lambda: repository.get_agency(mongo_db, "000.00.07.H29"))
    created = client.post("/dossiers", json={"procedure_code": "1.004222",
                                             "agency_code": "000.00.07.H29"},
                          headers=api.citizen())
    assert created.status_code == 201
    assert created.json["procedure_version"] == 2
    assert created.json["agency_name"] == "Công an phường Bến Thành"
    assert mongo_db.dossiers.find_one({"_id": created.json["id"]})["tenant"] == "79"


def test_consented_profile_copy_follows_identity_events(bus, worker, mongo_db, settings):
    sealer = settings.sealer()

    def profile_event(version, consent):
        return new_event("identity.profile_updated",
                         {"user_id": "citizen-5", "changed": ["full_name"],
                          "full_name": "Lê Thị Hoa", "phone": "0987654321", "email": None,
                          "autofill_consent": consent},
                         source="identity", aggregate_id="citizen-5", aggregate_version=version)

    publish(bus, profile_event(2, True))
    wait_until(lambda: repository.get_profile(mongo_db, "citizen-5", sealer=sealer))
    publish(bus, profile_event(3, False))  # consent withdrawn → the copy is erased
    wait_until(lambda: repository.get_profile(mongo_db, "citizen-5", sealer=sealer) is None)
    publish(bus, profile_event(1, True))  # a late, older event does not bring it back
    marker = new_event("identity.user_deleted", {"user_id": "someone-else", "mode": "erase"},
                       source="identity", aggregate_id="someone-else")
    publish(bus, marker)
    wait_until(lambda: mongo_db.handled_events.count_documents({}) >= 4)
    assert repository.get_profile(mongo_db, "citizen-5", sealer=sealer) is None
    stored = mongo_db.profiles.find_one({"_id": "citizen-5"})
    assert "full_name" not in stored and not stored["consent"]


def test_the_verified_identity_follows_identity_events_whatever_the_consent(bus, worker,
                                                                            mongo_db, settings):
    """Issue 20, finding 1: the identity that binds the applicant comes with
    identity.user_registered and identity.profile_updated (``verified_identity``), not with
    the autofill consent; deletion erases it for good."""
    identity = {"cccd": "001190004321", "full_name": "Trần Thị Bình",
                "date_of_birth": "1990-07-08"}
    sealer = settings.sealer()

    def identity_of(user_id):
        return repository.get_verified_identity(mongo_db, user_id, sealer=sealer)

    publish(bus, new_event("identity.user_registered", {
        "user_id": "citizen-8", "role": "citizen", "full_name": "Trần Thị Bình",
        "phone": "0912000111", "email": None, "verified_identity": identity},
        source="identity", aggregate_id="citizen-8", aggregate_version=1))
    wait_until(lambda: identity_of("citizen-8") == identity)
    assert repository.get_profile(mongo_db, "citizen-8", sealer=sealer) is None  # no autofill
    stored = mongo_db.verified_identities.find_one({"_id": "citizen-8"})
    assert "001190004321" not in repr(stored) and "Bình" not in repr(stored)  # sealed
    renamed = {**identity, "full_name": "Trần Thị Bình An"}
    publish(bus, new_event("identity.profile_updated", {
        "user_id": "citizen-8", "changed": ["full_name"], "full_name": renamed["full_name"],
        "phone": "0912000111", "email": None, "autofill_consent": False,
        "verified_identity": renamed}, source="identity", aggregate_id="citizen-8",
        aggregate_version=3))
    wait_until(lambda: identity_of("citizen-8") == renamed)
    publish(bus, new_event("identity.user_deleted", {"user_id": "citizen-8", "mode": "erase"},
                           source="identity", aggregate_id="citizen-8", aggregate_version=4))
    wait_until(lambda: identity_of("citizen-8") is None)
    publish(bus, new_event("identity.user_registered", {  # a late redelivery changes nothing
        "user_id": "citizen-8", "role": "citizen", "full_name": "x", "phone": None,
        "email": None, "verified_identity": identity}, source="identity",
        aggregate_id="citizen-8", aggregate_version=1))
    wait_until(lambda: mongo_db.handled_events.count_documents({}) >= 4)
    assert identity_of("citizen-8") is None
    assert "sealed" not in mongo_db.verified_identities.find_one({"_id": "citizen-8"})
