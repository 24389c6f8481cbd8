from datetime import UTC, datetime, timedelta

import pytest

from notify.providers.base import OutgoingMessage, TemporaryDeliveryError
from notify.providers.dev import DevProvider, InMemoryDevSink, RecordingProvider

T0 = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


class Ticking:
    def __init__(self):
        self.now = T0

    def __call__(self):
        self.now += timedelta(seconds=1)
        return self.now


def test_dev_provider_records_messages_newest_first_filtered_by_recipient():
    sink = InMemoryDevSink()
    provider = DevProvider(sink, clock=Ticking())
    for to, text in (("0911", "một"), ("0922", "hai"), ("0911", "ba")):
        provider.send(OutgoingMessage(channel="sms", to=to, text=text))
    assert [m.body for m in sink.list("0911")] == ["ba", "một"]
    assert [m.to for m in sink.list()] == ["0911", "0922", "0911"]


class Broken:
    name = "smtp"

    def send(self, message):
        raise TemporaryDeliveryError("down")


def test_recording_wrapper_records_only_what_was_delivered():
    sink = InMemoryDevSink()
    with pytest.raises(TemporaryDeliveryError):
        RecordingProvider(Broken(), sink).send(OutgoingMessage(channel="email", to="a@b", text="x"))
    assert sink.list() == []
