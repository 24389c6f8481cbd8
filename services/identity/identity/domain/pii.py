"""Personal data at rest: AES-GCM encryption with key ids, HMAC blind indexes for lookup.

A stored ciphertext is ``"<key id>:<base64url(nonce || ciphertext+tag)>"`` so keys can rotate:
new writes use the active key, old values stay readable while their key is configured, and
:meth:`PiiCipher.needs_reencrypt` tells a migration which ones to rewrite.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class PiiKeyError(ValueError):
    """Missing, malformed or unknown key."""


def _b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def parse_keyring(spec: str) -> dict[str, bytes]:
    """Parse ``"kid1:base64key,kid2:base64key"`` (32-byte keys) into a key ring."""
    ring: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        kid, sep, encoded = item.partition(":")
        if not sep or not kid:
            raise PiiKeyError("PII key entries look like '<kid>:<base64 key>'")
        key = _b64d(encoded)
        if len(key) != 32:
            raise PiiKeyError(f"PII key {kid!r} must be 32 bytes")
        ring[kid] = key
    return ring


def generate_key() -> str:
    """A fresh 32-byte key, base64url, for ``parse_keyring`` specs."""
    return _b64e(os.urandom(32))


class PiiCipher:
    """Encrypt/decrypt one field value; the field name is bound in as associated data."""

    def __init__(self, keys: dict[str, bytes], active_kid: str) -> None:
        if active_kid not in keys:
            raise PiiKeyError(f"active PII key {active_kid!r} is not in the key ring")
        self._keys = {kid: AESGCM(key) for kid, key in keys.items()}
        self.active_kid = active_kid

    def encrypt(self, field: str, value: str) -> str:
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._keys[self.active_kid].encrypt(nonce, value.encode(), field.encode())
        return f"{self.active_kid}:{_b64e(nonce + sealed)}"

    def decrypt(self, field: str, stored: str) -> str:
        kid, _, body = stored.partition(":")
        aead = self._keys.get(kid)
        if aead is None:
            raise PiiKeyError(f"unknown PII key id {kid!r}")
        raw = _b64d(body)
        try:
            return aead.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], field.encode()).decode()
        except InvalidTag as exc:
            raise PiiKeyError("PII ciphertext failed authentication") from exc

    def needs_reencrypt(self, stored: str) -> bool:
        return stored.partition(":")[0] != self.active_kid


class BlindIndex:
    """HMAC-SHA256 of a normalised value, for exact-match lookup without storing it.

    Hashes are ``"<kid>:<hex>"``; :meth:`candidates` gives the hash under every configured key
    so lookups keep working while a key rotation rewrites stored hashes.
    """

    def __init__(self, keys: dict[str, bytes], active_kid: str) -> None:
        if active_kid not in keys:
            raise PiiKeyError(f"active HMAC key {active_kid!r} is not in the key ring")
        self._keys = keys
        self.active_kid = active_kid

    def _digest(self, kid: str, field: str, value: str) -> str:
        mac = hmac.new(self._keys[kid], f"{field}\x00{value}".encode(), hashlib.sha256)
        return f"{kid}:{mac.hexdigest()}"

    def hash(self, field: str, value: str) -> str:
        return self._digest(self.active_kid, field, value)

    def candidates(self, field: str, value: str) -> list[str]:
        return [self._digest(kid, field, value) for kid in self._keys]


# Fields of a person kept only encrypted; the first three also get a blind index so a user
# can sign in with any of them and duplicates are refused.
ENCRYPTED_FIELDS = ("cccd", "phone", "email", "date_of_birth", "full_name")
LOOKUP_FIELDS = ("cccd", "phone", "email")


class PersonalDataVault:
    """Turns clear personal data into what is stored, and back."""

    def __init__(self, cipher: PiiCipher, index: BlindIndex) -> None:
        self.cipher = cipher
        self.index = index

    def seal(self, clear: dict[str, str | None]) -> tuple[dict[str, str], dict[str, str]]:
        """``(encrypted fields, lookup hashes)`` for the non-empty values of ``clear``."""
        sealed = {
            name: self.cipher.encrypt(name, value)
            for name, value in clear.items()
            if name in ENCRYPTED_FIELDS and value
        }
        hashes = {
            f"{name}_hash": self.index.hash(name, value)
            for name, value in clear.items()
            if name in LOOKUP_FIELDS and value
        }
        return sealed, hashes

    def open(self, sealed: dict[str, str]) -> dict[str, str]:
        return {name: self.cipher.decrypt(name, value) for name, value in sealed.items()}

    def lookup(self, field: str, value: str) -> list[str]:
        return self.index.candidates(field, value)
