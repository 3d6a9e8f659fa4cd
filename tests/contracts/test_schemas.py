"""Checked-in SDLs and the supergraph must match the code and compose."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
GATEWAY = ROOT / "gateway"
SUBGRAPHS: dict[str, dict[str, str]] = json.loads((GATEWAY / "subgraphs.json").read_text())


@pytest.mark.parametrize("name", sorted(SUBGRAPHS))
def test_checked_in_sdl_matches_the_code(name: str) -> None:
    module = importlib.import_module(f"talent_{name}.schema")
    printed = module.schema.as_str() + "\n"
    path = (GATEWAY / SUBGRAPHS[name]["schema"]).resolve()
    assert path.read_text() == printed, (
        f"{path.relative_to(ROOT)} is stale: run `make schema` and commit it"
    )


def test_supergraph_composes_and_is_current() -> None:
    node = shutil.which("node")
    assert node, "node is required to compose the supergraph"
    assert (GATEWAY / "node_modules").is_dir(), "run `make install` (npm ci in gateway/)"
    result = subprocess.run(
        [node, "compose.mjs", "--check"], cwd=GATEWAY, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_composed_schema_has_one_employee_with_fields_from_both_services() -> None:
    supergraph = (GATEWAY / "supergraph.graphql").read_text()
    declarations = re.findall(r"^type Employee[ {].*$", supergraph, flags=re.MULTILINE)
    assert len(declarations) == 1
    assert "@join__type(graph: LEARNING" in declarations[0]
    assert "@join__type(graph: PEOPLE" in declarations[0]
    employee = supergraph[supergraph.index(declarations[0]) :]
    employee = employee[: employee.index("\n}")]
    assert "directReports" in employee
    assert "completions" in employee
