"""Access tokens that must be refused, and refresh-token families."""

import base64
import json
import uuid
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


@pytest.fixture
def session(flows):
    flows.register()
    return flows.login()


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def get_me(client, token: str):
    return client.get("/me", headers={"Authorization": f"Bearer {token}"})


def test_valid_token_accepted(client, session):
    assert get_me(client, session["access_token"]).status_code == 200


def test_alg_none_rejected(client, session):
    header = jwt.get_unverified_header(session["access_token"])
    forged = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': header['kid']})}."
    forged += f"{b64({**claims_of(session['access_token']), 'role': 'admin'})}."
    response = get_me(client, forged)
    assert response.status_code == 401
    assert response.json["code"] == 401


def test_changed_payload_rejected(client, session):
    head, _, signature = session["access_token"].split(".")
    changed = {**claims_of(session["access_token"]), "role": "admin"}
    assert get_me(client, f"{head}.{b64(changed)}.{signature}").status_code == 401


def test_unknown_kid_rejected(client, session):
    other = Ed25519PrivateKey.generate()
    token = jwt.encode(
        claims_of(session["access_token"]),
        other,
        algorithm="EdDSA",
        headers={"kid": "not-a-known-kid"},
    )
    assert get_me(client, token).status_code == 401


def test_known_kid_but_other_key_rejected(client, session):
    kid = jwt.get_unverified_header(session["access_token"])["kid"]
    other = Ed25519PrivateKey.generate()
    token = jwt.encode(
        claims_of(session["access_token"]), other, algorithm="EdDSA", headers={"kid": kid}
    )
    assert get_me(client, token).status_code == 401


def test_expired_token_rejected(client, session, settings):
    keys = settings.signing_keys()
    past = datetime.now(UTC) - timedelta(minutes=30)
    claims = {
        **claims_of(session["access_token"]),
        "iat": past,
        "nbf": past,
        "exp": past + timedelta(minutes=15),
        "jti": uuid.uuid4().hex,
    }
    token = jwt.encode(claims, keys.active, algorithm="EdDSA", headers={"kid": keys.active_kid})
    assert get_me(client, token).status_code == 401
    # the same claims with a future exp, signed by the same key, pass: only exp differs
    claims["exp"] = datetime.now(UTC) + timedelta(minutes=5)
    token = jwt.encode(claims, keys.active, algorithm="EdDSA", headers={"kid": keys.active_kid})
    assert get_me(client, token).status_code == 200


def test_refresh_reuse_revokes_the_whole_family(client, session, mongo_db):
    first = session["refresh_token"]
    second = client.post("/token/refresh", json={"refresh_token": first})
    assert second.status_code == 200
    # the old token comes back (stolen copy): refused, and the family is revoked
    reuse = client.post("/token/refresh", json={"refresh_token": first})
    assert reuse.status_code == 401
    # so even the legitimate newest token no longer works
    newest = client.post("/token/refresh", json={"refresh_token": second.json["refresh_token"]})
    assert newest.status_code == 401
    family = mongo_db.token_families.find_one()
    assert family["revoke_reason"] == "reuse_detected"


def test_other_sessions_survive_a_reuse_in_one_family(client, flows, session):
    other = flows.login()
    client.post("/token/refresh", json={"refresh_token": session["refresh_token"]})
    client.post("/token/refresh", json={"refresh_token": session["refresh_token"]})
    still = client.post("/token/refresh", json={"refresh_token": other["refresh_token"]})
    assert still.status_code == 200


def test_unknown_refresh_token_rejected(client, worker):
    response = client.post("/token/refresh", json={"refresh_token": "made-up"})
    assert response.status_code == 401
    assert "đăng nhập lại" in response.json["message"]


def test_jwks_publishes_previous_keys_during_rotation(mongo_url, mongo_db, amqp_url, tmp_path):
    from identity.app import create_app
    from identity.config import IdentitySettings
    from identity.keys import private_pem, public_jwk, public_pem

    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    settings = IdentitySettings.from_env(
        {
            "IDENTITY_JWT_PRIVATE_KEY": private_pem(new).replace("\n", "\\n"),
            "IDENTITY_JWT_PREVIOUS_PUBLIC_KEYS": public_pem(old.public_key()),
        },
        env="test",
        mongo_url=mongo_url,
        mongo_db=mongo_db.name,
        amqp_url=amqp_url,
    )
    jwks = create_app(settings).test_client().get("/.well-known/jwks.json").json
    kids = [key["kid"] for key in jwks["keys"]]
    assert kids == [public_jwk(new.public_key())["kid"], public_jwk(old.public_key())["kid"]]
    assert all("d" not in key for key in jwks["keys"])  # never a private part


# -- ended sessions end their access tokens too (issue 20, finding 13) -------------------------

def _deny_list(settings):
    from servicekit.revocation import RedisRevocations

    return RedisRevocations.from_settings(settings)


def test_logout_ends_the_access_token_at_once_and_lists_its_session(client, session, settings):
    sid = claims_of(session["access_token"])["sid"]
    assert get_me(client, session["access_token"]).status_code == 200
    assert not _deny_list(settings).is_revoked(sid)
    done = client.post("/logout", json={"refresh_token": session["refresh_token"]})
    assert done.status_code == 204
    refused = get_me(client, session["access_token"])
    assert refused.status_code == 401 and "invalid_token" in refused.headers["WWW-Authenticate"]
    assert _deny_list(settings).is_revoked(sid)  # what the gateway and services consult


def test_logout_with_the_access_token_alone_ends_its_session(client, session):
    done = client.post(
        "/logout",
        json={"refresh_token": "lost-or-made-up"},
        headers={"Authorization": f"Bearer {session['access_token']}"},
    )
    assert done.status_code == 204
    assert get_me(client, session["access_token"]).status_code == 401
    refresh = client.post("/token/refresh", json={"refresh_token": session["refresh_token"]})
    assert refresh.status_code == 401


def test_a_replayed_refresh_token_also_ends_the_access_tokens(client, session, settings):
    second = client.post("/token/refresh", json={"refresh_token": session["refresh_token"]})
    client.post("/token/refresh", json={"refresh_token": session["refresh_token"]})  # replay
    for token in (session["access_token"], second.json["access_token"]):
        assert get_me(client, token).status_code == 401
    assert _deny_list(settings).is_revoked(claims_of(session["access_token"])["sid"])


def test_the_worker_lists_recently_ended_sessions_again(client, flows, session, app, settings):
    import redis as redis_client

    from identity.sessions import deny_window, resync_deny_list

    repo = app.extensions["identity"].repo
    recent, old = session, flows.login()
    now = datetime.now(UTC)
    for tokens, when in ((recent, now - timedelta(minutes=5)), (old, now - timedelta(hours=1))):
        repo.revoke_family(claims_of(tokens["access_token"])["sid"], when, "logout")
    deny = _deny_list(settings)
    recent_sid = claims_of(recent["access_token"])["sid"]
    old_sid = claims_of(old["access_token"])["sid"]
    assert not deny.is_revoked(recent_sid)  # as if Redis had lost it, or was down then
    window = deny_window(timedelta(seconds=settings.access_token_ttl_seconds))
    assert resync_deny_list(repo, deny, window, now) == 1
    assert deny.is_revoked(recent_sid) and not deny.is_revoked(old_sid)
    left = redis_client.Redis.from_url(settings.redis_url).ttl(f"{deny.prefix}:{recent_sid}")
    assert 0 < left <= (window - timedelta(minutes=5)).total_seconds()
