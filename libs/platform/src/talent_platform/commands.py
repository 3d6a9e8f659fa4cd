"""Commands a service adds to the `talent` command line.

A service names a module in its pyproject.toml,

    [project.entry-points."talent.cli"]
    recommender = "talent_recommender.cli"

and `talent` (libs/cli) adds the command `recommender` whenever that package is installed:
the CLI imports no service, and each image's `talent` carries its own service's commands.
The module provides `add_commands` and `run` (`ServiceCommands`); what a command needs
from the CLI (the running dev stack's database, migrations, progress output) comes through
`CommandContext`, so the service imports nothing of the CLI either. `talent --help` imports
every such module: keep their imports inside `run`.
"""

from __future__ import annotations

import argparse
from typing import Final, Protocol

ENTRY_POINT_GROUP: Final = "talent.cli"


class CommandContext(Protocol):
    """What `talent` offers the commands it runs."""

    def progress(self, message: str) -> None:
        """Say how far a long command got (a line on stderr)."""
        ...

    def database_url(self, service: str) -> str:
        """The service's database: the running dev stack's, else the service's settings'."""
        ...

    def migrate(self, service: str, database_url: str) -> None:
        """Migrate a database of the service to head, as `talent db migrate` does."""
        ...


class ServiceCommands(Protocol):
    """The module an entry point of `talent.cli` names."""

    def add_commands(
        self,
        commands: argparse._SubParsersAction[argparse.ArgumentParser],
        common: argparse.ArgumentParser,
    ) -> None:
        """Add one command, named like the entry point, to `commands`; `common` is the
        parent parser of the CLI's shared options (`--state-dir`)."""
        ...

    def run(self, args: argparse.Namespace, context: CommandContext) -> int:
        """Run the parsed command; the exit code (0 success, 1 failure, 2 usage)."""
        ...
