"""The whole citizen journey over HTTP, the OTP read from the published event."""

import jwt


def test_register_verify_login_refresh_logout(client, events, flows, citizen, auth):
    started = client.post("/register", json=citizen)
    assert started.status_code == 202
    assert started.json["channel"] == "sms" and started.json["expires_in"] == 300
    challenge_id = started.json["challenge_id"]

    otp_event = events.wait(lambda e: e["type"] == "identity.otp_requested")
    assert otp_event["data"]["destination"] == "+84912345678"
    assert otp_event["data"]["purpose"] == "register"
    assert otp_event["source"] == "identity" and otp_event["aggregate_id"] == challenge_id
    code = otp_event["data"]["code"]

    verified = client.post("/register/verify", json={"challenge_id": challenge_id, "code": code})
    assert verified.status_code == 201
    user_id = verified.json["user_id"]
    registered = events.wait(lambda e: e["type"] == "identity.user_registered")
    assert registered["data"]["user_id"] == user_id
    assert registered["data"]["email"] == citizen["email"]

    # the same code cannot be used twice
    again = client.post("/register/verify", json={"challenge_id": challenge_id, "code": code})
    assert again.status_code == 400

    # log in with the phone written another way
    login = client.post(
        "/login", json={"username": "+84 912 345 678", "password": citizen["password"]}
    )
    assert login.status_code == 200
    assert login.json["method"] == "sms"
    login_code = flows.otp(login.json["challenge_id"])
    tokens = client.post(
        "/login/verify", json={"challenge_id": login.json["challenge_id"], "code": login_code}
    )
    assert tokens.status_code == 200
    body = tokens.json
    assert body["token_type"] == "Bearer" and body["expires_in"] <= 900

    header = jwt.get_unverified_header(body["access_token"])
    assert header["alg"] == "EdDSA" and header["kid"]
    jwks = client.get("/.well-known/jwks.json").json
    key = jwt.PyJWK(next(k for k in jwks["keys"] if k["kid"] == header["kid"]))
    claims = jwt.decode(body["access_token"], key.key, algorithms=["EdDSA"], audience="motcua")
    assert claims["sub"] == user_id and claims["role"] == "citizen"
    assert claims["exp"] - claims["iat"] <= 900 and claims["jti"]

    me = client.get("/me", headers=auth(body))
    assert me.status_code == 200
    assert me.json["cccd"] == citizen["cccd"] and me.json["phone"] == "+84912345678"
    assert me.json["full_name"] == "Nguyễn Thị Hoa"

    refreshed = client.post("/token/refresh", json={"refresh_token": body["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json["refresh_token"] != body["refresh_token"]
    assert client.get("/me", headers=auth(refreshed.json)).status_code == 200

    out = client.post("/logout", json={"refresh_token": refreshed.json["refresh_token"]})
    assert out.status_code == 204
    after = client.post("/token/refresh", json={"refresh_token": refreshed.json["refresh_token"]})
    assert after.status_code == 401


def test_login_with_cccd_or_email_as_username(flows, citizen):
    flows.register()
    for username in (citizen["cccd"], citizen["email"].upper(), "0912.345.678"):
        assert flows.login(username)["access_token"]


def test_email_channel_chosen_at_registration(client, events, worker, citizen):
    started = client.post("/register", json={**citizen, "channel": "email"})
    assert started.status_code == 202 and started.json["channel"] == "email"
    event = events.wait(lambda e: e["type"] == "identity.otp_requested")
    assert event["data"]["channel"] == "email"
    assert event["data"]["destination"] == citizen["email"]
