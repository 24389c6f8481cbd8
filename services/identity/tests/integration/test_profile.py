"""Profile: read, change with autofill consent, export, delete (contact changes: see
test_contact_change.py)."""

import pytest


@pytest.fixture
def tokens(flows):
    flows.register()
    return flows.login()


def test_get_me_requires_a_token(client, worker):
    response = client.get("/me")
    assert response.status_code == 401
    assert set(response.json) >= {"code", "status", "message"}


def test_autofill_consent_is_explicit_recorded_and_revocable(client, events, tokens, auth, citizen):
    me = client.get("/me", headers=auth(tokens)).json
    assert me["autofill_consent"] is False and me["consents"] == []  # silence is not consent

    text = client.get("/consents/autofill").json
    assert text["purpose"] == "autofill" and "Tự động điền" in text["text"]

    stale = client.patch(
        "/me",
        headers=auth(tokens),
        json={"autofill_consent": {"granted": True, "text_version": "1999"}},
    )
    assert stale.status_code == 422 and "autofill_consent" in stale.json["errors"]

    granted = client.patch(
        "/me",
        headers=auth(tokens),
        json={"autofill_consent": {"granted": True, "text_version": text["text_version"]}},
    )
    assert granted.status_code == 200
    record = granted.json["consents"][0]
    assert granted.json["autofill_consent"] is True
    assert record["purpose"] == "autofill" and record["text_version"] == text["text_version"]
    assert record["granted_at"].endswith("Z") and record["revoked_at"] is None
    event = events.wait(lambda e: e["type"] == "identity.profile_updated")
    assert event["data"]["autofill_consent"] is True
    assert event["data"]["changed"] == ["autofill_consent"]
    # with consent, the event carries what submission needs to pre-fill forms
    assert event["data"]["cccd"] == citizen["cccd"]
    assert event["data"]["date_of_birth"] == citizen["date_of_birth"]

    revoked = client.patch(
        "/me", headers=auth(tokens), json={"autofill_consent": {"granted": False}}
    )
    assert revoked.status_code == 200
    assert revoked.json["autofill_consent"] is False
    assert revoked.json["consents"][0]["revoked_at"] is not None  # history kept
    event = events.wait(
        lambda e: e["type"] == "identity.profile_updated" and e["data"]["autofill_consent"] is False
    )
    assert event["aggregate_version"] > 1
    assert "cccd" not in event["data"] and "date_of_birth" not in event["data"]


def test_export_contains_profile_sessions_and_activity(client, tokens, auth, citizen):
    response = client.get("/me/export", headers=auth(tokens))
    assert response.status_code == 200
    body = response.json
    assert body["profile"]["cccd"] == citizen["cccd"]
    assert len(body["sessions"]) == 1
    assert {"login", "register"} <= {entry["action"] for entry in body["activity"]}


def test_delete_erases_data_ends_sessions_and_publishes(
    client, events, tokens, auth, citizen, mongo_db
):
    wrong = client.delete("/me", headers=auth(tokens), json={"password": "Khong-Dung-1"})
    assert wrong.status_code == 401
    deleted = client.delete("/me", headers=auth(tokens), json={"password": citizen["password"]})
    assert deleted.status_code == 204
    event = events.wait(lambda e: e["type"] == "identity.user_deleted")
    assert event["data"]["mode"] == "erase"
    user = mongo_db.users.find_one({"_id": event["data"]["user_id"]})
    assert user["status"] == "deleted"
    assert not {"pii", "cccd_hash", "phone_hash", "email_hash", "password_hash"} & set(user)
    assert client.get("/me", headers=auth(tokens)).status_code == 401  # its session ended
    refresh = client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refresh.status_code == 401
    login = client.post(
        "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
    )
    assert login.status_code == 401
    # the same person may register again
    again = client.post("/register", json=citizen)
    assert again.status_code == 202
    assert events.wait(
        lambda e: (
            e["type"] == "identity.otp_requested"
            and e["data"]["challenge_id"] == again.json["challenge_id"]
        )
    )


def test_password_change_checks_current_rules_and_ends_sessions(
    client, flows, tokens, auth, citizen, events
):
    url = "/me/password"
    wrong = client.post(
        url,
        headers=auth(tokens),
        json={"current_password": "Khong-Dung-1", "new_password": "Moi-Hon-2027!"},
    )
    assert wrong.status_code == 401
    weak = client.post(
        url,
        headers=auth(tokens),
        json={"current_password": citizen["password"], "new_password": "abc"},
    )
    assert weak.status_code == 422 and "new_password" in weak.json["errors"]
    done = client.post(
        url,
        headers=auth(tokens),
        json={"current_password": citizen["password"], "new_password": "Moi-Hon-2027!"},
    )
    assert done.status_code == 204
    assert (
        client.post("/token/refresh", json={"refresh_token": tokens["refresh_token"]}).status_code
        == 401
    )
    assert client.get("/me", headers=auth(tokens)).status_code == 401  # the access token too
    security = events.wait(lambda e: e["type"] == "identity.security_alert")
    assert security["data"]["kind"] == "password_changed"
    assert set(security["data"]) == {"user_id", "kind", "at"}
    old = client.post("/login", json={"username": citizen["cccd"], "password": citizen["password"]})
    assert old.status_code == 401
    assert flows.login(citizen["cccd"], "Moi-Hon-2027!")["access_token"]
