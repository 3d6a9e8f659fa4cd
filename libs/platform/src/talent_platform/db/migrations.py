"""Shared body of every service's Alembic `env.py`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import MetaData, create_engine, pool

from talent_platform.db.session import sync_url


def run_migrations(context: Any, metadata: MetaData, *, default_url: Callable[[], str]) -> None:
    """Run offline or online migrations. The URL comes from `sqlalchemy.url` in the
    Alembic config (tests and the CLI set it), else from the service's settings."""
    url = context.config.get_main_option("sqlalchemy.url") or default_url()
    url = sync_url(url)
    options: dict[str, Any] = {
        "target_metadata": metadata,
        "compare_type": True,
        "compare_server_default": False,
    }
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
