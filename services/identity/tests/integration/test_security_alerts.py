"""identity.security_alert reaches the bus (through the user's sealed outbox) when an account's
second factor is locked or its password is guessed from many clients; nothing in it but
{user_id, kind, at}."""

import re


def alert(events, kind):
    return events.wait(
        lambda e: e["type"] == "identity.security_alert" and e["data"]["kind"] == kind
    )


def test_second_factor_locked_is_published_for_the_owner(
    client, flows, events, citizen, mongo_db, wrong_code
):
    user_id = flows.register()
    for _ in range(2):  # two password-correct sign-ins, five wrong codes each
        started = client.post(
            "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
        )
        code = flows.otp(started.json["challenge_id"])
        for _ in range(5):
            bad = client.post(
                "/login/verify",
                json={"challenge_id": started.json["challenge_id"], "code": wrong_code(code)},
            )
            assert bad.status_code == 400
    locked = client.post(
        "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
    )
    assert locked.status_code == 429 and int(locked.headers["Retry-After"]) > 3000
    event = alert(events, "second_factor_locked")
    assert event["aggregate_id"] == user_id
    assert set(event["data"]) == {"user_id", "kind", "at"} and event["data"]["user_id"] == user_id
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", event["data"]["at"])
    assert mongo_db.audit.find_one({"action": "security_alert", "user_id": user_id})


def test_password_guessing_from_many_clients_is_published_once(client, flows, events, citizen):
    user_id = flows.register()
    for n in range(24):  # six clients, four wrong passwords each (under the per-client limit)
        bad = client.post(
            "/login",
            json={"username": citizen["phone"], "password": "Khong-Dung-1"},
            environ_base={"REMOTE_ADDR": f"203.0.113.{n // 4}"},
        )
        assert bad.status_code == 401
    event = alert(events, "password_guessing")
    assert event["data"]["user_id"] == user_id
    assert set(event["data"]) == {"user_id", "kind", "at"}
    flows.otp(
        client.post("/password/forgot", json={"username": citizen["cccd"]}).json["challenge_id"]
    )  # a later event: the relay has gone past the alert
    sent = [e for e in events.events if e["type"] == "identity.security_alert"]
    assert len(sent) == 1
