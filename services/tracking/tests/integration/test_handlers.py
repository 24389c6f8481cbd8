"""The event handler and the guarded view write, against the real nx-27017 server."""
from datetime import timedelta

from tracking import repository
from tracking.domain.projection import project, sanitize
from tracking.handlers import refresh_view


def test_a_duplicate_event_is_a_no_op_even_without_the_consumer_dedup(mongo_db, story,
                                                                      record):
    s = story().submitted().accepted(timedelta(days=3))
    record(*s.events)
    before = mongo_db.dossier_views.find_one()
    record(s.events[1], s.events[0], s.events[1])
    assert mongo_db.dossier_views.find_one() == before
    assert mongo_db.timeline.count_documents({}) == 2


def test_a_view_folded_from_fewer_events_never_replaces_a_newer_one(mongo_db, story,
                                                                   cccd_key, cipher):
    s = story().submitted().accepted().processing()
    events = [sanitize(e, cccd_key, cipher) for e in s.events]
    assert repository.save_view(mongo_db, project(s.dossier_id, events))
    assert not repository.save_view(mongo_db, project(s.dossier_id, events[:2]))
    assert not repository.save_view(mongo_db, project(s.dossier_id, events))
    stored = repository.view_by_id(mongo_db, s.dossier_id)
    assert stored["status"] == "processing" and stored["event_count"] == 3


def test_times_survive_a_rewrite_of_an_existing_view(mongo_db, story, record):
    s = story().submitted()
    record(*s.events)
    record(*s.accepted(timedelta(days=4)).events[1:])
    view = repository.view_by_id(mongo_db, s.dossier_id)
    assert view["received_at"] == s.received_at
    assert view["due_at"] == s.received_at + timedelta(days=4)


def test_refresh_heals_a_view_lost_after_the_timeline_write(mongo_db, story, record):
    s = story().submitted().accepted()
    record(*s.events)
    mongo_db.dossier_views.delete_many({})
    view = refresh_view(mongo_db, s.dossier_id)
    assert view["status"] == "accepted"
    assert repository.view_by_id(mongo_db, s.dossier_id)["status_label"] == "Được tiếp nhận"


def test_a_rebuild_seals_names_recorded_in_clear_before_sealing(mongo_db, story, record,
                                                               cipher):
    from tracking.domain.privacy import applicant_name
    from tracking.rebuild import rebuild

    s = story().submitted()
    record(*s.events)
    mongo_db.timeline.update_one({}, {"$set": {"envelope.data.applicant_name": "Nguyễn Văn An"},
                                      "$unset": {"envelope.data.applicant_name_sealed": ""}})
    assert rebuild(mongo_db, cipher) == 1
    for collection in ("timeline", "dossier_views"):
        assert "Nguyễn Văn An" not in repr(list(mongo_db[collection].find()))
    view = repository.view_by_id(mongo_db, s.dossier_id)
    assert applicant_name(cipher, view) == "Nguyễn Văn An"



def test_a_rebuild_after_a_key_rotation_reseals_names_with_the_new_key(mongo_db, story, record,
                                                                      settings):
    from servicekit.sealing import PiiCipher, generate_key, parse_keyring
    from tracking.domain.privacy import applicant_name
    from tracking.rebuild import rebuild

    s = story().submitted()
    record(*s.events)  # sealed with the ring's active key
    ring = parse_keyring(f"{settings.pii_keys},k2:{generate_key()}")
    rotated = PiiCipher(ring, "k2")
    assert rebuild(mongo_db, rotated) == 1
    [entry] = mongo_db.timeline.find()
    assert entry["envelope"]["data"]["applicant_name_sealed"].startswith("k2:")
    view = repository.view_by_id(mongo_db, s.dossier_id)
    assert view["applicant_name_sealed"].startswith("k2:")
    assert applicant_name(PiiCipher({"k2": ring["k2"]}, "k2"), view) == "Nguyễn Văn An"
