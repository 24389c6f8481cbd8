"""Access-token signing keys (Ed25519), the published JWKS and local verification.

The active private key signs; earlier keys stay published (public part only) during a
rotation so tokens they signed keep verifying until they expire. A key id is the RFC 7638
thumbprint of the public key, so it needs no configuration and never collides.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from servicekit.auth import TokenVerifier
from servicekit.config import ConfigError

ALGORITHM = "EdDSA"
MAX_ACCESS_TTL = timedelta(minutes=15)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_key: Ed25519PublicKey) -> dict[str, str]:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"crv": "Ed25519", "kty": "OKP", "x": _b64(raw)}
    thumbprint = hashlib.sha256(json.dumps(jwk, separators=(",", ":"), sort_keys=True).encode())
    return {**jwk, "kid": _b64(thumbprint.digest())[:16], "use": "sig", "alg": ALGORITHM}


def load_private_key(pem: str) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError("the JWT signing key must be an Ed25519 private key (PEM, PKCS#8)")
    return key


def load_public_key(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ConfigError("previous JWT keys must be Ed25519 public keys (PEM)")
    return key


def private_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_pem(key: Ed25519PublicKey) -> str:
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def split_pems(text: str) -> list[str]:
    """Several PEM blocks in one variable (newlines may be written as ``\\n``)."""
    text = text.replace("\\n", "\n")
    marker = "-----END PUBLIC KEY-----"
    return [block.strip() + "\n" + marker for block in text.split(marker) if block.strip()]


def development_key(path: Path) -> str:
    """Read, or create once, a signing key under ``var/`` for development and tests.

    Several gunicorn workers may start together: the key is written to a private temporary
    file and linked into place atomically, so they all end up with the same key.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(private_pem(Ed25519PrivateKey.generate()))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process won the race: use its key
        finally:
            temporary.unlink()
    return path.read_text()


@dataclass
class SigningKeys:
    active: Ed25519PrivateKey
    previous: tuple[Ed25519PublicKey, ...] = ()

    @property
    def active_kid(self) -> str:
        return public_jwk(self.active.public_key())["kid"]

    def jwks(self) -> dict[str, Any]:
        keys = [self.active.public_key(), *self.previous]
        return {"keys": [public_jwk(key) for key in keys]}

    def public_key(self, kid: str) -> Ed25519PublicKey | None:
        for key in (self.active.public_key(), *self.previous):
            if public_jwk(key)["kid"] == kid:
                return key
        return None


@dataclass(frozen=True)
class AccessTokenIssuer:
    keys: SigningKeys
    issuer: str
    audience: str
    ttl: timedelta

    def __post_init__(self) -> None:
        if self.ttl > MAX_ACCESS_TTL:
            raise ConfigError("access tokens must not live longer than 15 minutes")

    def issue(self, user: dict[str, Any], now: datetime, session_id: str) -> str:
        """An access token for ``user`` in session ``session_id`` (its refresh-token family:
        the ``sid`` claim verifiers look up in the deny-list of ended sessions)."""
        claims: dict[str, Any] = {
            "sub": user["_id"],
            "role": user["role"],
            "iss": self.issuer,
            "aud": self.audience,
            "iat": now,
            "nbf": now,
            "exp": now + self.ttl,
            "jti": uuid.uuid4().hex,
            "sid": session_id,
        }
        if user.get("agency"):
            claims["agency"] = user["agency"]
        if user.get("province"):
            claims["province"] = user["province"]
        headers = {"kid": self.keys.active_kid, "typ": "JWT"}
        return jwt.encode(claims, self.keys.active, algorithm=ALGORITHM, headers=headers)


class _LocalKeySet:
    """What :class:`servicekit.auth.TokenVerifier` asks a JWKS client for, served locally."""

    def __init__(self, keys: SigningKeys) -> None:
        self._keys = keys

    def get_signing_key(self, kid: str) -> jwt.PyJWK:
        key = self._keys.public_key(kid)
        if key is None:
            raise jwt.PyJWKClientError(f"unknown kid {kid!r}")
        return jwt.PyJWK(public_jwk(key))


class LocalTokenVerifier(TokenVerifier):
    """servicekit's verifier, reading identity's own keys instead of fetching its JWKS, and
    (``revocations``) identity's own record of ended sessions instead of the shared deny-list."""

    def __init__(
        self, keys: SigningKeys, *, issuer: str, audience: str, revocations: Any = None
    ) -> None:
        super().__init__(
            issuer=issuer,
            audience=audience,
            key_source=_LocalKeySet(keys),
            revocations=revocations,
        )
