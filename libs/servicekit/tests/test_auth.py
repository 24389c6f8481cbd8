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


# -- the algorithm follows the key (issue 20, finding 12) ------------------------------------

def _reheadered(token: str, **changes) -> str:
    header, payload, signature = token.split(".")
    fields = json.loads(base64.urlsafe_b64decode(header + "=="))
    return ".".join([_b64({**fields, **changes}), payload, signature])


@pytest.mark.parametrize("alg", ["RS256", "ES256", "HS256", "none", "EdDSA "])
def test_a_header_naming_another_algorithm_than_the_keys_is_an_invalid_token(
        verifier, jwks_issuer, alg):
    with pytest.raises(InvalidToken):
        verifier.verify(_reheadered(jwks_issuer.token(), alg=alg))


class OneKey:
    """A key source holding one public key under kid "k"."""

    def __init__(self, public_key) -> None:
        algorithm = jwt.algorithms.get_default_algorithms()[_family(public_key)]
        self.jwk = jwt.PyJWK(json.loads(algorithm.to_jwk(public_key)))

    def get_signing_key(self, kid: str) -> jwt.PyJWK:
        if kid != "k":
            raise jwt.PyJWKClientError("unknown kid")
        return self.jwk


def _family(public_key) -> str:
    from cryptography.hazmat.primitives.asymmetric.ec import EllipticCurvePublicKey

    return "ES256" if isinstance(public_key, EllipticCurvePublicKey) else "RS256"


def _claims() -> dict:
    import time
    import uuid

    now = int(time.time())
    return {"sub": "u1", "role": "citizen", "iss": "motcua-identity", "aud": "motcua",
            "iat": now, "exp": now + 300, "jti": uuid.uuid4().hex, "sid": uuid.uuid4().hex}


@pytest.mark.parametrize("kind", ["ES256", "RS256"])
def test_an_ec_or_rsa_key_verifies_its_own_algorithm_only(kind):
    from cryptography.hazmat.primitives.asymmetric import ec, rsa

    private = (ec.generate_private_key(ec.SECP256R1()) if kind == "ES256"
               else rsa.generate_private_key(public_exponent=65537, key_size=2048))
    verifier = TokenVerifier(issuer="motcua-identity", audience="motcua",
                             key_source=OneKey(private.public_key()))
    good = jwt.encode(_claims(), private, algorithm=kind, headers={"kid": "k"})
    assert verifier.verify(good)["sub"] == "u1"
    for other in {"ES256", "RS256", "EdDSA", "ES384", "PS256"} - {kind}:
        with pytest.raises(InvalidToken):
            verifier.verify(_reheadered(good, alg=other))


def test_algorithm_for_names_one_algorithm_per_key_type():
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

    from servicekit.auth import algorithm_for

    assert algorithm_for(ed25519.Ed25519PrivateKey.generate().public_key()) == "EdDSA"
    assert algorithm_for(ec.generate_private_key(ec.SECP256R1()).public_key()) == "ES256"
    assert algorithm_for(ec.generate_private_key(ec.SECP384R1()).public_key()) is None
    assert algorithm_for(rsa.generate_private_key(65537, 2048).public_key()) == "RS256"
    assert algorithm_for(b"a shared secret") is None


# -- sessions that ended (issue 20, finding 13) -----------------------------------------------

def test_a_token_without_a_session_is_refused(verifier, jwks_issuer):
    with pytest.raises(InvalidToken):
        verifier.verify(jwks_issuer.token(sid=None))
    with pytest.raises(InvalidToken):
        verifier.verify(jwks_issuer.token(sid=""))


def test_an_ended_session_is_refused_even_when_its_token_was_remembered(jwks_issuer):
    from servicekit.revocation import MemoryRevocations

    deny = MemoryRevocations()
    verifier = TokenVerifier(jwks_issuer.url, issuer=jwks_issuer.issuer,
                             audience=jwks_issuer.audience, revocations=deny)
    token = jwks_issuer.token(sid="session-1")
    other = jwks_issuer.token(sid="session-2")
    assert verifier.verify(token)["sid"] == "session-1"  # verified and remembered
    deny.revoke(["session-1"], 900)
    with pytest.raises(InvalidToken):
        verifier.verify(token)
    with pytest.raises(InvalidToken):  # another token of the same session too
        verifier.verify(jwks_issuer.token(sid="session-1"))
    assert verifier.verify(other)["sid"] == "session-2"  # other sessions go on
    assert verifier.session_ended("session-1") and not verifier.session_ended("session-2")
