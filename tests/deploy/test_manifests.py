"""deploy/: the Kubernetes manifests against Kubernetes' own schemas, and against the app itself.

No cluster runs here: kubernetes-validate checks each object against the OpenAPI schemas it
bundles (no network), strictly (an unknown or misspelt field fails). Then every probe path, port
and DIGITS_* variable the manifests name must exist in the app, so the manifests cannot drift
from the code. The Compose file is checked by docker-compose itself.
"""

from __future__ import annotations

import json
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
COMPOSE = REPO / "deploy" / "docker-compose.yml"
# Measured by `python -m tools.reliability memory` on the default model; the one place the figures live.
MEMORY = REPO / "tools" / "reliability" / "results" / "memory.json"
MEMORY_MARGIN = 1.2  # a limit is at least the measured peak plus this share
_MIB = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "k": 1 / 1024, "m": 1, "g": 1024}


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


@pytest.mark.live
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


def mebibytes(quantity: str | int) -> float:
    """A Kubernetes quantity (256Mi, 1Gi) or a Compose byte value (768m, 1g) in MiB."""
    number, unit = re.fullmatch(r"(\d+)([KMG]i|[kmg])?", str(quantity)).groups()
    return int(number) * _MIB[unit] if unit else int(number) / 2**20


def memory_settings() -> list[tuple[str, float, float, int]]:
    """(where, request MiB, limit MiB, waitress threads) for every container the deploy files run."""
    found = []
    for container in containers():
        resources = container["resources"]
        env = {item["name"]: item.get("value") for item in container.get("env", [])}
        found.append((container["name"], mebibytes(resources["requests"]["memory"]),
                      mebibytes(resources["limits"]["memory"]), int(env.get("DIGITS_THREADS", Settings().threads))))
    model = yaml.safe_load(COMPOSE.read_text())["services"]["model"]
    found.append(("compose model", mebibytes(model["mem_reservation"]), mebibytes(model["mem_limit"]),
                  Settings().threads))
    return found


@pytest.mark.parametrize("where, request_mib, limit_mib, threads", memory_settings(), ids=lambda v: str(v))
def test_memory_limits_cover_what_was_measured(where: str, request_mib: float, limit_mib: float, threads: int) -> None:
    measured = json.loads(MEMORY.read_text())
    start_up = measured["at_start"]["server_peak_mib"] + measured["at_start"]["other_processes_pss_mib"]
    peak = max(start_up, measured["attack"]["tree_pss_peak_mib"])
    assert limit_mib >= peak * MEMORY_MARGIN, f"{where}: limit {limit_mib} MiB, measured peak {peak} MiB"
    # Every decode worker at its address-space limit at once: the most the budgets allow.
    worst = measured["idle"]["tree_pss_mib"] + threads * Settings().decode_memory_mib
    assert limit_mib >= worst, f"{where}: limit {limit_mib} MiB, {threads} workers at their limit {worst} MiB"
    assert request_mib >= measured["idle"]["tree_pss_mib"], f"{where}: request below the idle figure"


@pytest.mark.live  # Docker's Compose tool (make system-deps)
def test_the_compose_file_is_valid() -> None:
    """docker-compose checks it against the Compose Specification (the schema Compose v2 reads too)."""
    need(shutil.which("docker-compose") is not None, "checking the Compose file needs docker-compose")
    result = subprocess.run(["docker-compose", "-f", str(COMPOSE), "config", "--quiet"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
