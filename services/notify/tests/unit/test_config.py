import pytest

from notify.config import NotifySettings
from servicekit.config import ConfigError
from servicekit.sealing import generate_key

PRODUCTION = {
    "MOTCUA_ENV": "production",
    "MONGO_URL": "mongodb://db.internal:27017",
    "AMQP_URL": "amqp://notify:x@mq.internal:5672/motcua",
    "METRICS_TOKEN": "metrics-s3cret",
    "REDIS_URL": "redis://:x@redis.internal:6379/0",
    "NOTIFY_SEAL_KEY": "a-real-secret",
    "NOTIFY_PII_KEYS": f"k1:{generate_key()}",
    "NOTIFY_PII_ACTIVE_KEY": "k1",
    "NOTIFY_LOOKUP_KEYS": f"h1:{generate_key()}",
    "NOTIFY_LOOKUP_ACTIVE_KEY": "h1",
    "SMS_PROVIDER": "http",
    "SMS_GATEWAY_URL": "https://sms.example.vn/send",
}


def test_production_starts_with_real_providers_and_secrets():
    settings = NotifySettings.from_env(PRODUCTION)
    assert not settings.dev_messages_enabled


def test_production_refuses_the_default_seal_key():
    with pytest.raises(ConfigError, match="NOTIFY_SEAL_KEY"):
        NotifySettings.from_env({k: v for k, v in PRODUCTION.items() if k != "NOTIFY_SEAL_KEY"})


@pytest.mark.parametrize("name", ["NOTIFY_PII_KEYS", "NOTIFY_LOOKUP_KEYS"])
def test_production_refuses_the_default_key_rings(name):
    with pytest.raises(ConfigError, match=name):
        NotifySettings.from_env({k: v for k, v in PRODUCTION.items() if k != name})


def test_a_key_ring_without_its_active_key_is_refused():
    with pytest.raises(ConfigError, match="NOTIFY_PII"):
        NotifySettings.from_env({**PRODUCTION, "NOTIFY_PII_ACTIVE_KEY": "k9"})


def test_production_refuses_dev_providers():
    with pytest.raises(ConfigError, match="dev"):
        NotifySettings.from_env({**PRODUCTION, "SMS_PROVIDER": "dev"})


def test_failover_needs_two_gateways():
    with pytest.raises(ConfigError, match="SMS_GATEWAY2_URL"):
        NotifySettings.from_env({"SMS_PROVIDER": "failover", "SMS_GATEWAY_URL": "http://a"})


def test_development_has_the_dev_record_and_reads_typed_values():
    settings = NotifySettings.from_env({"SMS_WITHOUT_DIACRITICS": "true", "SMTP_PORT": "2525"})
    assert settings.dev_messages_enabled
    assert settings.sms_without_diacritics is True and settings.smtp_port == 2525


def test_api_keys_are_hidden_from_startup_logs():
    settings = NotifySettings.from_env({"SMS_GATEWAY_API_KEY": "k-123", "SMTP_PASSWORD": "pw"})
    shown = settings.public_dict()
    assert shown["sms_api_key"] == "***" and shown["smtp_password"] == "***"


def test_smtp_needs_a_host():
    with pytest.raises(ConfigError, match="SMTP_HOST"):
        NotifySettings.from_env({"SMTP_HOST": ""})
