"""`talent db migrate`: a service's Alembic migrations, also run by `talent dev up`.

Kept apart from the dev stack: migration jobs and init containers of the production
images run this module, which needs neither the development tools nor honcho.
"""

from __future__ import annotations

from alembic import command
from alembic.config import Config

from talent_cli.services import ServiceSpec


def migrate(spec: ServiceSpec, url: str) -> None:
    """`alembic upgrade head` for one service's database."""
    config = Config(str(spec.alembic_ini_path()))
    # Alembic options go through ConfigParser interpolation: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")


def schema_revisions(spec: ServiceSpec, url: str) -> tuple[set[str], set[str]]:
    """(the database's current revisions, the code's head revisions)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sqlalchemy import NullPool, create_engine

    from talent_platform.db.session import sync_url

    script = ScriptDirectory.from_config(Config(str(spec.alembic_ini_path())))
    engine = create_engine(sync_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    finally:
        engine.dispose()
    return current, set(script.get_heads())
