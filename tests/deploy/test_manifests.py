"""Every Kubernetes manifest, base and production overlay, validated offline against the
Kubernetes API schemas (kubernetes-validate ships them; strict: unknown fields fail), and
the Strimzi KafkaTopic resources against the CRD's schema (deploy/schemas/)."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml
from deploy_checks import BASE, DEPLOY, KUBERNETES_VERSION, PRODUCTION, Resource, render

CRD_SCHEMAS = {
    ("kafka.strimzi.io/v1beta2", "KafkaTopic"): DEPLOY / "schemas" / "kafkatopic-v1beta2.json",
}


def validate(resource: Resource) -> None:
    key = (resource["apiVersion"], resource["kind"])
    if key in CRD_SCHEMAS:
        schema = json.loads(CRD_SCHEMAS[key].read_text())
        jsonschema.validate(resource, schema)
        return
    kubernetes_validate.validate(resource, KUBERNETES_VERSION, strict=True)


def describe(resource: Resource) -> str:
    return f"{resource['kind']}/{resource['metadata']['name']}"


@pytest.mark.parametrize("overlay", ["base", "production"])
def test_every_manifest_is_valid(
    overlay: str, base_resources: list[Resource], production_resources: list[Resource]
) -> None:
    resources = base_resources if overlay == "base" else production_resources
    assert len(resources) > 20
    errors = []
    for resource in resources:
        try:
            validate(resource)
        except (kubernetes_validate.ValidationError, jsonschema.ValidationError) as exc:
            errors.append(f"{describe(resource)}: {exc}")
        except kubernetes_validate.SchemaNotFoundError as exc:
            errors.append(f"{describe(resource)}: no schema ({exc}); add one to CRD_SCHEMAS")
    assert not errors, "\n".join(errors)


def test_validation_catches_a_misspelt_field(base_resources: list[Resource]) -> None:
    deployment = next(r for r in base_resources if r["kind"] == "Deployment")
    broken: dict[str, Any] = json.loads(json.dumps(deployment))
    broken["spec"]["template"]["spec"]["containers"][0]["readinessProbes"] = {}
    with pytest.raises(kubernetes_validate.ValidationError):
        validate(broken)
    topic = next(r for r in base_resources if r["kind"] == "KafkaTopic")
    bad_topic: dict[str, Any] = json.loads(json.dumps(topic))
    bad_topic["spec"]["partitions"] = 0
    with pytest.raises(jsonschema.ValidationError):
        validate(bad_topic)


def test_production_overlay_pins_images_and_replicates_topics(
    production_resources: list[Resource],
) -> None:
    for resource in production_resources:
        assert resource["metadata"]["namespace"] == "talent", describe(resource)
        if resource["kind"] == "KafkaTopic":
            assert resource["spec"]["replicas"] == 3
            assert resource["spec"]["config"]["min.insync.replicas"] == 2
        spec = resource.get("spec", {}).get("template", {}).get("spec", {})
        for container in [*spec.get("initContainers", []), *spec.get("containers", [])]:
            image = container["image"]
            assert ":" in image and not image.endswith(":latest"), image
    configs = [
        r
        for r in production_resources
        if r["kind"] == "ConfigMap" and r["metadata"]["name"] != "gateway-config"
    ]
    for config in configs:
        factor = [v for k, v in config["data"].items() if k.endswith("_KAFKA_REPLICATION_FACTOR")]
        assert factor == ["3"], describe(config)


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
@pytest.mark.parametrize("directory", [BASE, PRODUCTION], ids=["base", "production"])
def test_renderer_agrees_with_kubectl_kustomize(directory: Any) -> None:
    result = subprocess.run(
        ["kubectl", "kustomize", str(directory)], capture_output=True, text=True, check=True
    )
    theirs = sorted(
        (json.dumps(d, sort_keys=True) for d in yaml.safe_load_all(result.stdout) if d),
    )
    ours = sorted(json.dumps(d, sort_keys=True) for d in render(directory))
    assert ours == theirs
