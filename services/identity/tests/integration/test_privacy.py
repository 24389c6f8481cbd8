"""Personal data at rest, and field-level messages for invalid CCCD numbers."""

import pytest
from bson import json_util
from pymongo import MongoClient

from servicekit.testing import wait_until


def raw_dump(mongo_url: str, db_name: str) -> str:
    """Every document of every collection, read with a plain client (no service code)."""
    db = MongoClient(mongo_url)[db_name]
    return json_util.dumps({name: list(db[name].find()) for name in db.list_collection_names()})


def assert_no_identifier(dump: str, citizen: dict) -> None:
    for clear in (
        citizen["cccd"],
        "912345678",
        citizen["email"],
        "hoa.nguyen",
        citizen["date_of_birth"],
        "Nguyễn Thị Hoa",
        "Nguy\\u1ec5n",
    ):
        assert clear not in dump, clear


def test_dump_before_events_are_sent_reveals_nothing(client, citizen, mongo_url, mongo_db):
    # no worker: the OTP event (with the phone number and the code) waits in the outbox
    started = client.post("/register", json=citizen)
    assert started.status_code == 202
    assert mongo_db.otp_challenges.find_one()["outbox_pending"] == 1
    assert_no_identifier(raw_dump(mongo_url, mongo_db.name), citizen)


def test_dump_after_full_journey_reveals_nothing(
    client, flows, events, citizen, mongo_url, mongo_db, auth
):
    flows.register()
    tokens = flows.login()
    patched = client.patch(
        "/me",
        headers=auth(tokens),
        json={"email": "hoa.moi@example.vn", "current_password": citizen["password"]},
    )
    assert patched.status_code == 202
    confirmed = client.post(
        "/me/contact/verify",
        headers=auth(tokens),
        json={
            "challenge_id": patched.json["challenge_id"],
            "code": flows.otp(patched.json["challenge_id"]),
        },
    )
    assert confirmed.status_code == 200
    codes = [e["data"]["code"] for e in events.events if e["type"] == "identity.otp_requested"]
    assert len(codes) == 3

    def all_sent():
        return all(
            d.get("outbox_pending", 0) == 0
            for name in ("users", "otp_challenges")
            for d in mongo_db[name].find()
        )

    wait_until(all_sent, message="outbox drained")
    dump = raw_dump(mongo_url, mongo_db.name)
    assert_no_identifier(dump, citizen)
    assert "hoa.moi@example.vn" not in dump
    for code in codes:
        assert f'"{code}"' not in dump
    # but the service itself can still read the profile
    me = client.get("/me", headers=auth(tokens)).json
    assert me["cccd"] == citizen["cccd"] and me["email"] == "hoa.moi@example.vn"


INVALID_CCCD = [
    ("00109001234", "1990-05-01", "Số CCCD phải gồm đúng 12 chữ số."),
    ("0010900123456", "1990-05-01", "Số CCCD phải gồm đúng 12 chữ số."),
    ("00109001234x", "1990-05-01", "Số CCCD phải gồm đúng 12 chữ số."),
    ("003090012345", "1990-05-01", "Mã tỉnh (3 chữ số đầu) của số CCCD không hợp lệ."),
    ("099090012345", "1990-05-01", "Mã tỉnh (3 chữ số đầu) của số CCCD không hợp lệ."),
    (
        "001290012345",
        "1990-05-01",
        "Chữ số thế kỷ/giới tính (chữ số thứ 4) của số CCCD không khớp với năm sinh.",
    ),
    (
        "079001123456",
        "2001-01-31",
        "Chữ số thế kỷ/giới tính (chữ số thứ 4) của số CCCD không khớp với năm sinh.",
    ),
    (
        "001091012345",
        "1990-05-01",
        "Hai chữ số năm sinh (chữ số thứ 5 và 6) của số CCCD không khớp với năm sinh.",
    ),
]


@pytest.mark.parametrize(("cccd", "dob", "message"), INVALID_CCCD)
def test_invalid_cccd_gets_a_field_level_vietnamese_message(client, citizen, cccd, dob, message):
    response = client.post("/register", json={**citizen, "cccd": cccd, "date_of_birth": dob})
    assert response.status_code == 422
    assert response.json["errors"]["cccd"] == [message]
    assert set(response.json["errors"]) == {"cccd"}


def test_purge_drops_expired_challenges_and_old_limit_hits(client, citizen, app, mongo_db):
    from datetime import UTC, datetime, timedelta

    assert client.post("/register", json=citizen).status_code == 202
    assert (
        client.post(
            "/login", json={"username": "0987654321", "password": "Khong-Dung-1"}
        ).status_code
        == 401
    )
    repo = app.extensions["identity"].repo
    mongo_db.otp_challenges.update_many({}, {"$set": {"outbox_pending": 0}})  # as if sent
    keep = timedelta(hours=1)
    assert repo.purge(datetime.now(UTC), keep) == 0  # nothing is old enough yet
    # the challenge, and the limits' hits: two sends charged for the registration, the wrong
    # password for its username form from this client and for its "account"
    assert mongo_db.rate_hits.count_documents({}) == 4
    assert repo.purge(datetime.now(UTC) + timedelta(hours=2), keep) == 5
    assert mongo_db.otp_challenges.count_documents({}) == 0
    assert mongo_db.rate_hits.count_documents({}) == 0
