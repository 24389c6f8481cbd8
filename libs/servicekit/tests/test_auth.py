"""Token verification against a real JWKS endpoint."""
import base64
import json

import jwt
import pytest

from servicekit.auth import InvalidToken, TokenVerifier


@pytest.fixture
def verifier(jwks_issuer):
    return TokenVerifier(jwks_issuer.url, issuer=jwks_issuer.issuer,
                         audience=jwks_issuer.audience, refresh_cooldown=0)


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_valid_token_gives_its_claims(verifier, jwks_issuer):
    claims = verifier.verify(jwks_issuer.token(sub="u1", role="officer", agency="A1"))
    assert (claims["sub"], claims["role"], claims["agency"]) == ("u1", "officer", "A1")


def test_changed_payload_is_rejected(verifier, jwks_issuer):
    header, payload, signature = jwks_issuer.token(role="citizen").split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    forged = ".".join([header, _b64({**claims, "role": "admin"}), signature])
    with pytest.raises(InvalidToken):
        verifier.verify(forged)


def test_alg_none_is_rejected(verifier, jwks_issuer):
    unsigned = jwt.encode({"sub": "x", "role": "admin"}, None, algorithm="none",
                          headers={"kid": jwks_issuer.current_kid})
    with pytest.raises(InvalidToken):
        verifier.verify(unsigned)


def test_expired_and_wrong_audience_are_rejected(verifier, jwks_issuer):
    with pytest.raises(InvalidToken):
        verifier.verify(jwks_issuer.token(ttl=-10))
    with pytest.raises(InvalidToken):
        verifier.verify(jwks_issuer.token(aud="someone-else"))


def test_unknown_kid_refreshes_the_key_set_once(verifier, jwks_issuer):
    verifier.verify(jwks_issuer.token())  # caches the key set
    new_kid = jwks_issuer.rotate()  # identity rotates: the new key is published
    claims = verifier.verify(jwks_issuer.token(kid=new_kid))
    assert claims["sub"] == "user-1"
    unknown = jwt.encode({"sub": "x", "role": "admin"}, jwks_issuer.keys[new_kid],
                         algorithm="EdDSA", headers={"kid": "not-published"})
    with pytest.raises(InvalidToken):
        verifier.verify(unknown)


def test_a_verified_token_is_remembered_until_it_expires_never_longer(
        verifier, jwks_issuer, monkeypatch):
    import time

    from servicekit import auth

    token = jwks_issuer.token(ttl=2)
    checks = []
    real = verifier._verify
    monkeypatch.setattr(verifier, "_verify", lambda t: checks.append(t) or real(t))
    first = verifier.verify(token)
    first["role"] = "admin"  # a caller changing its copy changes nothing remembered
    assert verifier.verify(token)["role"] == "citizen"
    assert len(checks) == 1  # the second request did not parse and check the token again
    time.sleep(2.1)
    with pytest.raises(InvalidToken):  # its exp passed: checked again, and refused
        verifier.verify(token)
    assert len(checks) == 2
    # and never longer than VERIFIED_TTL_SECONDS, whatever the token's own lifetime
    monkeypatch.setattr(auth, "VERIFIED_TTL_SECONDS", 0.0)
    long_lived = jwks_issuer.token(ttl=3600)
    verifier.verify(long_lived)
    verifier.verify(long_lived)
    assert len(checks) == 4


def test_a_forged_copy_of_a_remembered_token_is_still_refused(verifier, jwks_issuer):
    token = jwks_issuer.token(role="citizen")
    verifier.verify(token)
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    with pytest.raises(InvalidToken):
        verifier.verify(".".join([header, _b64({**claims, "role": "admin"}), signature]))
