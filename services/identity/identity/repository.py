"""MongoDB access for identity: small named operations; indexes declared here.

Personal data arrives here already sealed (see ``domain.pii``): nothing in this module sees a
clear CCCD, phone number or email.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.database import Database

from identity.domain.otp import OtpChallenge, OtpStatus
from identity.domain.pii import PiiCipher
from identity.domain.tokens import RefreshToken, TokenFamily
from identity.sealed_outbox import sealed_document, sealed_update

USERS = "users"
CHALLENGES = "otp_challenges"
HITS = "rate_hits"  # sliding-window limits (domain.throttling): one document per counted hit
FAMILIES = "token_families"
REFRESH_TOKENS = "refresh_tokens"
AUDIT = "audit"

OUTBOX_COLLECTIONS = (USERS, CHALLENGES)

INDEXES: dict[str, list[IndexModel]] = {
    USERS: [
        IndexModel([("cccd_hash", ASCENDING)], unique=True, sparse=True, name="cccd_hash"),
        IndexModel([("phone_hash", ASCENDING)], unique=True, sparse=True, name="phone_hash"),
        IndexModel([("email_hash", ASCENDING)], unique=True, sparse=True, name="email_hash"),
        IndexModel([("role", ASCENDING)], name="role"),
    ],
    CHALLENGES: [IndexModel([("expires_at", ASCENDING)], name="expires_at")],
    HITS: [
        IndexModel([("bucket", ASCENDING), ("at", DESCENDING)], name="bucket_at"),
        # a safety net only: the worker's purge removes hits once past the longest window
        IndexModel([("at", ASCENDING)], expireAfterSeconds=86400, name="ttl"),
    ],
    FAMILIES: [
        IndexModel([("user_id", ASCENDING)], name="user"),
        IndexModel([("revoked_at", ASCENDING)], name="revoked_at"),
    ],
    REFRESH_TOKENS: [IndexModel([("family_id", ASCENDING)], name="family")],
    AUDIT: [
        IndexModel([("user_id", ASCENDING), ("at", DESCENDING)], name="user_at"),
        IndexModel([("at", DESCENDING)], name="at"),
    ],
}


# nx-27017 0.8.1 turns a datetime written by an update (not an insert) into a string, so
# every time on a document that is later updated is stored as an ISO-8601 UTC string
# (fixed width, so string order is time order) and parsed back here.
_ISO = "%Y-%m-%dT%H:%M:%S.%fZ"


def to_iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(UTC).strftime(_ISO)


def from_iso(text: str | datetime | None) -> datetime | None:
    if text is None or isinstance(text, datetime):
        return text
    return datetime.strptime(text, _ISO).replace(tzinfo=UTC)


def _dump(values: dict[str, Any]) -> dict[str, Any]:
    return {k: to_iso(v) if isinstance(v, datetime) else v for k, v in values.items()}


def _load(cls: type, doc: dict[str, Any], id_field: str) -> Any:
    names = {f.name: f for f in fields(cls)}
    values = {k: v for k, v in doc.items() if k in names}
    values[id_field] = doc["_id"]
    for name, field in names.items():
        if "datetime" in str(field.type) and name in values:
            values[name] = from_iso(values[name])
    return cls(**values)


def _challenge_doc(challenge: OtpChallenge) -> dict[str, Any]:
    doc = _dump(asdict(challenge))
    doc["_id"] = doc.pop("id")
    doc["status"] = challenge.status.value
    return doc


def _challenge(doc: dict[str, Any]) -> OtpChallenge:
    challenge = _load(OtpChallenge, doc, "id")
    challenge.status = OtpStatus(doc["status"])
    return challenge


class Repository:
    def __init__(self, db: Database, cipher: PiiCipher) -> None:
        self.db = db
        self.cipher = cipher  # seals outbox event bodies

    def ensure_indexes(self) -> None:
        for name, models in INDEXES.items():
            self.db[name].create_indexes(models)

    # -- users --------------------------------------------------------------------------

    def find_user_by_hashes(self, hashes: dict[str, list[str]]) -> dict | None:
        """A live user whose ``<field>_hash`` is among the candidates of any field."""
        clauses = [{f"{name}_hash": {"$in": values}} for name, values in hashes.items()]
        if not clauses:
            return None
        # $and spelled out: nx-27017 mishandles a field beside a top-level $or in some commands.
        return self.db[USERS].find_one({"$and": [{"status": "active"}, {"$or": clauses}]})

    def get_user(self, user_id: str) -> dict | None:
        return self.db[USERS].find_one({"_id": user_id})

    def insert_user(self, document: dict, events: list[dict]) -> None:
        """Raises ``DuplicateKeyError`` when an identifier is already registered."""
        self.db[USERS].insert_one(sealed_document(self.cipher, document, events))

    def update_user(self, user_id: str, version: int, update: dict, events: list[dict]) -> bool:
        """Apply ``update`` if nobody changed the user since ``version`` was read."""
        update = {op: dict(value) for op, value in update.items()}
        update.setdefault("$inc", {})["version"] = 1
        result = self.db[USERS].update_one(
            {"_id": user_id, "version": version}, sealed_update(self.cipher, update, events)
        )
        return result.modified_count == 1

    def count_users(self, role: str) -> int:
        return self.db[USERS].count_documents({"role": role, "status": "active"})

    def active_user_ids(self, role: str) -> list[str]:
        return [d["_id"] for d in self.db[USERS].find({"role": role, "status": "active"},
                                                      {"_id": 1})]

    # -- OTP challenges -----------------------------------------------------------------

    def insert_challenge(self, challenge: OtpChallenge, events: list[dict]) -> None:
        self.db[CHALLENGES].insert_one(
            sealed_document(self.cipher, _challenge_doc(challenge), events)
        )

    def get_challenge(self, challenge_id: str) -> OtpChallenge | None:
        doc = self.db[CHALLENGES].find_one({"_id": challenge_id})
        return _challenge(doc) if doc else None

    def save_challenge(self, challenge: OtpChallenge, events: list[dict] = ()) -> bool:
        """Optimistic write: only if the stored version is the one that was loaded."""
        doc = _challenge_doc(challenge)
        expected = doc.pop("version")
        doc.pop("_id")
        update = {"$set": {**doc, "version": expected + 1}}
        result = self.db[CHALLENGES].update_one(
            {"_id": challenge.id, "version": expected},
            sealed_update(self.cipher, update, list(events)),
        )
        if result.modified_count == 1:
            challenge.version = expected + 1
            return True
        return False

    def purge(self, now: datetime, keep: timedelta) -> int:
        """Drop what outlived its use by ``keep``: expired challenges (they may hold a sealed
        pending registration), limit hits past every window. Returns how many documents went."""
        cutoff = to_iso(now - keep)
        gone = (
            self.db[CHALLENGES]
            .delete_many(
                {"$and": [{"expires_at": {"$lt": cutoff}}, {"outbox_pending": {"$lt": 1}}]}
            )
            .deleted_count
        )
        gone += self.db[HITS].delete_many({"at": {"$lt": now - keep}}).deleted_count
        return gone

    # -- sliding-window limits (domain.throttling) ----------------------------------------

    def record_hit(self, bucket: str, now: datetime) -> str:
        """Record an attempt first, then count it: two racing requests can never both slip
        past a limit. Returns the hit's id (to forget it when the attempt is not counted)."""
        hit_id = uuid.uuid4().hex
        self.db[HITS].insert_one({"_id": hit_id, "bucket": bucket, "at": now})
        return hit_id

    def count_hits(self, bucket: str, since: datetime) -> int:
        return self.db[HITS].count_documents({"bucket": bucket, "at": {"$gt": since}})

    def nth_oldest_hit(self, bucket: str, since: datetime, n: int) -> datetime | None:
        """The time of the ``n``-th oldest hit (1 = the oldest) still in the window."""
        cursor = (
            self.db[HITS]
            .find({"bucket": bucket, "at": {"$gt": since}})
            .sort("at", ASCENDING)
            .skip(n - 1)
            .limit(1)
        )
        found = next(iter(cursor), None)
        return from_iso(found["at"]).replace(tzinfo=UTC) if found else None

    def forget_hit(self, hit_id: str) -> None:
        self.db[HITS].delete_one({"_id": hit_id})

    def clear_hits(self, prefix: str) -> None:
        """Forget every hit of the buckets whose key starts with ``prefix``."""
        self.db[HITS].delete_many({"bucket": {"$regex": "^" + re.escape(prefix)}})

    def remember_client(self, user_id: str, client: str, now: datetime, keep: int = 20) -> None:
        """Note that ``client`` (a keyed digest) completed a sign-in; the newest ``keep`` stay.
        Not a versioned write: it changes nothing another writer could have read."""
        user = self.db[USERS].find_one({"_id": user_id}, {"known_clients": 1}) or {}
        known = {**(user.get("known_clients") or {}), client: to_iso(now)}
        stale = sorted(known, key=known.__getitem__, reverse=True)[keep:]
        update: dict[str, dict] = {"$set": {f"known_clients.{client}": to_iso(now)}}
        if stale:
            update["$unset"] = {f"known_clients.{name}": "" for name in stale}
        self.db[USERS].update_one({"_id": user_id}, update)

    # -- refresh tokens -----------------------------------------------------------------

    def insert_family(self, family: TokenFamily) -> None:
        doc = _dump(asdict(family))
        doc["_id"] = doc.pop("id")
        self.db[FAMILIES].insert_one(doc)

    def get_family(self, family_id: str) -> TokenFamily | None:
        doc = self.db[FAMILIES].find_one({"_id": family_id})
        return _load(TokenFamily, doc, "id") if doc else None

    def revoke_family(self, family_id: str, now: datetime, reason: str) -> None:
        self.db[FAMILIES].update_one(
            {"_id": family_id, "revoked_at": None},
            {"$set": {"revoked_at": to_iso(now), "revoke_reason": reason}},
        )

    def revoke_user_families(
        self, user_id: str, now: datetime, reason: str, keep: str | None = None
    ) -> list[str]:
        """End every live session of the user but ``keep``; returns the ids it ended."""
        live = self.db[FAMILIES].find({"user_id": user_id, "revoked_at": None}, {"_id": 1})
        ids = [doc["_id"] for doc in live if doc["_id"] != keep]
        if ids:
            self.db[FAMILIES].update_many(
                {"_id": {"$in": ids}, "revoked_at": None},
                {"$set": {"revoked_at": to_iso(now), "revoke_reason": reason}},
            )
        return ids

    def is_session_ended(self, family_id: str) -> bool:
        """Identity's own answer for the deny-list: revoked, or never was a session."""
        doc = self.db[FAMILIES].find_one({"_id": family_id}, {"revoked_at": 1})
        return doc is None or doc.get("revoked_at") is not None

    def families_revoked_since(self, since: datetime) -> list[tuple[str, datetime]]:
        """(id, revoked_at) of sessions ended at or after ``since`` (deny-list re-sync)."""
        cursor = self.db[FAMILIES].find(
            {"revoked_at": {"$gte": to_iso(since)}}, {"_id": 1, "revoked_at": 1}
        )
        return [(doc["_id"], from_iso(doc["revoked_at"])) for doc in cursor]

    def insert_refresh_token(self, token: RefreshToken) -> None:
        doc = _dump(asdict(token))
        doc["_id"] = doc.pop("hash")
        self.db[REFRESH_TOKENS].insert_one(doc)

    def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        doc = self.db[REFRESH_TOKENS].find_one({"_id": token_hash})
        return _load(RefreshToken, doc, "hash") if doc else None

    def spend_refresh_token(self, token_hash: str, now: datetime) -> bool:
        """Mark a token used; False when someone else spent it first (a race is a reuse)."""
        result = self.db[REFRESH_TOKENS].update_one(
            {"_id": token_hash, "used_at": None}, {"$set": {"used_at": to_iso(now)}}
        )
        return result.modified_count == 1

    def list_families(self, user_id: str) -> list[dict]:
        return list(self.db[FAMILIES].find({"user_id": user_id}).sort("created_at", DESCENDING))

    # -- audit --------------------------------------------------------------------------

    def audit(self, action: str, outcome: str, now: datetime, **details: Any) -> None:
        self.db[AUDIT].insert_one(
            {"_id": uuid.uuid4().hex, "at": now, "action": action, "outcome": outcome, **details}
        )

    def audit_for_user(self, user_id: str, limit: int = 500) -> list[dict]:
        cursor = self.db[AUDIT].find({"user_id": user_id}).sort("at", DESCENDING).limit(limit)
        return list(cursor)
