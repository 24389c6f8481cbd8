"""infra/k8s: every manifest valid against the Kubernetes schemas, every service complete.

Manifests are rendered by kustomize (`kustomize build` or `kubectl kustomize`) when one is
installed, and also loaded without it (the resources each kustomization lists), so the check
runs on any machine. Schemas: the ones bundled with kubernetes-validate (offline), strict
(unknown fields are errors), for the oldest and the newest Kubernetes version we target.
"""
from __future__ import annotations

import copy
import sys
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))
import deploy_checks as checks  # noqa: E402

TREES = ["base", "overlays/production"]
RENDERERS = [
    pytest.param(True, id="kustomize", marks=pytest.mark.skipif(
        checks.kustomize_command() is None, reason="no kustomize or kubectl")),
    pytest.param(False, id="resources"),
]


@pytest.mark.parametrize("use_kustomize", RENDERERS)
@pytest.mark.parametrize("tree", TREES)
def test_manifests_match_the_kubernetes_schemas(tree, use_kustomize):
    documents = checks.render(checks.K8S / tree, use_kustomize=use_kustomize)
    assert len(documents) >= 40
    assert checks.k8s_schema_errors(documents) == []


def test_cached_validation_agrees_with_kubernetes_validate():
    """deploy_checks builds kubernetes-validate's validators once; same verdicts, per kind."""
    documents = checks.render(checks.K8S / "overlays/production", use_kustomize=False)
    one_of_each = {d["kind"]: d for d in documents}.values()
    for document in one_of_each:
        for version in checks.K8S_VERSIONS:
            kubernetes_validate.validate(document, version, strict=True)
    assert checks.k8s_schema_errors(list(one_of_each)) == []
    broken = copy.deepcopy(next(d for d in documents if d["kind"] == "Deployment"))
    broken["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = 3
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, checks.K8S_VERSIONS[0], strict=True)
    assert len(checks.k8s_schema_errors([broken])) == len(checks.K8S_VERSIONS)


@pytest.mark.parametrize("use_kustomize", RENDERERS)
@pytest.mark.parametrize("tree", TREES)
def test_every_service_has_web_worker_service_autoscaler_budget_probes(tree, use_kustomize):
    documents = checks.render(checks.K8S / tree, use_kustomize=use_kustomize)
    assert checks.k8s_problems(documents) == []


@pytest.mark.parametrize("service", sorted(checks.SERVICES))
def test_each_service_deploys_on_its_own(service):
    documents = checks.render(checks.K8S / "base" / service, use_kustomize=False)
    kinds = sorted({d["kind"] for d in documents})
    assert kinds == ["ConfigMap", "Deployment", "HorizontalPodAutoscaler",
                     "PodDisruptionBudget", "Service"]
    assert checks.k8s_schema_errors(documents) == []


def test_consumer_workers_scale_on_the_depth_of_their_own_queues_and_web_on_cpu():
    documents = checks.render(checks.K8S / "base", use_kustomize=False)
    autoscalers = {d["metadata"]["name"]: d for d in documents
                   if d["kind"] == "HorizontalPodAutoscaler"}
    for service, queues in checks.consumer_topology().items():
        (metric,) = autoscalers[f"{service}-worker"]["spec"]["metrics"]
        if not queues:  # relay only: nothing queued to scale on
            assert metric["type"] == "Resource"
            continue
        assert metric["type"] == "External"
        assert metric["external"]["metric"]["name"] == "rabbitmq_queue_messages_ready"
        (expression,) = metric["external"]["metric"]["selector"]["matchExpressions"]
        assert (expression["key"], expression["operator"]) == ("queue", "In")
        assert set(expression["values"]) == set(queues)
    for service in checks.SERVICES:
        (metric,) = autoscalers[f"{service}-web"]["spec"]["metrics"]
        assert metric["resource"]["name"] == "cpu"


def test_production_overlay_pins_images_and_enforces_restricted_pods():
    documents = checks.render(checks.K8S / "overlays/production",
                              use_kustomize=checks.kustomize_command() is not None)
    namespaces = [d for d in documents if d["kind"] == "Namespace"]
    assert namespaces[0]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == \
        "restricted"
    if checks.kustomize_command() is None:
        pytest.skip("image pins are applied by kustomize")
    for document in documents:
        if document["kind"] == "Deployment":
            (container,) = document["spec"]["template"]["spec"]["containers"]
            assert container["image"].startswith("registry.example.gov.vn/motcua/")
            assert ":" in container["image"].rsplit("/", 1)[1]
            assert document["metadata"]["namespace"] == "motcua"


# -- each check fails on a deliberately broken copy ----------------------------------------


def _break_deployment(path: Path, mutate) -> None:
    documents = list(yaml.safe_load_all(path.read_text()))
    for document in documents:
        if document and document["kind"] == "Deployment":
            mutate(document)
    path.write_text(yaml.safe_dump_all(documents, sort_keys=False))


@pytest.mark.parametrize("use_kustomize", RENDERERS)
def test_schema_validation_fails_on_a_broken_manifest(broken_copy, use_kustomize):
    tree = broken_copy("infra/k8s")

    def wrong_type(deployment):
        deployment["spec"]["replicas"] = "two"

    def unknown_field(deployment):
        deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"][
            "paht"] = "/readyz"

    _break_deployment(tree / "base/submission/web.yaml", wrong_type)
    _break_deployment(tree / "base/tracking/web.yaml", unknown_field)
    errors = checks.k8s_schema_errors(
        checks.render(tree / "overlays/production", use_kustomize=use_kustomize))
    assert any(e.startswith("Deployment/submission-web") and "'two'" in e for e in errors)
    assert any(e.startswith("Deployment/tracking-web") and "paht" in e for e in errors)
    assert all(e.startswith(("Deployment/submission-web", "Deployment/tracking-web"))
               for e in errors)


@pytest.mark.parametrize("use_kustomize", RENDERERS)
def test_structure_checks_fail_on_a_broken_manifest(broken_copy, use_kustomize):
    tree = broken_copy("infra/k8s")

    def mutate(deployment):
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        del container["readinessProbe"]
        container["securityContext"]["readOnlyRootFilesystem"] = False
        container["env"] = [{"name": "CCCD_HASH_KEY", "value": "in-the-repo"}]

    _break_deployment(tree / "base/tracking/web.yaml", mutate)
    (tree / "base/notify/worker.yaml").write_text("")  # the notify worker is gone
    documents = checks.render(tree / "base", use_kustomize=use_kustomize)
    problems = checks.k8s_problems(documents)
    assert "tracking-web: readinessProbe must GET /readyz" in problems
    assert "tracking-web: root filesystem is writable" in problems
    assert "tracking-web: secret CCCD_HASH_KEY has a literal value" in problems
    assert "tracking-web: MONGO_URL not from Secret motcua-tracking" in problems
    assert "notify-worker: Deployment missing" in problems
