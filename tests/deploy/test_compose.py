"""docker-compose.yml against the Compose Specification schema (vendored by
check-jsonschema, so no network), plus what the schema cannot say."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy_checks import COMPOSE, ROOT


def check_compose(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def test_compose_file_is_valid_against_the_compose_specification() -> None:
    result = check_compose(COMPOSE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "compose.yml"
    bad.write_text(
        COMPOSE.read_text().replace(
            "condition: service_completed_successfully", "condition: after_migrations", 1
        )
    )
    result = check_compose(bad)
    assert result.returncode == 1
    assert "after_migrations" in result.stdout


def test_every_secret_fails_fast_and_is_documented_in_env_example(compose: dict[str, Any]) -> None:
    text = COMPOSE.read_text()
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", text))
    assert {"TALENT_JWT_SECRET", "TALENT_GATEWAY_SECRET", "POSTGRES_PASSWORD"} <= required
    documented = set(re.findall(r"^([A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert required <= documented, f"not in .env.example: {sorted(required - documented)}"
    # No secret has a default value anywhere.
    assert not re.search(r"\$\{[A-Z_]*(SECRET|PASSWORD)[A-Z_]*:-", text)


def test_production_producer_settings_and_healthchecks(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name, entry in services.items():
        if entry.get("restart") == "no":
            continue  # one-shot jobs
        assert "healthcheck" in entry, f"{name} has no healthcheck"
    kafka = services["kafka"]
    assert kafka["image"].startswith("apache/kafka:")
    assert "broker,controller" in kafka["environment"]["KAFKA_PROCESS_ROLES"]
    assert kafka["environment"]["KAFKA_AUTO_CREATE_TOPICS_ENABLE"] == "false"
    topics_job = "\n".join(services["kafka-topics"]["command"])
    assert '--replication-factor "${REPLICATION_FACTOR}"' in topics_job.replace("$$", "$")
    assert "retention.ms" in topics_job
    assert "KAFKA_REPLICATION_FACTOR" in str(services["kafka-topics"]["environment"])
