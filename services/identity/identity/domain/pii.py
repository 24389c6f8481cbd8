"""Identity's personal data: which fields are sealed and which get a lookup hash.

The sealing itself (AES-GCM with key ids, HMAC keyed hashes, key rings and rotation) is
shared by every service: :mod:`servicekit.sealing`. The names are re-exported here for
identity's modules.
"""

from __future__ import annotations

from servicekit.sealing import (  # noqa: F401 - re-exported for identity's modules
    BlindIndex,
    PiiCipher,
    PiiKeyError,
    generate_key,
    parse_keyring,
)

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
