"""The rules of domain.throttling: windows, waits, where a send is charged, known clients."""

from datetime import UTC, datetime, timedelta

from identity.domain.throttling import (
    Limit,
    ThrottlePolicy,
    exceeded,
    hits_to_age_out,
    is_known_client,
    password_account_bucket,
    password_bucket,
    retry_after,
    send_buckets,
)

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
POLICY = ThrottlePolicy()


def test_a_limit_takes_its_maximum_and_refuses_the_next():
    limit = Limit(5, timedelta(minutes=15))
    assert not exceeded(5, limit)  # the fifth attempt, counted with its own hit
    assert exceeded(6, limit)


def test_the_wait_is_until_the_hit_that_must_age_out_leaves_the_window():
    limit = Limit(5, timedelta(minutes=15))
    assert retry_after(T0, T0 + timedelta(minutes=4), limit) == 11 * 60
    assert retry_after(T0, T0 + timedelta(minutes=15), limit) == 1  # never 0
    assert retry_after(None, T0, limit) == 900
    # racing requests past the limit: as many old hits must go as the excess
    assert hits_to_age_out(6, limit) == 1 and hits_to_age_out(8, limit) == 3


def test_a_decoy_and_a_real_registration_are_charged_alike_and_apart_from_the_owner():
    register = send_buckets("register", destination="d", account=None, client="c", policy=POLICY)
    login = send_buckets("login", destination="d", account="u1", client="c", policy=POLICY)
    reset = send_buckets("reset_password", destination="d", account="u1", client="c",
                         policy=POLICY)
    keys = [{b.key for b in buckets} for buckets in (register, login, reset)]
    assert not keys[0] & keys[1] and not keys[0] & keys[2] and not keys[1] & keys[2]
    assert {b.limit for b in register} == {POLICY.sends, POLICY.register_sends_per_client}


def test_reset_sends_are_per_account_and_client_under_an_account_wide_cap():
    one = send_buckets("reset_password", destination="d", account="u1", client="a",
                       policy=POLICY)
    other = send_buckets("reset_password", destination="d", account="u1", client="b",
                         policy=POLICY)
    assert one[0].key != other[0].key and one[1] == other[1]
    assert one[1].limit == POLICY.reset_sends_per_account
    # a username no account has is charged under the destination it was typed as
    unknown = send_buckets("reset_password", destination="d", account=None, client="a",
                           policy=POLICY)
    assert "dest:d" in unknown[1].key


def test_password_failures_are_keyed_by_form_and_client_not_account():
    assert password_bucket("cccd-hash", "a", POLICY) != password_bucket("cccd-hash", "b", POLICY)
    assert password_bucket("cccd-hash", "a", POLICY) != password_bucket("phone-hash", "a", POLICY)
    assert password_account_bucket("user:1", POLICY).limit == POLICY.password_account


def test_a_client_is_known_for_thirty_days_after_a_sign_in():
    known = {"c": "2026-11-01T08:00:00.000000Z"}
    assert is_known_client(known, "c", T0, POLICY)
    assert not is_known_client(known, "c", T0 + timedelta(days=4), POLICY)
    assert not is_known_client(known, "other", T0, POLICY)
    assert not is_known_client(None, "c", T0, POLICY)


def test_the_longest_window_bounds_what_the_purge_keeps():
    policy = ThrottlePolicy(refresh=Limit(30, timedelta(hours=3)))
    assert policy.longest_window == timedelta(hours=3)
