"""`talent db migrate --service S` and its `--check` (what init containers wait on)."""

from __future__ import annotations

from pathlib import Path

import pytest

from talent_cli.main import main
from talent_devtools.postgres import create_database, drop_database
from talent_devtools.testing import isolated_database_name


def test_migrate_then_check_reports_head(
    postgres_admin_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    name = isolated_database_name("cli_migrate")
    url = create_database(postgres_admin_url, name, drop_existing=True)
    state = ["--state-dir", str(tmp_path)]
    try:
        command = ["db", "migrate", "--service", "learning", "--database-url", url, *state]
        assert main([*command, "--check"]) == 1
        assert "database at no revision, code expects" in capsys.readouterr().err
        assert main(command) == 0
        assert "learning: migrated to head" in capsys.readouterr().out
        assert main([*command, "--check"]) == 0
        assert "learning: database at head" in capsys.readouterr().out
    finally:
        drop_database(postgres_admin_url, name)
