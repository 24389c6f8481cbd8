"""Personal data at rest: AES-GCM encryption with key ids, HMAC keyed hashes for lookups.

Every service that keeps a citizen's identifiers (CCCD, phone, email, date of birth, names)
stores them only *sealed*, and finds them only by a keyed hash:

- :class:`PiiCipher` encrypts one value; the stored text is
  ``"<key id>:<base64url(nonce || ciphertext+tag)>"`` and the *field* (a name such as
  ``"cccd"`` or ``"dossier.applicant"``) is bound in as associated data, so a value copied
  into another field does not open.
- :class:`BlindIndex` gives ``"<key id>:<hex HMAC-SHA256>"`` of a normalised value for
  exact-match lookups and unique indexes; a plain hash of 12 digits could be reversed.
- :class:`Sealer` is what a repository holds: both of them, plus JSON values.

Keys rotate: a key ring ``"kid1:<base64 32 bytes>,kid2:..."`` plus the id of the *active*
key. New writes use the active key; values sealed under another key of the ring stay readable
(:meth:`PiiCipher.needs_reencrypt` tells a re-seal command which ones to rewrite); lookups
try the hash under every key (:meth:`BlindIndex.candidates`) until the re-seal has rewritten
the stored hashes. Each service has its own rings (``<SERVICE>_PII_KEYS``,
``<SERVICE>_LOOKUP_KEYS``): a stolen key opens one service's data, not the platform's.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12
EVENT_FIELD = "outbox"  # associated data of sealed outbox event bodies


class PiiKeyError(ValueError):
    """Missing, malformed or unknown key, or a sealed value that fails authentication."""


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

    def needs_rehash(self, stored: str) -> bool:
        return stored.partition(":")[0] != self.active_kid


class Sealer:
    """What a repository needs to keep personal data sealed: strings, JSON values, hashes.

    ``None`` and empty values stay ``None`` (nothing to hide, and "absent" stays visible to
    queries that need it). :meth:`open` accepts ``None``.
    """

    def __init__(self, cipher: PiiCipher, index: BlindIndex) -> None:
        self.cipher = cipher
        self.index = index

    @classmethod
    def from_specs(cls, keys: str, active_key: str, lookup_keys: str,
                   lookup_active_key: str) -> Sealer:
        """From settings: the two key rings (``parse_keyring`` syntax) and their active ids."""
        return cls(PiiCipher(parse_keyring(keys), active_key),
                   BlindIndex(parse_keyring(lookup_keys), lookup_active_key))

    # -- single values -------------------------------------------------------------------
    def seal(self, field: str, value: str | None) -> str | None:
        return self.cipher.encrypt(field, value) if value else None

    def open(self, field: str, stored: str | None) -> str | None:
        return self.cipher.decrypt(field, stored) if stored else None

    # -- structured values ---------------------------------------------------------------
    def seal_json(self, field: str, value: Any) -> str | None:
        """A JSON value (dict, list, ...) as one sealed string; empty ones as ``None``."""
        if value in (None, {}, [], ""):
            return None
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        return self.cipher.encrypt(field, text)

    def open_json(self, field: str, stored: str | None, default: Any = None) -> Any:
        if not stored:
            return default
        return json.loads(self.cipher.decrypt(field, stored))

    # -- outbox event bodies (servicekit.outbox's ``seal=`` / ``unseal=`` hooks) -----------
    def seal_event(self, body: str) -> str:
        """An event body as stored in the outbox until the relay publishes (and erases) it."""
        return self.cipher.encrypt(EVENT_FIELD, body)

    def open_event(self, stored: str) -> str:
        """The clear body; one written before the service sealed its outbox (clear JSON,
        never of the ``<kid>:<base64>`` form) passes through, so an upgrade loses nothing."""
        if stored.lstrip().startswith("{"):
            return stored
        return self.cipher.decrypt(EVENT_FIELD, stored)

    # -- lookups -------------------------------------------------------------------------
    def hash(self, field: str, value: str | None) -> str | None:
        """The keyed hash to store beside a sealed value (``None`` for an empty one)."""
        return self.index.hash(field, value) if value else None

    def candidates(self, field: str, value: str) -> list[str]:
        """Every hash ``value`` may be stored under during a key rotation (for ``$in``)."""
        return self.index.candidates(field, value)

    # -- rotation ------------------------------------------------------------------------
    def is_current(self, sealed: str | None = None, hashed: str | None = None) -> bool:
        """Whether a stored value and hash already use the active keys (re-seal skips it)."""
        if sealed and self.cipher.needs_reencrypt(sealed):
            return False
        return not (hashed and self.index.needs_rehash(hashed))
