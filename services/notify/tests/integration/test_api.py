"""HTTP API on nx-27017 with tokens signed like identity's."""

from datetime import UTC, datetime

import pytest

from notify.app import create_app
from notify.bootstrap import build_deps
from notify.config import NotifySettings
from notify.domain.preferences import Preferences
from notify.handlers import on_dossier_event, on_user_registered
from notify.providers.dev import DevMessage
from notify.repository import MongoDevSink
from servicekit.mongo import connect
from servicekit.sealing import generate_key


@pytest.fixture
def deps(web_settings):
    return build_deps(web_settings, connect(web_settings))


def test_inbox_lists_my_notices_newest_first_with_read_state(client, deps, jwks_issuer, make):
    on_user_registered(make.registered(user_id="u1"), deps)
    on_dossier_event(make.dossier(user_id="u1"), deps)
    on_user_registered(make.registered(user_id="u2", email="other@example.vn"), deps)
    me = jwks_issuer.headers(sub="u1")

    page = client.get("/inbox", headers=me).json
    assert (page["total"], page["unread"]) == (2, 2)
    assert page["items"][0]["title"] == "Hồ sơ 000.00.31.H29-261128-0001 đã được tiếp nhận"
    assert page["items"][1]["title"] == "Chào mừng bạn đến với Cổng dịch vụ công motcua"
    newest = page["items"][0]["id"]

    marked = client.patch(f"/inbox/{newest}", json={"read": True}, headers=me)
    assert marked.status_code == 200 and marked.json["read"] is True
    unread = client.get("/inbox", query_string={"unread": "true"}, headers=me).json
    assert [item["id"] for item in unread["items"]] != [newest] and unread["total"] == 1

    assert client.patch("/inbox", json={"read": True}, headers=me).json == {"updated": 1}
    assert client.get("/inbox", headers=me).json["unread"] == 0
    again = client.patch(f"/inbox/{newest}", json={"read": False}, headers=me)
    assert again.json["read"] is False


def test_someone_elses_inbox_entry_is_not_found(client, deps, jwks_issuer, make):
    on_user_registered(make.registered(user_id="u1"), deps)
    [entry] = client.get("/inbox", headers=jwks_issuer.headers(sub="u1")).json["items"]
    response = client.patch(
        f"/inbox/{entry['id']}", json={"read": True}, headers=jwks_issuer.headers(sub="u2")
    )
    assert response.status_code == 404
    assert response.json["message"] == "Không tìm thấy thông báo."


def test_inbox_needs_a_valid_token(client):
    assert client.get("/inbox").status_code == 401
    bad = client.get("/inbox", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_preferences_default_on_and_patch_changes_only_what_is_sent(client, jwks_issuer):
    me = jwks_issuer.headers(sub="u1")
    assert client.get("/preferences", headers=me).json == {
        "email": True,
        "sms": True,
        "in_app": True,
        "otp": True,
    }
    patched = client.patch("/preferences", json={"sms": False}, headers=me)
    assert patched.json == {"email": True, "sms": False, "in_app": True, "otp": True}
    assert client.get("/preferences", headers=me).json["sms"] is False


def test_the_otp_cannot_be_turned_off(client, jwks_issuer):
    response = client.patch("/preferences", json={"otp": False}, headers=jwks_issuer.headers())
    assert response.status_code == 422
    assert "otp" in response.json["errors"]


def test_preferences_are_applied_to_dossier_notices(deps, make):
    repo = deps.repo
    on_user_registered(make.registered(user_id="u3"), deps)
    repo.save_preferences("u3", Preferences(email=False, sms=True, in_app=False))
    sent = on_dossier_event(make.dossier(user_id="u3"), deps)
    assert [n.channel for n in sent] == ["sms"]


def test_dev_messages_newest_first_filtered_by_recipient(client, web_settings):
    sink = MongoDevSink(connect(web_settings), web_settings.sealer())
    for second, body in ((1, "cũ"), (2, "mới")):
        sent_at = datetime(2026, 11, 28, 8, 0, second, tzinfo=UTC)
        sink.record(DevMessage("sms", "+84900000001", "", body, sent_at))
    sink.record(DevMessage("email", "x@example.vn", "Tiêu đề", "khác", datetime.now(UTC)))
    response = client.get("/dev/messages", query_string={"to": "+84900000001"})
    assert [m["body"] for m in response.json["messages"]] == ["mới", "cũ"]
    national = client.get("/dev/messages", query_string={"to": "0900000001"})
    assert national.json == response.json
    assert set(response.json["messages"][0]) == {"channel", "to", "subject", "body", "sent_at"}


def test_dev_messages_do_not_exist_in_production(web_settings):
    production = NotifySettings.from_env(
        {},
        env="production",
        mongo_url=web_settings.mongo_url,
        mongo_db=web_settings.mongo_db,
        amqp_url="amqp://notify:secret@rabbitmq.internal:5672/motcua",
        redis_url="redis://:secret@redis.internal:6379/0",
        jwks_url=web_settings.jwks_url,
        seal_key="a-real-secret",
        pii_keys=f"k1:{generate_key()}",
        pii_active_key="k1",
        lookup_keys=f"h1:{generate_key()}",
        lookup_active_key="h1",
        metrics_token="a-real-metrics-token",
        sms_provider="http",
        sms_url="https://sms.example.vn/send",
    )
    response = create_app(production).test_client().get("/dev/messages?to=+84900000001")
    assert response.status_code == 404
    assert set(response.json) >= {"code", "status", "message"}


def test_an_admin_saves_a_new_template_version(client, jwks_issuer):
    admin = jwks_issuer.headers(role="admin")
    body = {
        "event_type": "dossier.accepted",
        "channel": "sms",
        "text": "Hồ sơ ${dossier_code} hẹn trả ${appointment_date}.",
    }
    saved = client.post("/templates", json=body, headers=admin)
    assert saved.status_code == 201
    assert saved.json["version"] == 2
    listed = client.get("/templates", headers=admin).json["templates"]
    current = next(
        t for t in listed if (t["event_type"], t["channel"]) == ("dossier.accepted", "sms")
    )
    assert current["text"] == body["text"]


def test_a_template_with_a_placeholder_its_event_lacks_is_rejected_when_saved(client, jwks_issuer):
    body = {"event_type": "dossier.accepted", "channel": "sms", "text": "Nộp ${amount} đi."}
    response = client.post("/templates", json=body, headers=jwks_issuer.headers(role="admin"))
    assert response.status_code == 422
    assert "amount" in response.json["errors"]["text"][0]


def test_only_admins_manage_templates(client, jwks_issuer):
    assert client.get("/templates", headers=jwks_issuer.headers(role="citizen")).status_code == 403
