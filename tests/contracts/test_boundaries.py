"""Services never import each other; shared code lives only in libs/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
SERVICES = sorted(p.name for p in (ROOT / "services").iterdir() if (p / "pyproject.toml").exists())


def imported_modules(source: Path) -> set[str]:
    found: set[str] = set()
    for path in source.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("service", SERVICES)
def test_service_imports_no_other_service(service: str) -> None:
    others = {f"talent_{s}" for s in SERVICES if s != service}
    used = imported_modules(ROOT / "services" / service)
    assert not used & others, f"{service} imports {sorted(used & others)}"


@pytest.mark.parametrize("lib", ["contracts", "platform"])
def test_libraries_import_no_service(lib: str) -> None:
    services = {f"talent_{s}" for s in SERVICES} | {"talent_cli"}
    used = imported_modules(ROOT / "libs" / lib / "src")
    assert not used & services


def test_contracts_depend_on_pydantic_only() -> None:
    used = imported_modules(ROOT / "libs" / "contracts" / "src")
    assert used <= {
        "talent_contracts",
        "pydantic",
        "__future__",
        "datetime",
        "uuid",
        "typing",
        "re",
        "collections",
    }
