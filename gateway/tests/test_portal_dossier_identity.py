"""The portal's dossier pages and the verified identity (issue 20, findings 1 and 9): the
officer sees who really filed, the citizen's identity fields are read-only, and during a
supplement the page sends only what the officer asked for. Against a fake upstream on a real
HTTP port."""
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

FILER = {"cccd": "079203001234", "full_name": "Nguyễn Văn An", "date_of_birth": "2003-04-05"}
PRINCIPAL = {"cccd": "001190004321", "full_name": "Trần Thị Bình",
             "date_of_birth": "1990-07-08"}
EFORM = {"fields": [
    {"name": "ho_ten", "label": "Họ tên người yêu cầu", "type": "text", "prefill": "full_name"},
    {"name": "noi_cu_tru", "label": "Nơi cư trú", "type": "address", "prefill": "address"},
    {"name": "tre_ho_ten", "label": "Họ tên trẻ", "type": "text"},
]}


def dossier(status: str = "submitted", **changes) -> dict:
    return {
        "id": "d-1", "code": "000.00.31.H29-260302-0001", "version": 4, "status": status,
        "status_code": 1, "status_label": "Mới đăng ký", "procedure_code": "1.001193",
        "procedure_name": "Đăng ký khai sinh", "agency_code": "000.00.31.H29",
        "applicant_name": PRINCIPAL["full_name"], "proxy_filing": True,
        "filer_name": FILER["full_name"], "applicant": {**PRINCIPAL, "phone": "0912345678"},
        "filer": FILER, "form": {"ho_ten": PRINCIPAL["full_name"], "noi_cu_tru": "Số 1",
                                 "tre_ho_ten": "Minh"},
        "eform": EFORM, "components": [{"code": "tp-4", "name": "Giấy chứng sinh",
                                        "required": True}],
        "attachments": [], "details": {}, "history": [], "extensions": [],
        **changes}


@pytest.fixture
def upstream(jwks_issuer):
    app = Flask("fake-services")
    app.role = "officer"
    app.dossier = dossier()
    app.patches = []

    @app.post("/login")
    def login():
        return jsonify(challenge_id="c-1", method="sms", expires_in=300)

    @app.post("/login/verify")
    def verify():
        claims = {"agency": "000.00.31.H29", "province": "79"} if app.role == "officer" else {}
        return jsonify(access_token=jwks_issuer.token(sub="u-1", role=app.role, ttl=900,
                                                      **claims),
                       refresh_token=f"r-{uuid.uuid4().hex}", token_type="Bearer",
                       expires_in=900)

    @app.get("/dossiers/<dossier_id>")
    def one(dossier_id):
        return jsonify(app.dossier)

    @app.patch("/dossiers/<dossier_id>")
    def patch(dossier_id):
        app.patches.append(request.json)
        return jsonify(app.dossier)

    @app.get("/officer/dossiers")
    def queue():
        return jsonify(items=[app.dossier], total=1, page=1, per_page=20, pages=1)

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield app, f"http://127.0.0.1:{port}"
    server.shutdown()


@pytest.fixture
def portal(upstream, jwks_issuer):
    url = upstream[1]
    settings = GatewaySettings.from_env(
        {}, identity_url=url, catalog_url=url, submission_url=url, tracking_url=url,
        notify_url=f"http://127.0.0.1:{free_port()}", jwks_url=jwks_issuer.url,
        rate_limit_prefix=f"t-{uuid.uuid4().hex}")
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


def test_the_officer_sees_the_verified_filer_of_a_proxy_filing(portal, upstream):
    sign_in(portal)
    page = portal.get("/can-bo/ho-so/d-1").get_data(as_text=True)
    assert "Người nộp thay (chủ tài khoản đã xác thực)" in page
    filer = page[page.index('id="h-nguoi-nop-thay"'):]
    assert FILER["full_name"] in filer and FILER["cccd"] in filer and "05/04/2003" in filer
    assert "Người được nộp thay (đứng tên hồ sơ)" in page and PRINCIPAL["cccd"] in page
    queue = portal.get("/can-bo").get_data(as_text=True)
    assert f"Nộp thay bởi {FILER['full_name']}" in queue


def test_the_officer_sees_the_verified_account_of_an_own_filing(portal, upstream):
    app, _ = upstream
    app.dossier = dossier(proxy_filing=False, filer=FILER, applicant=FILER,
                          applicant_name=FILER["full_name"])
    sign_in(portal)
    page = portal.get("/can-bo/ho-so/d-1").get_data(as_text=True)
    assert "Tài khoản nộp hồ sơ (đã xác thực)" in page and "nộp thay" not in page.lower()
    assert "Nộp thay bởi" not in portal.get("/can-bo").get_data(as_text=True)


def test_a_supplement_request_offers_the_fields_and_documents_to_list(portal, upstream):
    sign_in(portal)
    page = portal.get("/can-bo/ho-so/d-1/request_supplement").get_data(as_text=True)
    assert 'name="fields" value="noi_cu_tru"' in page
    assert 'name="fields" value="ho_ten"' not in page  # the identity is the account's
    assert 'name="documents" value="tp-4"' in page


def test_the_citizens_identity_fields_are_read_only_and_never_sent(portal, upstream):
    app, _ = upstream
    app.role = "citizen"
    app.dossier = dossier(status="draft", proxy_filing=False, filer=FILER,
                          applicant={**FILER, "phone": "0912345678"},
                          form={"ho_ten": FILER["full_name"]})
    sign_in(portal)
    page = portal.get("/ho-so/d-1/to-khai").get_data(as_text=True)
    for field in ("f-applicant-full_name", "f-applicant-cccd", "f-form-ho_ten"):
        tag = re.search(rf'<input id="{field}"[^>]*>', page).group(0)
        assert " readonly" in tag, tag
    portal.post("/ho-so/d-1/to-khai", data={
        "csrf_token": csrf_of(page), "action": "save", "applicant.full_name": "Kẻ Mạo Danh",
        "applicant.cccd": PRINCIPAL["cccd"], "applicant.phone": "0912345678",
        "form.ho_ten": FILER["full_name"], "form.tre_ho_ten": "Minh"})
    [sent] = app.patches
    assert not {"full_name", "cccd", "date_of_birth"} & set(sent["applicant"])


def test_during_a_supplement_only_the_listed_inputs_are_sent(portal, upstream):
    app, _ = upstream
    app.role = "citizen"
    app.dossier = dossier(status="supplement_requested", proxy_filing=False, filer=FILER,
                          applicant={**FILER, "phone": "0912345678"},
                          details={"supplement": {"fields": ["noi_cu_tru"],
                                                  "documents": ["tp-4"]}})
    sign_in(portal)
    page = portal.get("/ho-so/d-1/to-khai").get_data(as_text=True)
    locked = re.search(r'<fieldset class="field-locked" disabled>\s*<div class="field">\s*'
                       r'<label for="f-form-tre_ho_ten"', page)
    assert locked, "an unlisted field is locked"
    assert not re.search(r'<fieldset class="field-locked" disabled>\s*<div class="field">\s*'
                         r'<label for="f-form-noi_cu_tru"', page)
    portal.post("/ho-so/d-1/to-khai", data={
        "csrf_token": csrf_of(page), "action": "save", "form.noi_cu_tru": "Số 2 Lê Lợi",
        "form.tre_ho_ten": "Tên khác", "applicant.phone": "0987654321"})
    assert app.patches == [{"form": {"noi_cu_tru": "Số 2 Lê Lợi"}, "applicant": {}}]
