from datetime import UTC, datetime, timedelta

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.config import IdentitySettings
from identity.domain.pii import generate_key
from identity.keys import (
    AccessTokenIssuer,
    LocalTokenVerifier,
    SigningKeys,
    private_pem,
    public_jwk,
)
from servicekit.auth import InvalidToken
from servicekit.config import ConfigError

NOW = datetime.now(UTC)


def production_env(**changes) -> dict:
    env = {
        "MOTCUA_ENV": "production",
        "MONGO_URL": "mongodb://db.internal:27017",
        "AMQP_URL": "amqp://u:p@mq.internal//",
        "METRICS_TOKEN": "metrics-s3cret",
        "REDIS_URL": "redis://:p@redis.internal:6379/0",
        "IDENTITY_PII_KEYS": f"k1:{generate_key()}",
        "IDENTITY_PII_ACTIVE_KEY": "k1",
        "IDENTITY_LOOKUP_KEYS": f"h1:{generate_key()}",
        "IDENTITY_LOOKUP_ACTIVE_KEY": "h1",
        "IDENTITY_OTP_HASH_KEY": generate_key(),
        "IDENTITY_JWT_PRIVATE_KEY": private_pem(Ed25519PrivateKey.generate()),
    }
    env.update(changes)
    return {k: v for k, v in env.items() if v is not None}


def test_production_with_every_secret_set_starts():
    settings = IdentitySettings.from_env(production_env())
    assert settings.signing_keys().active_kid


def test_production_refuses_a_missing_signing_key():
    with pytest.raises(ConfigError, match="IDENTITY_JWT_PRIVATE_KEY"):
        IdentitySettings.from_env(production_env(IDENTITY_JWT_PRIVATE_KEY=None))


@pytest.mark.parametrize(
    "name", ["IDENTITY_PII_KEYS", "IDENTITY_LOOKUP_KEYS", "IDENTITY_OTP_HASH_KEY"]
)
def test_production_refuses_development_data_keys(name):
    with pytest.raises(ConfigError, match=name):
        IdentitySettings.from_env(production_env(**{name: None}))


def test_access_tokens_cannot_live_longer_than_15_minutes():
    with pytest.raises(ConfigError):
        IdentitySettings.from_env({"IDENTITY_ACCESS_TOKEN_TTL_SECONDS": "901"})


def test_development_key_is_generated_once_under_var(tmp_path):
    settings = IdentitySettings.from_env({}, jwt_dev_key_file=str(tmp_path / "k.pem"))
    first = settings.signing_keys().active_kid
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0
    assert settings.signing_keys().active_kid == first


def keys() -> SigningKeys:
    return SigningKeys(Ed25519PrivateKey.generate())


def issuer(signing: SigningKeys, ttl=timedelta(minutes=15)) -> AccessTokenIssuer:
    return AccessTokenIssuer(signing, issuer="motcua-identity", audience="motcua", ttl=ttl)


def test_issued_token_has_the_contract_claims_and_verifies():
    signing = keys()
    user = {"_id": "u1", "role": "officer", "agency": "000.00.31.H29", "province": "79"}
    token = issuer(signing).issue(user, NOW, "session-1")
    assert jwt.get_unverified_header(token)["kid"] == signing.active_kid
    verifier = LocalTokenVerifier(signing, issuer="motcua-identity", audience="motcua")
    claims = verifier.verify(token)
    assert {k: claims[k] for k in ("sub", "role", "agency", "province")} == {
        "sub": "u1",
        "role": "officer",
        "agency": "000.00.31.H29",
        "province": "79",
    }
    assert claims["exp"] - claims["iat"] == 900 and claims["jti"]
    assert claims["sid"] == "session-1"  # the session verifiers look up in the deny-list


def test_token_from_another_key_is_refused():
    token = issuer(keys()).issue({"_id": "u1", "role": "citizen"}, NOW, "session-1")
    with pytest.raises(InvalidToken):
        LocalTokenVerifier(keys(), issuer="motcua-identity", audience="motcua").verify(token)


def test_issuer_refuses_long_lived_tokens():
    with pytest.raises(ConfigError):
        issuer(keys(), ttl=timedelta(minutes=16))


def test_jwks_lists_active_then_previous_keys_public_parts_only():
    old = Ed25519PrivateKey.generate()
    signing = SigningKeys(Ed25519PrivateKey.generate(), (old.public_key(),))
    jwks = signing.jwks()["keys"]
    assert [k["kid"] for k in jwks] == [signing.active_kid, public_jwk(old.public_key())["kid"]]
    assert all(k["alg"] == "EdDSA" and k["use"] == "sig" and "d" not in k for k in jwks)
    assert signing.public_key(jwks[1]["kid"]) is not None
    assert signing.public_key("nope") is None
