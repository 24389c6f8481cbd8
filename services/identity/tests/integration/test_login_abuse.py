"""Login abuse: lockout, and answers that do not reveal whether an account exists."""


def test_lockout_after_five_failed_logins(client, flows, citizen, mongo_db):
    flows.register()
    for _ in range(5):
        bad = client.post(
            "/login", json={"username": citizen["cccd"], "password": "Sai-Mat-Khau-1"}
        )
        assert bad.status_code == 401
    locked = client.post(
        "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
    )
    assert locked.status_code == 429
    assert "tạm thời bị khoá" in locked.json["message"]
    assert int(locked.headers["Retry-After"]) > 800
    # the lock is on the account, whatever username form is used
    by_email = client.post(
        "/login", json={"username": citizen["email"], "password": citizen["password"]}
    )
    assert by_email.status_code == 429
    # every attempt is audited
    outcomes = [a["outcome"] for a in mongo_db.audit.find({"action": "login"})]
    assert outcomes.count("bad_credentials") == 5 and outcomes.count("locked") == 2


def strip_volatile(response):
    return response.status_code, {k: v for k, v in response.json.items() if k != "challenge_id"}


def test_wrong_password_answer_is_identical_for_known_and_unknown_users(client, flows, citizen):
    flows.register()
    known = client.post("/login", json={"username": citizen["phone"], "password": "Khong-Dung-1"})
    unknown = client.post("/login", json={"username": "0987654321", "password": "Khong-Dung-1"})
    assert known.status_code == unknown.status_code == 401
    assert known.json == unknown.json


def test_unknown_usernames_lock_out_like_known_ones(client, worker):
    answers = [
        client.post("/login", json={"username": "0987654321", "password": "Khong-Dung-1"})
        for _ in range(6)
    ]
    assert [a.status_code for a in answers] == [401] * 5 + [429]


def test_registration_answer_is_identical_for_known_and_unknown_identities(
    client, flows, events, citizen
):
    flows.register()
    # same CCCD, someone else's contacts: looks exactly like a fresh registration
    duplicate = client.post(
        "/register", json={**citizen, "phone": "0987654321", "email": "khac@example.vn"}
    )
    fresh = client.post(
        "/register",
        json={
            **citizen,
            "cccd": "079301123456",
            "date_of_birth": "2001-01-31",
            "phone": "0977654321",
            "email": "moi@example.vn",
        },
    )
    assert strip_volatile(duplicate) == strip_volatile(fresh)
    assert duplicate.json["challenge_id"] != fresh.json["challenge_id"]
    flows.otp(fresh.json["challenge_id"])
    # but no code is ever sent for the duplicate, and no guess can verify it
    sent_for = {e["data"].get("challenge_id") for e in events.events}
    assert duplicate.json["challenge_id"] not in sent_for
    attempt = client.post(
        "/register/verify", json={"challenge_id": duplicate.json["challenge_id"], "code": "000000"}
    )
    assert attempt.status_code == 400
