from datetime import UTC, datetime, timedelta

from identity.domain.lockout import LockoutPolicy, LoginThrottle

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
POLICY = LockoutPolicy()


def test_five_failures_in_window_lock_for_fifteen_minutes():
    throttle = LoginThrottle("k")
    for i in range(4):
        throttle.record_failure(T0 + timedelta(minutes=i), POLICY)
        assert not throttle.is_locked(T0 + timedelta(minutes=i))
    throttle.record_failure(T0 + timedelta(minutes=4), POLICY)
    assert throttle.is_locked(T0 + timedelta(minutes=4))
    assert throttle.is_locked(T0 + timedelta(minutes=18, seconds=59))
    assert not throttle.is_locked(T0 + timedelta(minutes=19))


def test_failures_spread_beyond_window_do_not_lock():
    throttle = LoginThrottle("k")
    for i in range(5):
        throttle.record_failure(T0 + timedelta(minutes=5 * i), POLICY)
    assert not throttle.is_locked(T0 + timedelta(minutes=20))


def test_success_resets_count():
    throttle = LoginThrottle("k")
    for _i in range(4):
        throttle.record_failure(T0, POLICY)
    throttle.record_success()
    throttle.record_failure(T0, POLICY)
    assert not throttle.is_locked(T0)


def test_policy_is_configurable():
    throttle = LoginThrottle("k")
    policy = LockoutPolicy(max_failures=2, lock_for=timedelta(minutes=1))
    throttle.record_failure(T0, policy)
    throttle.record_failure(T0, policy)
    assert throttle.is_locked(T0) and not throttle.is_locked(T0 + timedelta(minutes=1))
