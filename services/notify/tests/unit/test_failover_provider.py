import contextlib

import pytest

from notify.providers.base import OutgoingMessage, PermanentDeliveryError, TemporaryDeliveryError
from notify.providers.failover import FailoverProvider

MESSAGE = OutgoingMessage(channel="sms", to="0912345678", text="x")


class ScriptedProvider:
    """Fails while ``failing`` is true; records what it delivered."""

    def __init__(self, name):
        self.name = name
        self.failing = False
        self.permanent = False
        self.sent = []

    def send(self, message):
        if self.permanent:
            raise PermanentDeliveryError("số không tồn tại", provider=self.name)
        if self.failing:
            raise TemporaryDeliveryError("HTTP 503", provider=self.name)
        self.sent.append(message)
        return f"{self.name}-{len(self.sent)}"


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


@pytest.fixture
def pair():
    primary, secondary, clock = ScriptedProvider("a"), ScriptedProvider("b"), Clock()
    return (
        primary,
        secondary,
        clock,
        FailoverProvider(primary, secondary, threshold=3, cooldown=60, clock=clock),
    )


def test_errors_below_the_threshold_do_not_switch(pair):
    primary, secondary, _, failover = pair
    primary.failing = True
    for _ in range(2):
        with pytest.raises(TemporaryDeliveryError):
            failover.send(MESSAGE)
    assert failover.active is primary


def test_the_nth_consecutive_error_switches_and_the_message_goes_via_the_secondary(pair):
    primary, secondary, _, failover = pair
    primary.failing = True
    for _ in range(2):
        with pytest.raises(TemporaryDeliveryError):
            failover.send(MESSAGE)
    assert failover.send(MESSAGE) == "b-1"
    assert failover.active is secondary
    assert failover.send(MESSAGE) == "b-2"


def test_a_success_resets_the_error_count(pair):
    primary, _, _, failover = pair
    for failing in (True, True, False, True, True):
        primary.failing = failing
        if failing:
            with pytest.raises(TemporaryDeliveryError):
                failover.send(MESSAGE)
        else:
            failover.send(MESSAGE)
    assert failover.active is primary


def test_permanent_errors_say_nothing_about_provider_health(pair):
    primary, _, _, failover = pair
    primary.permanent = True
    for _ in range(5):
        with pytest.raises(PermanentDeliveryError):
            failover.send(MESSAGE)
    assert failover.active is primary


def test_the_primary_is_tried_again_after_the_cooldown(pair):
    primary, secondary, clock, failover = pair
    primary.failing = True
    for _ in range(3):
        with contextlib.suppress(TemporaryDeliveryError):
            failover.send(MESSAGE)
    assert failover.active is secondary
    clock.now = 59
    assert failover.active is secondary
    primary.failing = False
    clock.now = 60
    assert failover.send(MESSAGE) == "a-1"
