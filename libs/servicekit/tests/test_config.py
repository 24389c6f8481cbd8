import pytest

from servicekit.config import ConfigError, ServiceSettings


def test_reads_environment_once_with_types_and_defaults():
    settings = ServiceSettings.from_env({"CONSUMER_MAX_ATTEMPTS": "7", "MONGO_DB": "x"})
    assert settings.consumer_max_attempts == 7
    assert settings.mongo_db == "x"
    assert settings.events_exchange == "motcua.events"


def test_bad_number_is_a_clear_config_error():
    with pytest.raises(ConfigError, match="CONSUMER_MAX_ATTEMPTS"):
        ServiceSettings.from_env({"CONSUMER_MAX_ATTEMPTS": "many"})


def test_production_refuses_default_secrets_and_names_them():
    with pytest.raises(ConfigError) as error:
        ServiceSettings.from_env({"MOTCUA_ENV": "production"})
    assert "AMQP_URL" in str(error.value) and "MONGO_URL" in str(error.value)
    assert "REDIS_URL" in str(error.value)  # the session deny-list's, with its password


def test_production_starts_when_secrets_are_set():
    settings = ServiceSettings.from_env({
        "MOTCUA_ENV": "production", "AMQP_URL": "amqp://motcua:s3cret@mq//",
        "MONGO_URL": "mongodb://motcua:s3cret@db/?replicaSet=rs0", "METRICS_TOKEN": "s3cret",
        "REDIS_URL": "redis://:s3cret@redis:6379/0"})
    assert settings.is_production
    assert settings.public_dict()["amqp_url"] == "***"
