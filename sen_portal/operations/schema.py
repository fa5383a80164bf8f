"""Refuse to migrate a database that a newer release has already migrated.

Alembic alone stops with "Can't locate revision identified by '0011'", which reads like a broken
install. The usual cause is an old checkout (or a rolled-back deploy) pointed at a database a newer
release upgraded; running the old code against it would fail in stranger ways later. So the
migration environment calls this first and stops with words that say what happened and what to do.
"""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy.engine import Connection


def unknown_revisions(connection: Connection, script: ScriptDirectory) -> list[str]:
    """The database's current revisions that this code's migrations do not contain."""
    if connection.in_transaction():
        current = MigrationContext.configure(connection).get_current_heads()
    else:
        # A transaction of its own, ended here: left open, it would swallow Alembic's, never committed.
        with connection.begin():
            current = MigrationContext.configure(connection).get_current_heads()
    known = {revision.revision for revision in script.walk_revisions()}
    return [revision for revision in current if revision not in known]


def refuse_newer_database(connection: Connection, script: ScriptDirectory) -> None:
    unknown = unknown_revisions(connection, script)
    if unknown:
        heads = ", ".join(script.get_heads())
        raise CommandError(
            f"The database is at schema revision {', '.join(unknown)}, which this release's code does not know "
            f"(its newest is {heads}): a newer release has migrated this database. Nothing was changed. "
            "Deploy that newer release (or restore the backup taken before the upgrade); do not run this "
            "release's code or migrations against it."
        )
