"""Fixtures of the deployment checks; the checks themselves are in deploy_checks.py."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent))

from deploy_checks import BASE, COMPOSE, PRODUCTION, ROOT, Resource, render


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="session")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.fixture(scope="session")
def base_resources() -> list[Resource]:
    return render(BASE)


@pytest.fixture(scope="session")
def production_resources() -> list[Resource]:
    return render(PRODUCTION)


@pytest.fixture(scope="session")
def subgraphs() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((ROOT / "gateway" / "subgraphs.json").read_text())
    return loaded
