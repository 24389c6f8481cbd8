"""The portal's lookup page by CCCD: without sign-in it runs the proof step (a code to the
contact on record) before tracking answers; against fake services on a real HTTP port."""
from __future__ import annotations

import re
import threading
import uuid

import pytest
from flask import Flask, jsonify, request
from werkzeug.serving import make_server

from gateway.app import create_app
from gateway.config import GatewaySettings
from servicekit.local import free_port

CCCD = "001090012345"
PROOF = "proof-for-001090012345"


@pytest.fixture
def services():
    app = Flask("fake-services")
    app.lookups = []

    @app.get("/lookup")
    def lookup():
        app.lookups.append(dict(request.headers))
        if request.args.get("code"):
            return jsonify(results=[{"code": request.args["code"], "status": "submitted",
                                     "status_label": "Mới đăng ký", "procedure_name": "Khai sinh",
                                     "applicant_name": "Nguyễn V** A*", "masked": True}])
        if request.headers.get("X-Lookup-Proof") != PROOF:
            return jsonify(code=401, status="Unauthorized",
                           message="Tra cứu theo số định danh cá nhân chỉ dành cho chính chủ."), 401
        return jsonify(results=[{"code": "000.00.31.H29-261128-0001", "status": "accepted",
                                 "status_label": "Được tiếp nhận", "procedure_name": "Kết hôn",
                                 "applicant_name": "Nguyễn Văn An", "masked": False}])

    @app.post("/lookup-proof")
    def send():
        assert request.json == {"cccd": CCCD}
        return jsonify(challenge_id="lp-1", expires_in=300,
                       message="Nếu số định danh này đã có tài khoản, mã xác minh vừa được "
                               "gửi tới số điện thoại (hoặc email) đã đăng ký."), 202

    @app.post("/lookup-proof/verify")
    def verify():
        if request.json != {"challenge_id": "lp-1", "code": "654321"}:
            return jsonify(code=400, status="Bad Request", message="Mã xác thực không đúng.",
                           errors={"code": ["Mã xác thực không đúng."]}), 400
        return jsonify(proof_token=PROOF, token_type="lookup_proof", expires_in=600,
                       header="X-Lookup-Proof")

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def portal(services, jwks_issuer):
    url = services[1]
    settings = GatewaySettings.from_env(
        {}, identity_url=url, catalog_url=url, submission_url=url, tracking_url=url,
        notify_url=url, jwks_url=jwks_issuer.url, rate_limit_prefix=f"t-{uuid.uuid4().hex}")
    return create_app(settings).test_client()


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_an_anonymous_cccd_lookup_asks_for_the_code_then_shows_the_dossiers(portal, services):
    asked = portal.get(f"/tra-cuu?cccd={CCCD}").get_data(as_text=True)
    assert "Xác minh chính chủ" in asked and "Gửi mã xác minh" in asked
    assert "Kết hôn" not in asked

    sent = portal.post("/tra-cuu/xac-minh", data={"csrf_token": _csrf(asked), "cccd": CCCD})
    page = sent.get_data(as_text=True)
    assert sent.status_code == 200 and "Nhập mã xác minh" in page
    assert 'name="challenge_id" value="lp-1"' in page

    wrong = portal.post("/tra-cuu/xac-minh/ma", data={
        "csrf_token": _csrf(page), "cccd": CCCD, "challenge_id": "lp-1", "otp": "000000"})
    assert wrong.status_code == 400 and "Mã xác thực không đúng." in wrong.get_data(as_text=True)

    shown = portal.post("/tra-cuu/xac-minh/ma", data={
        "csrf_token": _csrf(page), "cccd": CCCD, "challenge_id": "lp-1", "otp": "654 321"})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Kết hôn" in html and "Nguyễn Văn An" in html
    assert services[0].lookups[-1]["X-Lookup-Proof"] == PROOF
    assert "proof-for" not in portal.get(f"/tra-cuu?cccd={CCCD}").get_data(as_text=True)


def test_the_proof_step_refuses_a_post_without_csrf(portal, services):
    response = portal.post("/tra-cuu/xac-minh", data={"cccd": CCCD})
    assert response.status_code == 400


def test_a_lookup_by_code_needs_no_proof(portal, services):
    html = portal.get("/tra-cuu?code=000.00.31.H29-261128-0009").get_data(as_text=True)
    assert "Khai sinh" in html and "Xác minh chính chủ" not in html
    assert "X-Lookup-Proof" not in services[0].lookups[-1]
