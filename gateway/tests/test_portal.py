"""The portal in-process, against a fake service on a real HTTP port (identity, catalog,
submission, tracking answer from one small Flask app) and the local Redis."""
from __future__ import annotations

import re
import threading
import uuid
from pathlib import Path

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway.app import create_app
from gateway.config import GatewaySettings
from servicekit.local import free_port

TEMPLATES = Path(__file__).resolve().parents[1] / "gateway" / "templates" / "portal"
PASSWORD = "Mat-Khau-Hien-Tai-1"  # the signed-in citizen's, as the fake identity knows it


@pytest.fixture
def services(jwks_issuer):
    """One fake upstream for every service; records what it was sent."""
    app = Flask("fake-services")
    app.calls = []
    app.ttl = 900

    @app.before_request
    def record():
        app.calls.append({"path": request.path, "method": request.method,
                          "authorization": request.headers.get("Authorization"),
                          "request_id": request.headers.get("X-Request-ID"),
                          "json": request.get_json(silent=True)})

    @app.get("/procedures")
    def procedures():
        return jsonify(items=[{"code": "1.001193", "name": "Thủ tục đăng ký khai sinh",
                               "field": "Hộ tịch", "level": 4}], total=1, page=1, pages=1)

    @app.post("/register")
    def register():
        return jsonify(code=422, status="Unprocessable Entity", message="Thông tin chưa hợp lệ.",
                       errors={"cccd": ["Mã tỉnh trong số CCCD không tồn tại."]}), 422

    @app.post("/login")
    def login():
        return jsonify(challenge_id="c-1", method="sms", expires_in=300)

    def tokens():
        return {"access_token": jwks_issuer.token(sub="u-1", role="citizen", ttl=app.ttl),
                "refresh_token": f"refresh-{uuid.uuid4().hex}", "token_type": "Bearer",
                "expires_in": app.ttl}

    @app.post("/login/verify")
    def verify():
        if request.json["code"] != "123456":
            return jsonify(code=400, status="Bad Request", message="Mã không đúng.",
                           errors={"code": ["Mã xác thực không đúng hoặc đã hết hạn."]}), 400
        return jsonify(tokens())

    @app.post("/token/refresh")
    def refresh():
        app.ttl = 900
        return jsonify(tokens())

    app.profile = {"id": "u-1", "role": "citizen", "full_name": "Nguyễn Thị Hoa",
                   "phone": "+84912345678", "email": "hoa@example.vn", "otp_channel": "sms"}
    app.pending = {}

    @app.get("/me")
    def me():
        return jsonify(app.profile)

    @app.patch("/me")
    def change_me():
        """identity's rule: a new phone waits for the code sent to it, the rest applies."""
        body = request.json
        if body.get("phone") == "12345":
            return jsonify(code=422, status="Unprocessable Entity", message="Chưa hợp lệ.",
                           errors={"phone": ["Số điện thoại di động không hợp lệ."]}), 422
        digits = "".join(body.get("phone", "").split())
        new_phone = "+84" + digits[1:] if digits else None
        if body.get("otp_channel"):
            app.profile["otp_channel"] = body["otp_channel"]
        if new_phone and new_phone != app.profile["phone"]:
            if body.get("current_password") != PASSWORD:  # the step-up before any code
                return jsonify(code=422, status="Unprocessable Entity", message="Chưa hợp lệ.",
                               errors={"current_password": [
                                   "Vui lòng nhập mật khẩu hiện tại để đổi số điện thoại "
                                   "hoặc email."]}), 422
            app.pending = {"challenge_id": "cc-1", "phone": new_phone}
            return jsonify(challenge_id="cc-1", channel="sms", destination="+8438****789",
                           expires_in=300, message="Mã xác thực đã được gửi tới số điện thoại "
                           "mới +8438****789. Số điện thoại chỉ được thay đổi sau khi bạn nhập "
                           "đúng mã."), 202
        return jsonify(app.profile)

    @app.post("/otp/resend")
    def resend():
        return jsonify(challenge_id=request.json["challenge_id"], channel="sms",
                       expires_in=300), 202

    @app.post("/me/contact/verify")
    def verify_contact():
        body = request.json
        if body["code"] == "999999":
            return jsonify(code=429, status="Too Many Requests",
                           message="Bạn đã nhập sai quá số lần cho phép."), 429
        if body != {"challenge_id": app.pending.get("challenge_id"), "code": "123456"}:
            return jsonify(code=400, status="Bad Request", message="Mã không đúng.",
                           errors={"code": ["Mã xác thực không đúng."]}), 400
        app.profile["phone"] = app.pending.pop("phone")
        return jsonify(app.profile)

    @app.get("/dossiers")
    def dossiers():
        return jsonify(items=[], total=0, page=1, per_page=20, pages=0)

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def portal(services, jwks_issuer):
    url = services[1]
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    settings = GatewaySettings.from_env(
        {}, identity_url=url, catalog_url=url, submission_url=url, tracking_url=url,
        notify_url=dead, jwks_url=jwks_issuer.url, rate_limit_prefix=f"t-{uuid.uuid4().hex}")
    return create_app(settings).test_client()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(portal) -> None:
    page = portal.get("/dang-nhap").get_data(as_text=True)
    portal.post("/dang-nhap", data={"csrf_token": csrf_of(page), "username": "0912345678",
                                    "password": "mat-khau-dai-du"})
    page = portal.get("/dang-nhap/xac-thuc").get_data(as_text=True)
    response = portal.post("/dang-nhap/xac-thuc", data={"csrf_token": csrf_of(page),
                                                        "code": "123456"})
    assert response.status_code == 302, response.get_data(as_text=True)


def test_pages_keep_the_csp_with_no_inline_script_or_style(portal):
    response = portal.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert 'lang="vi"' in html and "Thủ tục đăng ký khai sinh" in html
    for template in TEMPLATES.glob("*.html"):
        text = template.read_text()
        assert not re.search(r"<script(?![^>]*\bsrc=)", text), f"inline script in {template}"
        assert "<style" not in text and " style=" not in text, f"inline style in {template}"


def test_a_form_post_without_the_csrf_token_is_refused(portal, services):
    response = portal.post("/dang-nhap", data={"username": "a", "password": "b"})
    assert response.status_code == 400
    assert "Trang đã hết hạn" in response.get_data(as_text=True)
    assert not any(call["path"] == "/login" for call in services[0].calls)


def test_service_field_errors_are_shown_next_to_their_field_and_summarised(portal):
    page = portal.get("/dang-ky").get_data(as_text=True)
    response = portal.post("/dang-ky", data={
        "csrf_token": csrf_of(page), "cccd": "999190123456", "full_name": "Nguyễn Thị Hoa",
        "date_of_birth": "1990-05-01", "phone": "0912345678", "email": "hoa@example.vn",
        "password": "mat-khau-dai-du", "password_confirm": "mat-khau-dai-du"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'id="f-cccd-error">.*Mã tỉnh trong số CCCD không tồn tại', html)
    assert re.search(r'id="f-cccd"[^>]*aria-describedby="f-cccd-help f-cccd-error"', html,
                     re.S)
    assert '<a href="#f-cccd">Mã tỉnh trong số CCCD không tồn tại.</a>' in html


def test_mismatched_password_confirmation_is_caught_before_calling_identity(portal, services):
    page = portal.get("/dang-ky").get_data(as_text=True)
    response = portal.post("/dang-ky", data={"csrf_token": csrf_of(page), "password": "a" * 12,
                                              "password_confirm": "b" * 12})
    assert response.status_code == 422
    assert 'id="f-password_confirm-error"' in response.get_data(as_text=True)
    assert not any(call["path"] == "/register" for call in services[0].calls)


def test_signing_in_keeps_tokens_in_an_encrypted_httponly_lax_cookie_only(portal, services):
    sign_in(portal)
    cookie = portal.get_cookie("motcua_portal")
    assert cookie.http_only and cookie.same_site == "Lax"
    issued = next(c for c in services[0].calls if c["path"] == "/me")["authorization"]
    token = issued.split()[1]
    assert token not in cookie.value and "refresh-" not in cookie.value
    html = portal.get("/ho-so").get_data(as_text=True)
    assert "Hồ sơ của tôi" in html and token not in html


def test_an_access_token_about_to_expire_is_refreshed_through_identity(portal, services):
    services[0].ttl = 30  # inside the refresh margin
    sign_in(portal)
    portal.get("/ho-so")
    paths = [c["path"] for c in services[0].calls]
    assert "/token/refresh" in paths
    listing = [c for c in services[0].calls if c["path"] == "/dossiers"][-1]
    assert listing["authorization"].startswith("Bearer ")
    assert listing["request_id"]


def test_a_wrong_code_shows_the_message_on_the_code_field(portal):
    page = portal.get("/dang-nhap").get_data(as_text=True)
    portal.post("/dang-nhap", data={"csrf_token": csrf_of(page), "username": "0912345678",
                                    "password": "x" * 12})
    page = portal.get("/dang-nhap/xac-thuc").get_data(as_text=True)
    response = portal.post("/dang-nhap/xac-thuc", data={"csrf_token": csrf_of(page),
                                                        "code": "000000"})
    assert response.status_code == 422
    assert 'id="f-code-error"' in response.get_data(as_text=True)


def test_a_signed_out_visitor_is_sent_to_sign_in_and_back(portal):
    response = portal.get("/ho-so?page=2")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/dang-nhap?next=/ho-so")


def test_sign_in_never_redirects_to_another_site(portal):
    html = portal.get("/dang-nhap?next=//evil.example/x").get_data(as_text=True)
    assert 'name="next" value="//evil.example' not in html
    page = portal.get("/").get_data(as_text=True)
    response = portal.post("/co-chu", data={"csrf_token": csrf_of(page), "size": "large",
                                             "next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_a_service_that_is_down_gives_a_plain_page(portal):
    sign_in(portal)
    response = portal.get("/thong-bao")  # notify is down
    assert response.status_code == 503
    assert "Hệ thống tạm thời chưa phản hồi" in response.get_data(as_text=True)


def test_large_text_is_a_form_post_that_sets_a_cookie(portal):
    page = portal.get("/").get_data(as_text=True)
    response = portal.post("/co-chu", data={"csrf_token": csrf_of(page), "size": "large",
                                             "next": "/thu-tuc"})
    assert response.status_code == 302 and response.headers["Location"] == "/thu-tuc"
    assert 'class="text-large"' in portal.get("/").get_data(as_text=True)


def test_unknown_pages_are_html_for_people_and_the_error_shape_for_the_api(portal):
    page = portal.get("/khong-co-trang-nay")
    assert page.status_code == 404 and "Không tìm thấy trang" in page.get_data(as_text=True)
    missing = portal.get("/khong-co", headers={"Accept": "application/json"})
    assert missing.get_json()["code"] == 404


def test_a_new_password_typed_twice_differently_is_caught_on_the_page(portal, services):
    sign_in(portal)
    page = portal.get("/tai-khoan/mat-khau").get_data(as_text=True)
    response = portal.post("/tai-khoan/mat-khau", data={
        "csrf_token": csrf_of(page), "current_password": "cu-mat-khau-1",
        "new_password": "mat-khau-moi-dai", "new_password_confirm": "khac-han-nhe"})
    assert response.status_code == 422
    assert 'id="f-new_password_confirm-error"' in response.get_data(as_text=True)
    assert not any(c["path"] == "/me/password" for c in services[0].calls)


# -- profile: a new phone or email is confirmed with the code sent to it ---------------------

def change_contact(portal, **form):
    page = portal.get("/tai-khoan").get_data(as_text=True)
    fields = {"phone": "0912345678", "email": "hoa@example.vn", "otp_channel": "sms",
              "current_password": PASSWORD, **form}
    return portal.post("/tai-khoan", data={"csrf_token": csrf_of(page), **fields})


def test_a_new_phone_needs_the_current_password(portal, services):
    sign_in(portal)
    refused = change_contact(portal, phone="0383 456 789", current_password="")
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert re.search(r'id="f-current_password-error">.*mật khẩu hiện tại', html)
    assert 'id="f-code"' not in html and services[0].profile["phone"] == "+84912345678"


def test_a_new_phone_is_saved_only_after_the_code_sent_to_it(portal, services):
    sign_in(portal)
    started = change_contact(portal, phone="0383 456 789")
    assert started.status_code == 302
    assert started.headers["Location"] == "/tai-khoan#xac-nhan-lien-he"
    assert [c["json"] for c in services[0].calls if c["method"] == "PATCH"][-1] == {
        "phone": "0383 456 789", "email": "hoa@example.vn", "otp_channel": "sms",
        "current_password": PASSWORD}
    page = portal.get("/tai-khoan").get_data(as_text=True)
    assert "Xác nhận số điện thoại mới" in page and "+8438****789" in page
    assert 'id="f-code"' in page and 'id="f-phone"' not in page
    assert "cc-1" not in page  # the challenge stays in the encrypted session cookie

    wrong = portal.post("/tai-khoan/xac-nhan-lien-he",
                        data={"csrf_token": csrf_of(page), "code": "000000"})
    assert wrong.status_code == 422
    html = wrong.get_data(as_text=True)
    assert re.search(r'id="f-code-error">.*Mã xác thực không đúng', html)
    assert '<a href="#f-code">Mã xác thực không đúng.</a>' in html
    assert services[0].profile["phone"] == "+84912345678"

    done = portal.post("/tai-khoan/xac-nhan-lien-he",
                       data={"csrf_token": csrf_of(page), "code": "123 456"})
    assert done.status_code == 302 and done.headers["Location"] == "/tai-khoan"
    sent = [c for c in services[0].calls if c["path"] == "/me/contact/verify"][-1]
    assert sent["json"] == {"challenge_id": "cc-1", "code": "123456"}
    assert sent["authorization"].startswith("Bearer ")
    page = portal.get("/tai-khoan").get_data(as_text=True)
    assert "Đã cập nhật thông tin liên hệ." in page
    assert 'id="f-phone"' in page and 'value="0383456789"' in page and 'id="f-code"' not in page


def test_a_new_code_for_the_new_phone_can_be_asked_for(portal, services):
    sign_in(portal)
    change_contact(portal, phone="0383456789")
    page = portal.get("/tai-khoan").get_data(as_text=True)
    resent = portal.post("/gui-lai-ma", data={"csrf_token": csrf_of(page), "purpose": "contact"})
    assert resent.status_code == 302 and resent.headers["Location"] == "/tai-khoan"
    assert [c["json"] for c in services[0].calls if c["path"] == "/otp/resend"] == [
        {"challenge_id": "cc-1"}]
    page = portal.get("/tai-khoan").get_data(as_text=True)
    assert "Đã gửi lại mã xác thực" in page and 'id="f-code"' in page


def test_the_code_step_needs_the_csrf_token_and_a_code(portal, services):
    sign_in(portal)
    change_contact(portal, phone="0383456789")
    refused = portal.post("/tai-khoan/xac-nhan-lien-he", data={"code": "123456"})
    assert refused.status_code == 400
    page = portal.get("/tai-khoan").get_data(as_text=True)
    empty = portal.post("/tai-khoan/xac-nhan-lien-he", data={"csrf_token": csrf_of(page)})
    assert empty.status_code == 422 and 'id="f-code-error"' in empty.get_data(as_text=True)
    assert not any(c["path"] == "/me/contact/verify" for c in services[0].calls)


def test_an_otp_channel_change_alone_is_saved_at_once(portal, services):
    sign_in(portal)
    saved = change_contact(portal, otp_channel="email")
    assert saved.status_code == 302 and saved.headers["Location"] == "/tai-khoan"
    page = portal.get("/tai-khoan").get_data(as_text=True)
    assert "Đã lưu thông tin liên hệ." in page and 'id="f-code"' not in page
    assert services[0].profile["otp_channel"] == "email"


def test_a_bad_phone_is_shown_on_its_field(portal):
    sign_in(portal)
    response = change_contact(portal, phone="12345")
    assert response.status_code == 422
    assert re.search(r'id="f-phone-error">.*không hợp lệ', response.get_data(as_text=True))


def test_a_waiting_change_can_be_cancelled_or_ends_after_too_many_tries(portal, services):
    sign_in(portal)
    change_contact(portal, phone="0383456789")
    page = portal.get("/tai-khoan").get_data(as_text=True)
    cancelled = portal.post("/tai-khoan/huy-doi-lien-he", data={"csrf_token": csrf_of(page)})
    assert cancelled.status_code == 302
    page = portal.get("/tai-khoan").get_data(as_text=True)
    assert "Đã huỷ thay đổi thông tin liên hệ." in page and 'id="f-phone"' in page

    change_contact(portal, phone="0383456789")
    spent = portal.post("/tai-khoan/xac-nhan-lien-he",
                        data={"csrf_token": csrf_of(page), "code": "999999"})
    assert spent.status_code == 302
    page = portal.get("/tai-khoan").get_data(as_text=True)
    assert "sai quá số lần" in page and 'id="f-phone"' in page
    assert services[0].profile["phone"] == "+84912345678"


def test_too_many_sign_in_forms_from_one_address_is_a_429_page_with_retry_after(services,
                                                                                jwks_issuer):
    url = services[1]
    portal = create_app(GatewaySettings.from_env(
        {}, identity_url=url, catalog_url=url, submission_url=url, tracking_url=url,
        notify_url=url, jwks_url=jwks_issuer.url, rate_limit_auth="2/minute",
        rate_limit_prefix=f"t-{uuid.uuid4().hex}")).test_client()
    page = portal.get("/dang-nhap").get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "username": "0912345678", "password": PASSWORD}
    statuses = [portal.post("/dang-nhap", data=form).status_code for _ in range(3)]
    assert statuses[:2] != [429, 429] and statuses[2] == 429
    refused = portal.post("/dang-nhap", data=form)
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60
    assert f"đợi khoảng {wait} giây" in refused.get_data(as_text=True)


# -- a cookie does not outlive its session (issue 20, finding 13) ------------------------------

def _cookie_sid(services) -> str:
    import jwt

    issued = next(c for c in services[0].calls if c["path"] == "/me")["authorization"]
    return jwt.decode(issued.split()[1], options={"verify_signature": False})["sid"]


def test_a_cookie_whose_session_ended_elsewhere_opens_no_account_page(portal, services):
    from servicekit.revocation import RedisRevocations

    sign_in(portal)
    assert portal.get("/tai-khoan/mat-khau").status_code == 200
    # signed out on another device, or the password changed: identity lists the session
    deny = RedisRevocations.from_settings(GatewaySettings.from_env({}))
    deny.revoke([_cookie_sid(services)], 60)
    calls = len(services[0].calls)
    for path in ("/tai-khoan/mat-khau", "/tai-khoan", "/ho-so"):
        response = portal.get(path)
        assert response.status_code == 302 and "/dang-nhap" in response.headers["Location"]
    assert len(services[0].calls) == calls  # nothing was asked of the services with it
    assert "Đăng xuất" not in portal.get("/").get_data(as_text=True)
