"""deploy/: the Kubernetes manifests against Kubernetes' own schemas, and against the app itself.

No cluster runs here: kubernetes-validate checks each object against the OpenAPI schemas it
bundles (no network), strictly (an unknown or misspelt field fails). Then every probe path, port
and DIGITS_* variable the manifests name must exist in the app, so the manifests cannot drift
from the code. The Compose file is checked by docker-compose itself.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import fields
from typing import Any

import kubernetes_validate
import pytest
import yaml
from werkzeug.exceptions import MethodNotAllowed, NotFound

from server.app import create_app
from server.config import ENV_PREFIX, Settings
from tests.support import REPO, need

K8S = REPO / "deploy" / "k8s"
MANIFESTS = sorted(p for p in K8S.glob("*.yaml") if p.name != "kustomization.yaml")
# The oldest and newest Kubernetes the pinned kubernetes-validate carries schemas for.
K8S_VERSIONS = ["1.25.0", "1.37.0"]
KSERVE_API = "serving.kserve.io/v1beta1"
EXPECTED_KINDS = {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "InferenceService"}
SETTINGS_ENV = {ENV_PREFIX + f.name.upper() for f in fields(Settings)}


def documents() -> list[dict[str, Any]]:
    return [doc for path in MANIFESTS for doc in yaml.safe_load_all(path.read_text()) if doc]


def containers() -> list[dict[str, Any]]:
    """Every container spec the manifests define: the Deployment's and the InferenceService's."""
    found = []
    for doc in documents():
        if doc["kind"] == "Deployment":
            found += doc["spec"]["template"]["spec"]["containers"]
        elif doc["kind"] == "InferenceService":
            found += doc["spec"]["predictor"]["containers"]
    return found


def as_pod(container: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "check"}, "spec": {"containers": [container]}}


def dockerfile_env() -> dict[str, str]:
    text = (REPO / "Dockerfile").read_text()
    return dict(re.findall(r"(DIGITS_[A-Z_]+)=(\S+)", text))


def test_every_kind_is_there() -> None:
    assert {doc["kind"] for doc in documents()} == EXPECTED_KINDS


def test_kustomization_lists_every_core_manifest() -> None:
    listed = yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]
    core = [p.name for p in MANIFESTS if yaml.safe_load(p.read_text())["apiVersion"] != KSERVE_API]
    assert sorted(listed) == sorted(core)


@pytest.mark.parametrize("version", K8S_VERSIONS)
@pytest.mark.parametrize("doc", [d for d in documents() if d["apiVersion"] != KSERVE_API], ids=lambda d: d["kind"])
def test_valid_against_the_kubernetes_schema(doc: dict[str, Any], version: str) -> None:
    kubernetes_validate.validate(doc, version, strict=True)


@pytest.mark.parametrize("version", K8S_VERSIONS)
def test_inferenceservice_containers_are_valid_kubernetes_containers(version: str) -> None:
    """KServe's schema is a CRD no package carries; its predictor containers are core v1 Containers."""
    service = next(d for d in documents() if d["kind"] == "InferenceService")
    assert service["apiVersion"] == KSERVE_API
    for container in service["spec"]["predictor"]["containers"]:
        kubernetes_validate.validate(as_pod(container), version, strict=True)


def test_a_misspelt_field_is_caught() -> None:
    """The validation above is strict: it is not a check that cannot fail."""
    deployment = next(d for d in documents() if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["pahts"] = "/readyz"
    with pytest.raises(kubernetes_validate.ValidationError, match="pahts"):
        kubernetes_validate.validate(deployment, K8S_VERSIONS[-1], strict=True)


def test_the_deployment_is_hardened() -> None:
    deployment = next(d for d in documents() if d["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    for container in pod["containers"]:
        assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
        assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
        assert set(container["resources"]) == {"requests", "limits"}
        assert {"cpu", "memory"} <= set(container["resources"]["requests"]) & set(container["resources"]["limits"])
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True and security["allowPrivilegeEscalation"] is False
        assert security["capabilities"]["drop"] == ["ALL"]


@pytest.mark.parametrize("container", containers(), ids=lambda c: c["name"])
def test_env_vars_are_settings_the_server_reads(container: dict[str, Any]) -> None:
    env = {item["name"]: item["value"] for item in container.get("env", [])}
    assert set(env) <= SETTINGS_ENV, set(env) - SETTINGS_ENV
    # What the server sees: the image's ENV with the manifest's on top (raises on a refused value).
    settings = Settings.from_env({**dockerfile_env(), **env})
    # Served where the image puts the model and on the port the container declares.
    assert settings.model_path == dockerfile_env()["DIGITS_MODEL_PATH"]
    assert [p["containerPort"] for p in container["ports"]] == [settings.port]
    assert settings.host == "0.0.0.0"  # reachable from the kubelet's probes and the Service


@pytest.fixture(scope="module")
def url_map(model_path):
    return create_app(Settings(model_path=str(model_path))).url_map.bind("localhost")


@pytest.mark.slow  # the app loads a real model: the session's trained one
@pytest.mark.parametrize("container", containers(), ids=lambda c: c["name"])
def test_probe_paths_and_ports_exist_in_the_app(container: dict[str, Any], url_map) -> None:
    ports = {p.get("name"): p["containerPort"] for p in container["ports"]}
    probes = [container[k] for k in ("startupProbe", "readinessProbe", "livenessProbe") if k in container]
    assert len(probes) >= 2
    for probe in probes:
        get = probe["httpGet"]
        assert get["port"] in ports or get["port"] in ports.values(), get
        try:
            url_map.match(get["path"], method="GET")
        except (NotFound, MethodNotAllowed):
            pytest.fail(f"{container['name']}: probe path {get['path']} is not a GET route of the app")


def test_the_service_targets_the_deployments_port() -> None:
    docs = {d["kind"]: d for d in documents()}
    pod = docs["Deployment"]["spec"]["template"]
    named = {p["name"] for c in pod["spec"]["containers"] for p in c["ports"]}
    assert {p["targetPort"] for p in docs["Service"]["spec"]["ports"]} <= named
    for kind in ("Service", "PodDisruptionBudget"):
        selector = docs[kind]["spec"]["selector"]
        selector = selector.get("matchLabels", selector)
        assert selector.items() <= pod["metadata"]["labels"].items(), kind
    assert docs["HorizontalPodAutoscaler"]["spec"]["scaleTargetRef"]["name"] == docs["Deployment"]["metadata"]["name"]


def test_the_compose_file_is_valid() -> None:
    """docker-compose checks it against the Compose Specification (the schema Compose v2 reads too)."""
    need(shutil.which("docker-compose") is not None, "checking the Compose file needs docker-compose")
    result = subprocess.run(["docker-compose", "-f", str(REPO / "deploy" / "docker-compose.yml"), "config", "--quiet"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
