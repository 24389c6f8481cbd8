"""Forgotten password: same answer for unknown usernames, code from the event, sessions end."""


def test_reset_with_the_code_sent_to_the_phone(client, flows, events, citizen):
    flows.register()
    tokens = flows.login()
    started = client.post("/password/forgot", json={"username": citizen["cccd"]})
    assert started.status_code == 202 and started.json["channel"] == "sms"
    event = events.wait(
        lambda e: (
            e["type"] == "identity.otp_requested"
            and e["data"]["challenge_id"] == started.json["challenge_id"]
        )
    )
    assert event["data"]["purpose"] == "reset_password"
    assert event["data"]["destination"] == "+84912345678"

    weak = client.post(
        "/password/reset",
        json={
            "challenge_id": started.json["challenge_id"],
            "code": event["data"]["code"],
            "new_password": "abc",
        },
    )
    assert weak.status_code == 422 and "new_password" in weak.json["errors"]
    done = client.post(
        "/password/reset",
        json={
            "challenge_id": started.json["challenge_id"],
            "code": event["data"]["code"],
            "new_password": "Mat-Khau-Moi-2027",
        },
    )
    assert done.status_code == 204
    refresh = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    assert flows.login(citizen["cccd"], "Mat-Khau-Moi-2027")["access_token"]


def test_unknown_username_gets_the_same_answer_and_nothing_is_sent(client, flows, events, citizen):
    flows.register()
    known = client.post("/password/forgot", json={"username": citizen["phone"]})
    unknown = client.post("/password/forgot", json={"username": "0987654321"})
    assert known.status_code == unknown.status_code == 202
    assert {k: v for k, v in known.json.items() if k != "challenge_id"} == {
        k: v for k, v in unknown.json.items() if k != "challenge_id"
    }
    flows.otp(known.json["challenge_id"])
    assert unknown.json["challenge_id"] not in {
        e["data"].get("challenge_id") for e in events.events
    }
    attempt = client.post(
        "/password/reset",
        json={
            "challenge_id": unknown.json["challenge_id"],
            "code": "000000",
            "new_password": "Mat-Khau-Moi-2027",
        },
    )
    assert attempt.status_code == 400
