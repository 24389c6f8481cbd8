"""A resend replaces the code (cooldown set to zero here so the test need not wait)."""

import pytest


@pytest.fixture
def settings_overrides():
    return {"otp_resend_cooldown_seconds": 0}


def test_new_code_voids_the_old_one(client, flows, citizen):
    started = client.post("/register", json=citizen)
    assert started.status_code == 202
    challenge_id = started.json["challenge_id"]
    old = flows.otp(challenge_id)
    resent = client.post("/otp/resend", json={"challenge_id": challenge_id})
    assert resent.status_code == 202
    new = flows.otp(challenge_id, after=1)
    if new == old:  # one chance in a million: nothing to compare
        pytest.fail("resend produced the same code; rerun")
    stale = client.post("/register/verify", json={"challenge_id": challenge_id, "code": old})
    assert stale.status_code == 400
    fresh = client.post("/register/verify", json={"challenge_id": challenge_id, "code": new})
    assert fresh.status_code == 201


def test_at_most_five_sends_per_destination_per_hour(client, flows, citizen):
    started = client.post("/register", json=citizen)
    assert started.status_code == 202
    challenge_id = started.json["challenge_id"]
    for _ in range(4):
        assert client.post("/otp/resend", json={"challenge_id": challenge_id}).status_code == 202
    sixth = client.post("/otp/resend", json={"challenge_id": challenge_id})
    assert sixth.status_code == 429
    assert "một giờ" in sixth.json["message"]
    # a fresh registration to the same phone is refused too
    other = client.post(
        "/register", json={**citizen, "cccd": "079301123456", "date_of_birth": "2001-01-31"}
    )
    assert other.status_code == 429
