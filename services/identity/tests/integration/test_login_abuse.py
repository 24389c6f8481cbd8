"""Login abuse: limits per username form and client; answers that reveal no account."""


def test_five_failed_logins_hold_that_username_form_from_that_client(
    client, flows, citizen, mongo_db
):
    flows.register()
    attacker = {"REMOTE_ADDR": "203.0.113.7"}
    for _ in range(5):
        bad = client.post(
            "/login",
            json={"username": citizen["cccd"], "password": "Sai-Mat-Khau-1"},
            environ_base=attacker,
        )
        assert bad.status_code == 401
    locked = client.post(
        "/login",
        json={"username": citizen["cccd"], "password": citizen["password"]},
        environ_base=attacker,
    )
    assert locked.status_code == 429
    assert "tạm thời bị khoá" in locked.json["message"]
    assert int(locked.headers["Retry-After"]) > 800
    # another username form of the account is not held: the lock tells nothing about it
    by_email = client.post(
        "/login",
        json={"username": citizen["email"], "password": "Sai-Mat-Khau-1"},
        environ_base=attacker,
    )
    assert by_email.status_code == 401
    # and the owner, from her own client, signs in with the same CCCD
    mine = client.post(
        "/login",
        json={"username": citizen["cccd"], "password": citizen["password"]},
        environ_base={"REMOTE_ADDR": "198.51.100.20"},
    )
    assert mine.status_code == 200
    # every attempt is audited
    outcomes = [a["outcome"] for a in mongo_db.audit.find({"action": "login"})]
    assert outcomes.count("bad_credentials") == 6 and outcomes.count("locked") == 1
    assert outcomes.count("password_ok") == 1


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
