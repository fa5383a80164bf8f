"""Management commands: ``python -m sen_portal.cli COMMAND``.

Each command is a small function registered in ``COMMANDS``; it opens its own
database session and prints a short report for the operator.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import time
from collections.abc import Callable

from sen_portal.config import SettingsError, get_settings

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Handler, Callable[[argparse.ArgumentParser], None], str]] = {}


def command(name: str, help_text: str, arguments: Callable[[argparse.ArgumentParser], None] = lambda p: None):
    """Register a management command."""

    def register(function: Handler) -> Handler:
        COMMANDS[name] = (function, arguments, help_text)
        return function

    return register


@command(
    "send-test-email", "Send a test email through the configured mail backend now.", lambda p: p.add_argument("address")
)
def send_test_email(args: argparse.Namespace) -> int:
    from sen_portal.email.transports import PermanentSendError, TransientSendError, transport_for
    from sen_portal.services.platform.branding import branding

    settings = get_settings()
    from sen_portal.email.builders import test_email

    message = test_email(to=args.address, branding=branding(settings))
    try:
        message_id = transport_for(settings).send(message)
    except (TransientSendError, PermanentSendError) as error:
        print(f"Could not send: {error}", file=sys.stderr)
        return 1
    print(f"Sent a test email to {args.address} with {settings.mail_backend} (id {message_id or 'n/a'}).")
    return 0


@command(
    "outbox-worker",
    "Send queued emails until stopped (for deployments with several workers).",
    lambda p: p.add_argument("--once", action="store_true", help="send what is due, then exit"),
)
def outbox_worker(args: argparse.Namespace) -> int:
    from sen_portal.db import get_engine
    from sen_portal.email.transports import transport_for
    from sen_portal.services.platform.outbox import send_due

    settings = get_settings()
    transport = transport_for(settings)
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while True:
        report = send_due(get_engine(), transport)
        if report.sent or report.retried or report.dead:
            print(f"outbox: sent {report.sent}, retrying {report.retried}, dead {report.dead}", flush=True)
        if args.once or stopping:
            return 0
        if not (report.sent or report.retried or report.dead):
            time.sleep(1.0)


@command("seed-demo", "Load lookup lists, and demo addresses when DEMO_DATA is on (idempotent).")
def seed_demo(args: argparse.Namespace) -> int:
    from sen_portal.db import session_scope
    from sen_portal.services.platform.seed import seed_demo_data

    demo_addresses = get_settings().demo_data
    with session_scope() as session:
        report = seed_demo_data(session, demo_addresses=demo_addresses)
    print(report)
    return 0


@command(
    "import-addresses",
    "Load addresses from a CSV file (uprn,line1,line2,line3,town,postcode); a known UPRN is updated.",
    lambda p: p.add_argument("file", help="path to the CSV file"),
)
def import_addresses(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.db import session_scope
    from sen_portal.services.addresses.address_import import AddressImportError, import_addresses_csv

    path = Path(args.file)
    if not path.is_file():
        print(f"No such file: {path}", file=sys.stderr)
        return 1
    try:
        with session_scope() as session:
            report = import_addresses_csv(session, path)
    except (AddressImportError, OSError) as error:
        print(f"Could not import {path}: {error}", file=sys.stderr)
        return 1
    print(f"{path.name}: {report.summary()}")
    for rejection in report.rejected[:10]:
        print(f"  {rejection}")
    if len(report.rejected) > 10:
        print(f"  ... and {len(report.rejected) - 10} more rejected rows")
    return 0


def _create_user_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("email")
    parser.add_argument("--role", required=True, choices=["caseworker", "admin"])
    parser.add_argument("--first-name", default="")
    parser.add_argument("--last-name", default="")


@command(
    "create-user",
    "Create a council staff account (verified, no password) and email it a link to set a password.",
    _create_user_arguments,
)
def create_user(args: argparse.Namespace) -> int:
    from sen_portal.db import session_scope
    from sen_portal.services.accounts.staff_accounts import StaffAccountError, create_staff_user
    from sen_portal.services.auth.password_reset import SET_PASSWORD_LINK_LIFETIME

    settings = get_settings()
    try:
        with session_scope() as session:
            user = create_staff_user(
                session,
                email=args.email,
                role=args.role,
                first_name=args.first_name,
                last_name=args.last_name,
                settings=settings,
            )
            email, role = user.email, user.role
    except StaffAccountError as error:
        print(f"Could not create the account: {error}", file=sys.stderr)
        return 1
    hours = int(SET_PASSWORD_LINK_LIFETIME.total_seconds() // 3600)
    print(
        f"Created a staff account ({role}) for {email} and queued an email with a link to set a password "
        f"(valid {hours} hours)."
    )
    return 0


@command(
    "export-form-schema",
    "Write the JSON Schema of form definitions (for editors checking YAML), to PATH or stdout.",
    lambda p: p.add_argument("path", nargs="?", help="file to write (default: standard output)"),
)
def export_form_schema(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.forms.loading import form_json_schema_text

    text = form_json_schema_text()
    if not args.path or args.path == "-":
        sys.stdout.write(text)
        return 0
    Path(args.path).write_text(text, encoding="utf-8")
    print(f"Wrote the form definition schema to {args.path}.")
    return 0


@command(
    "check-form",
    "Check a form definition YAML file: every problem is listed with where it is.",
    lambda p: p.add_argument("path", help="the YAML file"),
)
def check_form(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.forms.loading import FormDefinitionError, load_definition

    try:
        definition = load_definition(Path(args.path).read_bytes())  # not UTF-8: explained by the loader
    except (FormDefinitionError, OSError) as error:
        print(f"{args.path}:\n{error}", file=sys.stderr)
        return 1
    sections, fields = len(definition.sections), sum(len(section.fields) for section in definition.sections)
    print(f"{args.path}: {definition.key} v{definition.version} is valid ({sections} sections, {fields} fields).")
    return 0


@command(
    "publish-form",
    "Publish a form definition (YAML) as the new live version of its form.",
    lambda p: p.add_argument(
        "path", help="a YAML file, e.g. a copy of sen_portal/forms/definitions/ehc_needs_assessment.yaml"
    ),
)
def publish_form(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.db import session_scope
    from sen_portal.forms import FormDefinitionError
    from sen_portal.forms.loading import parse_definition_text
    from sen_portal.services.referrals.drafts import publish_version

    path = Path(args.path)
    if not path.is_file():
        print(f"No such file: {path}", file=sys.stderr)
        return 1
    try:
        data = parse_definition_text(path.read_bytes())
        with session_scope() as session:
            version = publish_version(session, definition=data)
            key, number = version.form_key, version.version
    except FormDefinitionError as error:
        print(f"The definition was not published: {error}", file=sys.stderr)
        return 1
    print(f"Published {key} version {number}. New requests use it at once; drafts keep their version.")
    return 0


@command(
    "housekeeping",
    "Remove expired links, sessions, rate-limit rows, unverified accounts, untouched drafts (owners warned first)"
    " and orphan files.",
)
def housekeeping(args: argparse.Namespace) -> int:
    from sen_portal.db import session_scope
    from sen_portal.services.platform.housekeeping import run_housekeeping

    with session_scope() as session:
        report = run_housekeeping(session, get_settings())
    print(report)
    return 0


def _backup_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", help="a new folder for this backup (or, with --dated, the folder to put it in)")
    parser.add_argument("--dated", action="store_true", help="write to FOLDER/sen-portal-<UTC date and time>")


@command(
    "backup",
    "Back up the database, the documents (with SHA-256 sums), form definitions and settings while the portal runs.",
    _backup_arguments,
)
def backup(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.operations.archive import BackupError
    from sen_portal.operations.backup import backup as write_backup
    from sen_portal.operations.backup import dated_folder

    target = dated_folder(Path(args.folder)) if args.dated else Path(args.folder)
    try:
        report = write_backup(get_settings(), target)
    except (BackupError, OSError) as error:
        print(f"Backup failed: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 1 if report.problems else 0


@command(
    "restore",
    "Restore a backup into an EMPTY database (DATABASE_URL) and EMPTY document folder (DOCUMENT_STORE_DIR).",
    lambda p: p.add_argument("folder", help="a folder written by the backup command"),
)
def restore(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.operations.archive import BackupError
    from sen_portal.operations.restore import restore as restore_backup

    try:
        report = restore_backup(get_settings(), Path(args.folder))
    except (BackupError, OSError) as error:
        print(f"Restore refused: {error}", file=sys.stderr)
        return 1
    print(report.summary())
    return 0


def _render_deploy_arguments(parser: argparse.ArgumentParser) -> None:
    from sen_portal.operations.deploy_render import DEFAULT_CONFIG, DEFAULT_OUTPUT

    parser.add_argument("--config", default=str(DEFAULT_CONFIG), help="the variables (default: deploy/deploy.conf)")
    parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="where to write (default: deploy/rendered)")
    parser.add_argument(
        "--env-file", help="the portal's production env file, for MAX_FILE_MB (default: SEN_ENV_FILE if readable)"
    )


@command(
    "render-deploy",
    "Write the nginx site and systemd units from deploy/templates with the values in deploy/deploy.conf.",
    _render_deploy_arguments,
)
def render_deploy(args: argparse.Namespace) -> int:
    from pathlib import Path

    from sen_portal.operations.deploy_render import (
        DeployConfigError,
        max_file_mb_from,
        read_config,
        render_all,
        write_rendered,
    )

    try:
        config = read_config(Path(args.config))
        env_file = Path(args.env_file or config.get("SEN_ENV_FILE", "") or "/nonexistent")
        written = write_rendered(render_all(config, max_file_mb=max_file_mb_from(env_file)), Path(args.output))
    except (DeployConfigError, OSError) as error:
        print(f"Could not render the deployment files: {error}", file=sys.stderr)
        return 1
    for path in written:
        print(f"wrote {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    parser = argparse.ArgumentParser(prog="python -m sen_portal.cli", description=__doc__.splitlines()[0])
    subparsers = parser.add_subparsers(dest="command", required=True)
    for name, (_function, arguments, help_text) in COMMANDS.items():
        arguments(subparsers.add_parser(name, help=help_text, description=help_text))
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][0](args)
    except SettingsError as error:
        print(f"Configuration error: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
