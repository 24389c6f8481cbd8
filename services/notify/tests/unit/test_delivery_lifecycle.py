from datetime import UTC, datetime, timedelta

import pytest

from notify.domain.delivery import IllegalTransition, Notification, RetryPolicy, Status

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
POLICY = RetryPolicy(max_attempts=3, base_delay=timedelta(seconds=10), factor=2)


def notification(**overrides) -> Notification:
    fields = dict(
        event_id="e1",
        event_type="dossier.accepted",
        channel="sms",
        recipient="0912345678",
        created_at=T0,
    )
    return Notification(**{**fields, **overrides})


def test_a_new_notification_is_created_and_due_now():
    n = notification()
    assert n.status == Status.CREATED
    assert n.next_attempt_at == T0


def test_successful_delivery_goes_created_sending_delivered():
    n = notification()
    n.start_sending(T0)
    n.delivered(T0, "dev", "ref-1")
    assert [t.status for t in n.history] == ["created", "sending", "delivered"]
    assert (n.attempts, n.provider_reference, n.pending_events) == (1, "ref-1", [])


def test_temporary_failures_are_retried_with_growing_delays():
    n = notification()
    delays = []
    for _ in range(2):
        now = n.next_attempt_at
        n.start_sending(now)
        n.failed(now, "HTTP 503", permanent=False, policy=POLICY)
        assert n.status == Status.TEMPORARY_FAILURE
        delays.append(n.next_attempt_at - now)
    assert delays == [timedelta(seconds=10), timedelta(seconds=20)]


def test_retries_used_up_end_in_technical_failure_with_an_event():
    n = notification()
    for _ in range(3):
        n.start_sending(T0)
        n.failed(T0, "HTTP 503", permanent=False, policy=POLICY)
    assert n.status == Status.TECHNICAL_FAILURE
    assert n.next_attempt_at is None
    [event] = n.pending_events
    assert event["type"] == "notify.delivery_failed"
    assert event["data"]["attempts"] == 3
    assert event["data"]["recipient"] == "091****678"


def test_a_permanent_error_is_not_retried():
    n = notification()
    n.start_sending(T0)
    n.failed(T0, "số không tồn tại", permanent=True, policy=POLICY)
    assert n.status == Status.PERMANENT_FAILURE
    assert len(n.pending_events) == 1


def test_a_final_notification_cannot_be_sent_again():
    n = notification()
    n.start_sending(T0)
    n.delivered(T0, "dev")
    with pytest.raises(IllegalTransition):
        n.start_sending(T0)


def test_an_expired_otp_is_not_sent_late():
    n = notification(expires_at=T0 + timedelta(seconds=15))
    n.start_sending(T0)
    n.failed(T0, "timeout", permanent=False, policy=POLICY)  # retry at +10s: still valid
    assert n.status == Status.TEMPORARY_FAILURE
    n.start_sending(T0 + timedelta(seconds=10))
    n.failed(T0 + timedelta(seconds=10), "timeout", permanent=False, policy=POLICY)
    assert n.status == Status.TECHNICAL_FAILURE  # retry at +30s would be past expiry


def test_final_states_drop_the_sealed_content():
    n = notification(sealed="token")
    n.start_sending(T0)
    n.failed(T0, "x", permanent=True, policy=POLICY)
    assert n.sealed is None


def test_backoff_is_capped():
    policy = RetryPolicy(base_delay=timedelta(seconds=30), max_delay=timedelta(minutes=2))
    assert [policy.delay_after(a).total_seconds() for a in (1, 2, 3, 4, 5)] == [
        30,
        60,
        120,
        120,
        120,
    ]
