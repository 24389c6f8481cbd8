"""OTP abuse: tries, cooldown, send quota, one code at a time."""


def start_registration(client, citizen):
    started = client.post("/register", json=citizen)
    assert started.status_code == 202
    return started.json["challenge_id"]


def test_sixth_try_refused_even_with_the_right_code(client, flows, citizen, wrong_code):
    challenge_id = start_registration(client, citizen)
    code = flows.otp(challenge_id)
    for _ in range(5):
        bad = client.post(
            "/register/verify", json={"challenge_id": challenge_id, "code": wrong_code(code)}
        )
        assert bad.status_code == 400
        assert bad.json["errors"]["code"] == ["Mã xác thực không đúng."]
    sixth = client.post("/register/verify", json={"challenge_id": challenge_id, "code": code})
    assert sixth.status_code == 429
    assert "sai quá số lần" in sixth.json["message"]


def test_resend_inside_cooldown_refused_with_clear_message(client, flows, citizen):
    challenge_id = start_registration(client, citizen)
    flows.otp(challenge_id)
    again = client.post("/otp/resend", json={"challenge_id": challenge_id})
    assert again.status_code == 429
    assert again.json["message"].startswith("Vui lòng đợi")
    assert "giây trước khi yêu cầu gửi lại mã" in again.json["message"]
    assert 55 <= int(again.headers["Retry-After"]) <= 60
