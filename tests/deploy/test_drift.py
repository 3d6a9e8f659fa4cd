"""Compose, manifests and topic lists agree with the services and topics the code declares.

Services: every `services/<name>` project and every ServiceSpec in talent_cli.services.
Topics: one per service and major version of the event types in talent_contracts, plus
each one's DLQ. A service or topic added to the code without its deployment entries
fails here with one line per missing piece, naming the file to change.
"""

from __future__ import annotations

from typing import Any

from deploy_checks import (
    ROOT,
    Declared,
    Resource,
    declared,
    drift_problems,
    image_package_problems,
    image_packages,
)


def test_deployment_files_agree_with_the_code(
    compose: dict[str, Any],
    base_resources: list[Resource],
    production_resources: list[Resource],
    subgraphs: dict[str, Any],
) -> None:
    code = declared()
    assert {"people", "learning"} <= set(code.services)
    assert "talent.people.v1" in code.topics
    problems = drift_problems(
        code,
        compose=compose,
        base=base_resources,
        production=production_resources,
        subgraphs=subgraphs,
    )
    assert not problems, "deployment files drifted from the code:\n" + "\n".join(problems)


def test_a_service_or_topic_added_only_in_code_is_reported(
    compose: dict[str, Any],
    base_resources: list[Resource],
    production_resources: list[Resource],
    subgraphs: dict[str, Any],
) -> None:
    code = declared()
    grown = Declared(
        services=(*code.services, "payroll"), topics=(*code.topics, "talent.payroll.v1")
    )
    problems = drift_problems(
        grown,
        compose=compose,
        base=base_resources,
        production=production_resources,
        subgraphs=subgraphs,
    )
    text = "\n".join(problems)
    assert "services/payroll/Dockerfile is missing" in text
    assert "docker-compose.yml has no payroll-migrate service" in text
    assert "deploy/base/services/payroll/ is missing" in text
    assert "payroll: missing from gateway/subgraphs.json" in text
    assert "topic talent.payroll.v1 (declared in talent_contracts) is not created" in text
    assert "topic talent.payroll.v1.dlq has no Strimzi KafkaTopic" in text
    assert all("payroll" in line for line in problems), problems


def test_service_images_install_no_development_tool() -> None:
    """Each image installs contracts, platform, the CLI (without its [dev] extra) and its
    service; adding the development tools or another service is reported."""
    dockerfile = (ROOT / "services" / "recommender" / "Dockerfile").read_text()
    assert sorted(image_packages(dockerfile)) == [
        "libs/cli",
        "libs/contracts",
        "libs/platform",
        "services/recommender",
    ]
    assert image_package_problems("recommender", dockerfile) == []
    grown = dockerfile.replace("./libs/cli ", "./libs/cli[dev] ./libs/devtools ")
    problems = "\n".join(image_package_problems("recommender", grown))
    assert "installs ['libs/cli[dev]', 'libs/devtools']" in problems
    assert "does not install ['libs/cli']" in problems
    copied = dockerfile.replace("COPY libs/cli libs/cli", "COPY libs/devtools libs/devtools")
    assert "copies libs/devtools" in "\n".join(image_package_problems("recommender", copied))
