import pytest

from notify.domain.masking import mask_recipient, redact
from notify.domain.templates import RenderedMessage
from notify.sealing import Sealer, SealError


def test_recipients_are_masked_for_logs_and_events():
    assert mask_recipient("0912345678") == "091****678"
    assert mask_recipient("lan.nguyen@example.vn") == "l***@example.vn"


def test_redact_removes_a_clear_secret_wherever_it_appears():
    assert redact("Mã 123456, nhắc lại: 123456", ["123456"]) == "Mã ******, nhắc lại: ******"


def test_sealed_content_opens_with_the_same_key_only():
    message = RenderedMessage("Mã OTP", "Mã: 123456", "")
    token = Sealer("key-a").seal(message)
    assert "123456" not in token
    assert Sealer("key-a").open(token) == message
    with pytest.raises(SealError):
        Sealer("key-b").open(token)
