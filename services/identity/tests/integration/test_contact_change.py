"""A new phone or email takes effect only once the code sent to that new contact is given back."""

from datetime import UTC, datetime

import pytest

from identity.profile import CreateStaff, create_staff
from identity.sessions import issue_session

PASSWORD = "Hoa-Sen-2026!"  # the registered citizen's (conftest)
NEW_PHONE = "+84383456789"
OLD_PHONE = "+84912345678"
OTHER = {
    "cccd": "079301123456",
    "date_of_birth": "2001-01-31",
    "phone": "0977654321",
    "email": "khac@example.vn",
}


@pytest.fixture
def tokens(flows):
    flows.register()
    return flows.login()


def otp_event(events, challenge_id: str, after: int = 0) -> dict:
    return events.wait(
        lambda e: (
            e["type"] == "identity.otp_requested"
            and e["data"]["challenge_id"] == challenge_id
            and e["aggregate_version"] > after
        )
    )["data"]


def me(client, tokens, auth) -> dict:
    return client.get("/me", headers=auth(tokens)).json


def verify(client, tokens, auth, challenge_id: str, code: str):
    return client.post(
        "/me/contact/verify",
        headers=auth(tokens),
        json={"challenge_id": challenge_id, "code": code},
    )


def test_a_new_phone_waits_for_the_code_sent_to_it(client, events, tokens, auth, wrong_code):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0383 456 789", "current_password": PASSWORD}
    )
    assert started.status_code == 202, started.json
    body = started.json
    assert set(body) == {"challenge_id", "channel", "destination", "expires_in", "message"}
    assert body["channel"] == "sms" and body["destination"] == "+8438****789"
    assert body["expires_in"] > 0 and "+8438****789" in body["message"]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE  # not applied yet

    sent = otp_event(events, body["challenge_id"])
    assert sent["destination"] == NEW_PHONE and sent["channel"] == "sms"
    assert sent["purpose"] == "contact_change" and sent["user_id"] == me(client, tokens, auth)["id"]

    wrong = verify(client, tokens, auth, body["challenge_id"], wrong_code(sent["code"]))
    assert wrong.status_code == 400 and wrong.json["errors"]["code"] == ["Mã xác thực không đúng."]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE

    done = verify(client, tokens, auth, body["challenge_id"], sent["code"])
    assert done.status_code == 200, done.json
    assert done.json["phone"] == NEW_PHONE
    event = events.wait(lambda e: e["type"] == "identity.profile_updated")
    assert event["data"]["changed"] == ["phone"] and event["data"]["phone"] == NEW_PHONE
    assert "cccd" not in event["data"]  # no autofill consent, no identifiers beyond contact
    again = verify(client, tokens, auth, body["challenge_id"], sent["code"])
    assert again.status_code == 400  # a code works once


def test_the_old_phone_is_told_through_the_sealed_outbox(client, events, tokens, auth):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0383456789", "current_password": PASSWORD}
    )
    code = otp_event(events, started.json["challenge_id"])["code"]
    assert verify(client, tokens, auth, started.json["challenge_id"], code).status_code == 200
    notice = events.wait(lambda e: e["type"] == "identity.contact_changed")
    user_id = me(client, tokens, auth)["id"]
    assert notice["data"]["user_id"] == user_id and notice["data"]["field"] == "phone"
    assert notice["data"]["old_destination"] == OLD_PHONE
    assert notice["data"]["new_destination_masked"] == "+8438****789"
    assert notice["data"]["changed_at"].endswith("Z")
    assert notice["aggregate_id"] == user_id and notice["source"] == "identity"


def test_the_old_email_notice_waits_sealed_until_sent(
    client, events, worker, tokens, auth, citizen, mongo_db
):
    started = client.patch(
        "/me",
        headers=auth(tokens),
        json={"email": "hoa.moi@example.vn", "current_password": PASSWORD},
    )
    code = otp_event(events, started.json["challenge_id"])["code"]
    worker.stop()  # the relay is down: the notice stays in the user's outbox
    assert verify(client, tokens, auth, started.json["challenge_id"], code).status_code == 200
    user = mongo_db.users.find_one({"_id": me(client, tokens, auth)["id"]})
    pending = [e for e in user["outbox"].values() if e["type"] == "identity.contact_changed"]
    assert len(pending) == 1
    stored = str(user)
    assert citizen["email"] not in stored and "hoa.nguyen" not in stored
    assert "hoa.moi@example.vn" not in stored


def test_the_new_phone_signs_in_and_the_old_one_no_longer_does(
    client, flows, events, tokens, auth, citizen
):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0383456789", "current_password": PASSWORD}
    )
    code = otp_event(events, started.json["challenge_id"])["code"]
    assert verify(client, tokens, auth, started.json["challenge_id"], code).status_code == 200
    old = client.post("/login", json={"username": "0912345678", "password": citizen["password"]})
    assert old.status_code == 401
    login = client.post("/login", json={"username": "0383456789", "password": citizen["password"]})
    assert login.status_code == 200 and login.json["method"] == "sms"
    assert otp_event(events, login.json["challenge_id"])["destination"] == NEW_PHONE


def test_a_new_email_gets_its_code_by_email_and_a_resend_voids_the_first(
    client, events, tokens, auth, citizen, wrong_code, mongo_db
):
    started = client.patch(
        "/me",
        headers=auth(tokens),
        json={"email": "Hoa.Moi@Example.vn", "current_password": PASSWORD},
    )
    assert started.status_code == 202
    challenge_id = started.json["challenge_id"]
    assert started.json["channel"] == "email" and started.json["destination"] == "h***@example.vn"
    first = otp_event(events, challenge_id)
    assert first["destination"] == "hoa.moi@example.vn" and first["channel"] == "email"
    # the cooldown has passed (as if 60 s later): a new code, the first stops working
    mongo_db.otp_challenges.update_one(
        {"_id": challenge_id}, {"$set": {"last_sent_at": "2020-01-01T00:00:00.000000Z"}}
    )
    resent = client.post("/otp/resend", json={"challenge_id": challenge_id})
    assert resent.status_code == 202, resent.json
    second = otp_event(events, challenge_id, after=1)
    assert second["destination"] == "hoa.moi@example.vn"
    if first["code"] != second["code"]:
        assert verify(client, tokens, auth, challenge_id, first["code"]).status_code == 400
    done = verify(client, tokens, auth, challenge_id, second["code"])
    assert done.status_code == 200 and done.json["email"] == "hoa.moi@example.vn"
    assert done.json["phone"] == OLD_PHONE


def test_phone_and_email_at_once_are_refused_one_at_a_time(client, tokens, auth, citizen):
    both = client.patch(
        "/me",
        headers=auth(tokens),
        json={"phone": "0383456789", "email": "hoa.moi@example.vn", "otp_channel": "email"},
    )
    assert both.status_code == 422
    assert "Mỗi lần chỉ đổi được một thông tin liên hệ" in both.json["errors"]["email"][0]
    profile = me(client, tokens, auth)
    assert profile["phone"] == OLD_PHONE and profile["email"] == citizen["email"]
    assert profile["otp_channel"] == "sms"  # a refused request applies nothing


def test_unchanged_values_and_other_fields_apply_at_once(client, events, tokens, auth, citizen):
    # the portal's form sends the current phone and email back with the channel
    same = client.patch(
        "/me",
        headers=auth(tokens),
        json={"phone": "0912 345 678", "email": citizen["email"].upper(), "otp_channel": "email"},
    )
    assert same.status_code == 200 and same.json["otp_channel"] == "email"
    event = events.wait(lambda e: e["type"] == "identity.profile_updated")
    assert event["data"]["changed"] == ["otp_channel"]

    channel_only = client.patch("/me", headers=auth(tokens), json={"otp_channel": "sms"})
    assert channel_only.status_code == 200 and channel_only.json["otp_channel"] == "sms"

    mixed = client.patch(
        "/me",
        headers=auth(tokens),
        json={"email": "hoa.moi@example.vn", "otp_channel": "email", "current_password": PASSWORD},
    )
    assert mixed.status_code == 202 and mixed.json["channel"] == "email"
    profile = me(client, tokens, auth)
    assert profile["otp_channel"] == "email"  # applied at once
    assert profile["email"] == citizen["email"]  # waits for the code


def test_a_new_contact_needs_the_current_password_first(client, tokens, auth, mongo_db):
    """A stolen session alone cannot send the account's codes to another phone."""
    missing = client.patch("/me", headers=auth(tokens), json={"phone": "0383456789"})
    assert missing.status_code == 422 and "current_password" in missing.json["errors"]
    wrong = client.patch(
        "/me",
        headers=auth(tokens),
        json={"phone": "0383456789", "current_password": "Sai-Mat-Khau-1"},
    )
    assert wrong.status_code == 401 and "current_password" in wrong.json["errors"]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE
    # no code was made, so none went anywhere
    assert mongo_db["otp_challenges"].count_documents({"purpose": "contact_change"}) == 0


def test_bad_format_is_a_field_error(client, tokens, auth):
    bad = client.patch(
        "/me", headers=auth(tokens), json={"phone": "12345", "current_password": PASSWORD}
    )
    assert bad.status_code == 422 and "phone" in bad.json["errors"]


def test_another_users_challenge_is_refused_and_costs_the_owner_nothing(
    client, flows, events, tokens, auth
):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0383456789", "current_password": PASSWORD}
    )
    code = otp_event(events, started.json["challenge_id"])["code"]
    flows.register(**OTHER)
    intruder = flows.login(OTHER["cccd"])
    for _ in range(6):
        refused = verify(client, intruder, auth, started.json["challenge_id"], code)
        assert refused.status_code == 400
        assert refused.json["errors"]["code"] == ["Mã xác thực không đúng hoặc đã hết hạn."]
    assert me(client, intruder, auth)["phone"] == "+84977654321"
    assert me(client, tokens, auth)["phone"] == OLD_PHONE
    # the owner's tries were not used up
    assert verify(client, tokens, auth, started.json["challenge_id"], code).status_code == 200


def test_another_purpose_challenge_is_not_a_contact_change(client, flows, tokens, auth, citizen):
    started = client.post(
        "/login", json={"username": citizen["cccd"], "password": citizen["password"]}
    )
    code = flows.otp(started.json["challenge_id"])
    refused = verify(client, tokens, auth, started.json["challenge_id"], code)
    assert refused.status_code == 400
    assert me(client, tokens, auth)["phone"] == OLD_PHONE


def test_an_expired_code_is_refused(client, events, tokens, auth, mongo_db):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0383456789", "current_password": PASSWORD}
    )
    code = otp_event(events, started.json["challenge_id"])["code"]
    past = datetime(2020, 1, 1, tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    mongo_db.otp_challenges.update_one(
        {"_id": started.json["challenge_id"]}, {"$set": {"expires_at": past}}
    )
    expired = verify(client, tokens, auth, started.json["challenge_id"], code)
    assert expired.status_code == 400 and "hết hạn" in expired.json["message"]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE


def test_the_sixth_try_is_refused_even_with_the_right_code(
    client, events, tokens, auth, wrong_code
):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0383456789", "current_password": PASSWORD}
    )
    code = otp_event(events, started.json["challenge_id"])["code"]
    for _ in range(5):
        wrong = verify(client, tokens, auth, started.json["challenge_id"], wrong_code(code))
        assert wrong.status_code == 400
    sixth = verify(client, tokens, auth, started.json["challenge_id"], code)
    assert sixth.status_code == 429 and "sai quá số lần" in sixth.json["message"]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE


def test_a_contact_of_another_account_is_refused_before_any_code(client, flows, tokens, auth):
    flows.register(**OTHER)
    taken = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0977 654 321", "current_password": PASSWORD}
    )
    assert taken.status_code == 409
    assert taken.json["errors"]["phone"] == [
        "Số điện thoại hoặc email này đã được dùng cho một tài khoản khác."
    ]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE


def test_a_contact_taken_meanwhile_is_refused_at_verification(client, flows, events, tokens, auth):
    started = client.patch(
        "/me", headers=auth(tokens), json={"phone": "0977654321", "current_password": PASSWORD}
    )
    assert started.status_code == 202
    code = otp_event(events, started.json["challenge_id"])["code"]
    flows.register(**OTHER)  # someone else registers that phone in the meantime
    taken = verify(client, tokens, auth, started.json["challenge_id"], code)
    assert taken.status_code == 409 and "phone" in taken.json["errors"]
    assert me(client, tokens, auth)["phone"] == OLD_PHONE


def test_verifying_needs_a_signed_in_user(client, worker):
    response = client.post("/me/contact/verify", json={"challenge_id": "x", "code": "123456"})
    assert response.status_code == 401


def test_staff_follow_the_same_rule(client, app, events, worker, auth):
    svc = app.extensions["identity"]
    made = create_staff(
        svc,
        CreateStaff(
            full_name="Trần Văn Bình",
            email="binh@motcua.vn",
            agency="000.00.31.H29",
            province="79",
        ),
    )
    staff = issue_session(svc, svc.repo.get_user(made["id"]))  # as if signed in
    started = client.patch(
        "/me",
        headers=auth(staff),
        json={"email": "binh.tran@motcua.vn", "current_password": made["initial_password"]},
    )
    assert started.status_code == 202 and started.json["channel"] == "email"
    assert me(client, staff, auth)["email"] == "binh@motcua.vn"
    sent = otp_event(events, started.json["challenge_id"])
    assert sent["destination"] == "binh.tran@motcua.vn"
    done = verify(client, staff, auth, started.json["challenge_id"], sent["code"])
    assert done.status_code == 200 and done.json["email"] == "binh.tran@motcua.vn"
