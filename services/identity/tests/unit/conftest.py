"""Handlers on fakes: an in-memory repository with the real one's operations, a fixed clock."""

from __future__ import annotations

import copy
import os
from datetime import UTC, datetime, timedelta

import pytest
from argon2 import PasswordHasher
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from identity.bootstrap import Services
from identity.domain.clock import FixedClock
from identity.domain.otp import OtpHasher
from identity.domain.passwords import PasswordHashing
from identity.domain.pii import BlindIndex, PersonalDataVault, PiiCipher
from identity.keys import AccessTokenIssuer, SigningKeys

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


class DuplicateKey(Exception):
    pass


def _apply(doc: dict, update: dict) -> None:
    """The update operators the handlers use: $set / $unset (dotted paths) and $inc."""
    for path, value in update.get("$set", {}).items():
        *parents, leaf = path.split(".")
        target = doc
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = copy.deepcopy(value)
    for path in update.get("$unset", {}):
        *parents, leaf = path.split(".")
        target = doc
        for key in parents:
            target = target.get(key, {})
        target.pop(leaf, None)
    for path, amount in update.get("$inc", {}).items():
        doc[path] = doc.get(path, 0) + amount


class FakeRepository:
    def __init__(self) -> None:
        self.users: dict[str, dict] = {}
        self.challenges: dict = {}
        self.hits: list[tuple[str, str, datetime]] = []
        self.families: dict = {}
        self.tokens: dict = {}
        self.audits: list[dict] = []
        self.events: list[dict] = []

    # users
    def find_user_by_hashes(self, hashes):
        for user in self.users.values():
            if user.get("status") == "active" and any(
                user.get(f"{name}_hash") in values for name, values in hashes.items()
            ):
                return copy.deepcopy(user)
        return None

    def get_user(self, user_id):
        return copy.deepcopy(self.users.get(user_id))

    def _check_unique(self, doc, ignore=None):
        for other in self.users.values():
            if other["_id"] == ignore:
                continue
            for name in ("cccd_hash", "phone_hash", "email_hash"):
                if doc.get(name) and doc.get(name) == other.get(name):
                    raise DuplicateKey(name)

    def insert_user(self, document, events):
        self._check_unique(document)
        self.users[document["_id"]] = copy.deepcopy(document)
        self.events.extend(events)

    def update_user(self, user_id, version, update, events):
        user = self.users.get(user_id)
        if user is None or user["version"] != version:
            return False
        changed = copy.deepcopy(user)
        _apply(changed, update)
        changed["version"] = version + 1
        self._check_unique(changed, ignore=user_id)
        self.users[user_id] = changed
        self.events.extend(events)
        return True

    def count_users(self, role):
        return sum(u["role"] == role and u["status"] == "active" for u in self.users.values())

    def active_user_ids(self, role):
        return [i for i, u in self.users.items() if u["role"] == role and u["status"] == "active"]

    # challenges
    def insert_challenge(self, challenge, events):
        self.challenges[challenge.id] = copy.deepcopy(challenge)
        self.events.extend(events)

    def get_challenge(self, challenge_id):
        return copy.deepcopy(self.challenges.get(challenge_id))

    def save_challenge(self, challenge, events=()):
        stored = self.challenges.get(challenge.id)
        if stored is None or stored.version != challenge.version:
            return False
        challenge.version += 1
        self.challenges[challenge.id] = copy.deepcopy(challenge)
        self.events.extend(events)
        return True

    # sliding-window limits
    def record_hit(self, bucket, now):
        hit_id = os.urandom(8).hex()
        self.hits.append((hit_id, bucket, now))
        return hit_id

    def count_hits(self, bucket, since):
        return sum(b == bucket and t > since for _, b, t in self.hits)

    def nth_oldest_hit(self, bucket, since, n):
        times = sorted(t for _, b, t in self.hits if b == bucket and t > since)
        return times[n - 1] if len(times) >= n else None

    def forget_hit(self, hit_id):
        self.hits = [h for h in self.hits if h[0] != hit_id]

    def clear_hits(self, prefix):
        self.hits = [h for h in self.hits if not h[1].startswith(prefix)]

    def remember_client(self, user_id, client, now, keep=20):
        known = self.users[user_id].setdefault("known_clients", {})
        known[client] = now.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        for stale in sorted(known, key=known.__getitem__, reverse=True)[keep:]:
            del known[stale]

    # tokens
    def insert_family(self, family):
        self.families[family.id] = copy.deepcopy(family)

    def get_family(self, family_id):
        return copy.deepcopy(self.families.get(family_id))

    def revoke_family(self, family_id, now, reason):
        self.families[family_id].revoke(now, reason)

    def revoke_user_families(self, user_id, now, reason, keep=None):
        ended = []
        for family in self.families.values():
            if family.user_id == user_id and family.revoked_at is None and family.id != keep:
                family.revoke(now, reason)
                ended.append(family.id)
        return ended

    def is_session_ended(self, family_id):
        family = self.families.get(family_id)
        return family is None or family.revoked_at is not None

    def families_revoked_since(self, since):
        return [(f.id, f.revoked_at) for f in self.families.values()
                if f.revoked_at is not None and f.revoked_at >= since]

    def insert_refresh_token(self, token):
        self.tokens[token.hash] = copy.deepcopy(token)

    def get_refresh_token(self, token_hash):
        return copy.deepcopy(self.tokens.get(token_hash))

    def spend_refresh_token(self, token_hash, now):
        token = self.tokens[token_hash]
        if token.used_at is not None:
            return False
        token.used_at = now
        return True

    def list_families(self, user_id):
        return []

    # audit
    def audit(self, action, outcome, now, **details):
        self.audits.append({"action": action, "outcome": outcome, "at": now, **details})

    def audit_for_user(self, user_id, limit=500):
        return [a for a in self.audits if a.get("user_id") == user_id]


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def svc(clock, monkeypatch):
    import identity.handlers
    import identity.profile

    # the handlers catch pymongo's DuplicateKeyError: the fake raises its own stand-in
    monkeypatch.setattr(identity.handlers, "DuplicateKeyError", DuplicateKey)
    monkeypatch.setattr(identity.profile, "DuplicateKeyError", DuplicateKey)
    cipher = PiiCipher({"k1": os.urandom(32)}, "k1")
    return Services(
        repo=FakeRepository(),
        vault=PersonalDataVault(cipher, BlindIndex({"h1": os.urandom(32)}, "h1")),
        passwords=PasswordHashing(PasswordHasher(time_cost=1, memory_cost=1024)),
        otp_hasher=OtpHasher(os.urandom(32)),
        access_tokens=AccessTokenIssuer(
            SigningKeys(Ed25519PrivateKey.generate()),
            issuer="motcua-identity",
            audience="motcua",
            ttl=timedelta(minutes=15),
        ),
        clock=clock,
    )
