"""The images: one parameterised Dockerfile for every service, and a wheel that carries every
file it needs.

Images install the service from a wheel built in the Dockerfile's builder stage, so a template,
static file or data file that the package does not declare (setuptools package-data) is
silently missing from the image while every local test passes. The last test builds each
package the way the builder does (from a clean copy, no egg-info, no git) and compares.
"""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import deploy_checks as checks  # noqa: E402

PROJECTS = {**checks.SOURCE_DIRS, "servicekit": "libs/servicekit",
            "vocabulary": "libs/vocabulary"}
PACKAGES = {name: name for name in PROJECTS}


def test_the_dockerfile_builds_one_service_slim_non_root_with_healthcheck():
    assert checks.dockerfile_problems(checks.DOCKERFILE) == []


def test_every_process_is_built_from_the_one_dockerfile_with_its_arguments():
    compose = checks.load_yaml(checks.COMPOSE_FILE)
    assert checks.build_problems(compose) == []
    built = {name.removesuffix("-worker") for name, definition in compose["services"].items()
             if "build" in definition}
    assert built == set(checks.SERVICES)
    assert not [p for p in checks.ROOT.glob("**/Dockerfile")
                if ".venv" not in p.parts and p != checks.DOCKERFILE], "one Dockerfile only"


def test_build_check_fails_on_a_wrong_port_or_another_dockerfile():
    compose = checks.load_yaml(checks.COMPOSE_FILE)
    compose["services"]["tracking"]["build"] = {
        "context": ".", "dockerfile": "infra/docker/Dockerfile",
        "args": {"SERVICE": "tracking", "SOURCE_DIR": "services/tracking", "PORT": "8083"}}
    compose["services"]["notify-worker"]["build"] = {"context": ".",
                                                     "dockerfile": "services/notify/Dockerfile"}
    problems = checks.build_problems(compose)
    assert any(p.startswith("tracking: build args") for p in problems), problems
    assert any(p.startswith("notify-worker: not built from") for p in problems), problems


def test_dockerignore_keeps_local_state_out_of_the_build_context():
    patterns = {line.strip() for line in (checks.ROOT / ".dockerignore").read_text().splitlines()
                if line.strip() and not line.startswith("#")}
    assert {".venv", "var", "tests", ".git"} <= patterns
    assert {"**/tests", "**/__pycache__", "**/*.egg-info", ".env"} <= patterns


def test_dockerfile_check_fails_on_a_root_single_stage_image(broken_copy):
    path = broken_copy("infra/docker/Dockerfile")
    text = path.read_text()
    text = re.sub(r"^USER .*$", "", text, flags=re.M)
    text = text.replace("FROM ${PYTHON_IMAGE} AS builder", "FROM python:3.12 AS builder")
    text = text.replace("COPY libs/ libs/", "COPY libs/ libs/\nCOPY services/ services/")
    path.write_text(text)
    problems = checks.dockerfile_problems(path)
    assert "runs as root" in problems
    assert any("not python:3.11-slim" in p for p in problems)
    assert any(p.startswith("copies") for p in problems)


def test_dockerfile_check_fails_on_an_image_with_a_gunicorn_configuration_of_its_own(
        broken_copy):
    path = broken_copy("infra/docker/Dockerfile")
    text = path.read_text().replace(
        '"--config", "python:servicekit.gunicorn_conf"', '"--config", "/app/gunicorn.conf.py"')
    text = text.replace("USER 10001", "COPY <<'EOF' /app/gunicorn.conf.py\nworkers = 2\nEOF\n"
                        "USER 10001")
    path.write_text(text.replace("    GUNICORN_THREADS=4 \\\n", ""))
    problems = checks.dockerfile_problems(path)
    assert any(p.startswith("does not start gunicorn --config") for p in problems)
    assert any(p.startswith("carries a gunicorn configuration") for p in problems)
    assert "ENV lacks a default for GUNICORN_THREADS" in problems


def test_the_gunicorn_configuration_reads_what_the_images_set():
    settings = checks.gunicorn_settings({
        "PORT": "8083", "GUNICORN_WORKERS": "3", "GUNICORN_THREADS": "6",
        "GUNICORN_TIMEOUT": "40", "GUNICORN_GRACEFUL_TIMEOUT": "20", "GUNICORN_KEEPALIVE": "7",
        "GUNICORN_MAX_REQUESTS": "1000", "GUNICORN_MAX_REQUESTS_JITTER": "50",
        "FORWARDED_ALLOW_IPS": "10.0.0.1"})
    assert {name: settings[name] for name in (
        "bind", "workers", "threads", "timeout", "graceful_timeout", "keepalive",
        "max_requests", "max_requests_jitter", "forwarded_allow_ips")} == {
        "bind": ["0.0.0.0:8083"], "workers": 3, "threads": 6, "timeout": 40,
        "graceful_timeout": 20, "keepalive": 7, "max_requests": 1000,
        "max_requests_jitter": 50, "forwarded_allow_ips": ["10.0.0.1"]}
    # The worker answering gunicorn's own errors in the JSON shape; nothing written outside
    # /tmp and /dev/shm (read-only root filesystem), no access log (the services log).
    assert settings["worker_class"] == "servicekit.gunicorn_worker.JsonErrorWorker"
    assert settings["control_socket_disable"] is True
    assert settings["accesslog"] is None and settings["errorlog"] == "-"


def packaged_files(project: Path, workdir: Path) -> set[str]:
    """Files setuptools puts in the wheel, built from a clean copy like the image's builder."""
    source = workdir / "src"
    shutil.copytree(project, source, ignore=shutil.ignore_patterns(
        "*.egg-info", "__pycache__", "*.pyc", "tests", ".pytest_cache", ".ruff_cache"))
    output = workdir / "out"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q",
                    "build_py", "--build-lib", str(output)],
                   cwd=source, check=True, capture_output=True, timeout=120)
    return {str(p.relative_to(output)) for p in output.rglob("*") if p.is_file()}


def package_files(project: Path, package: str) -> set[str]:
    root = project / package
    return {str(p.relative_to(project)) for p in root.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"}


@pytest.mark.parametrize("project", sorted(PROJECTS))
def test_the_image_wheel_carries_every_file_of_the_package(project, tmp_path):
    directory = checks.ROOT / PROJECTS[project]
    missing = package_files(directory, PACKAGES[project]) - packaged_files(directory, tmp_path)
    assert sorted(missing) == [], (
        f"{PROJECTS[project]}/pyproject.toml must declare these as package-data, or the image "
        "lacks them")


def test_wheel_check_fails_on_an_undeclared_data_file(broken_copy, tmp_path):
    project = broken_copy("services/tracking")
    (project / "tracking" / "templates").mkdir(exist_ok=True)
    (project / "tracking" / "templates" / "page.j2").write_text("{{ code }}")
    missing = package_files(project, "tracking") - packaged_files(project, tmp_path / "build")
    assert missing == {"tracking/templates/page.j2"}
