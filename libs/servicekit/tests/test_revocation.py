"""The session deny-list in the local Redis, and what happens when Redis is unreachable."""
import uuid

import pytest
import redis

from servicekit.local import free_port
from servicekit.revocation import UNAVAILABLE, RedisRevocations, RevocationUnavailable

REDIS = "redis://127.0.0.1:6379/0"


@pytest.fixture
def deny():
    return RedisRevocations(REDIS, prefix=f"test-revoked-{uuid.uuid4().hex[:8]}")


def test_a_listed_session_is_revoked_for_the_given_time_only(deny):
    ended, going_on = uuid.uuid4().hex, uuid.uuid4().hex
    deny.revoke([ended], ttl_seconds=960)
    assert deny.is_revoked(ended) and not deny.is_revoked(going_on)
    ttl = redis.Redis.from_url(REDIS).ttl(f"{deny.prefix}:{ended}")
    assert 0 < ttl <= 960  # Redis forgets it once every token of the session has expired


def test_no_session_to_list_is_no_call(deny):
    deny.revoke([], ttl_seconds=60)
    deny.revoke([None, ""], ttl_seconds=60)


def _count(operation: str) -> float:
    return UNAVAILABLE.labels(operation)._value.get()


def test_unreachable_redis_accepts_tokens_and_says_so_but_refuses_to_pretend_a_write():
    nowhere = RedisRevocations(f"redis://127.0.0.1:{free_port()}/0", timeout=0.2)
    checks, writes = _count("check"), _count("revoke")
    assert nowhere.is_revoked("any-session") is False  # fail open: see the module docstring
    assert nowhere.is_revoked("any-session") is False  # (and Redis is left alone a while)
    assert _count("check") == checks + 2
    with pytest.raises(RevocationUnavailable):
        nowhere.revoke(["any-session"], ttl_seconds=60)
    assert _count("revoke") == writes + 1
