"""Identity's events carry personal data (and OTP codes), so they are sealed at rest.

servicekit's outbox keeps each pending event's JSON body on the aggregate's document; for
identity that body holds a phone number, an email or a clear OTP code. Identity therefore
writes it encrypted (``seal``, the same AES-GCM key ring as other personal data) and runs
servicekit's relay with ``unseal`` and ``erase_sent=True``: the body is opened in memory just
before publishing and deleted once the broker confirmed it. A database dump shows no
identifier and no code.
"""

from __future__ import annotations

from functools import partial

from pymongo.database import Database

from identity.domain.pii import PiiCipher
from servicekit.bus import EventBus
from servicekit.outbox import OutboxRelay, new_document_with_outbox, with_outbox

FIELD = "outbox"  # associated data bound into each sealed body


def sealed_update(cipher: PiiCipher, update: dict, events: list[dict]) -> dict:
    """``servicekit.outbox.with_outbox`` with the event bodies encrypted."""
    return with_outbox(update, events, seal=partial(cipher.encrypt, FIELD))


def sealed_document(cipher: PiiCipher, document: dict, events: list[dict]) -> dict:
    """``servicekit.outbox.new_document_with_outbox`` with the event bodies encrypted."""
    return new_document_with_outbox(document, events, seal=partial(cipher.encrypt, FIELD))


def sealed_relay(db: Database, collections, bus: EventBus, cipher: PiiCipher) -> OutboxRelay:
    """servicekit's relay, opening sealed bodies to publish them and erasing them after."""
    return OutboxRelay(db, collections, bus, unseal=partial(cipher.decrypt, FIELD), erase_sent=True)
