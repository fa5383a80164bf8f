"""Alembic environment: SQLModel's metadata and the URL from our settings.

A caller (tests, the CLI) may pass a URL with ``config.attributes["database_url"]``.
"""

from __future__ import annotations

from logging.config import fileConfig

from sqlmodel import SQLModel

import sen_portal.models  # noqa: F401 - registers every table on the metadata
from alembic import context
from sen_portal.config import get_settings
from sen_portal.db import make_engine
from sen_portal.operations.schema import refuse_newer_database

config = context.config
if config.config_file_name is not None and not config.attributes.get("skip_logging"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = SQLModel.metadata


def database_url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    context.configure(url=database_url(), target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = make_engine(database_url())
    with engine.connect() as connection:
        refuse_newer_database(connection, context.script)  # an older checkout never touches a newer schema
        connection.commit()  # end the read's implicit transaction: the PRAGMA below must run outside one
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode alters a SQLite table by rebuilding it (copy, DROP, rename). With foreign keys on
            # (sen_portal.db turns them on) the DROP deletes every row that cascades from the old table and
            # fails on every RESTRICT reference, so downgrades lost email tokens and sessions or failed once
            # referrals existed. SQLite's own recipe: keys off while altering (outside any transaction),
            # then check them all (tests/service/test_migration_data.py).
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        # Batch mode lets ALTER TABLE work on SQLite too.
        context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.rollback()
            if broken:
                raise RuntimeError(f"migration left rows pointing at missing rows: {broken[:10]}")
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
