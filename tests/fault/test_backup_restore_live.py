"""Backup while the portal is in use, restore into a fresh database and document store, serve it.

Realistic records (accounts with passwords, a sent request with documents, a message thread with an
attachment, two versions of the EHC form) are made by the services; then a professional's request
journey runs in its own process (the request pages' services: uploads, saves, send) and the backup
is taken, as its own ``python -m sen_portal.cli backup`` process, once that journey has started
uploading. The backup is restored with ``cli restore`` into a new PostgreSQL database and an empty
document folder, a production portal is started on it, and in a real browser the professional signs
in and reads their request, and every document of it and the message attachment downloads with the
SHA-256 of the bytes first uploaded.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from sen_portal.config import settings_from_env
from sen_portal.db import make_engine
from sen_portal.models import StoredDocument
from sen_portal.services.documents import document_store
from tests.conftest import PROJECT_ROOT, throwaway_postgres_database
from tests.e2e.harness import Mailbox, start_portal, stop_portal
from tests.e2e.journeys import sign_in
from tests.fault.conftest import make_user, portal_env
from tests.ops.realistic_data import CASEWORKER, PASSWORD, PROFESSIONAL, make_realistic_data


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sen_portal.cli", *args],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def fresh_database() -> Iterator[str]:
    with throwaway_postgres_database("sen_restored") as url:
        yield url.replace("postgresql://", "postgresql+psycopg://", 1)


def backup_during_a_journey(env: dict[str, str], user_id: int, folder: Path) -> subprocess.CompletedProcess[str]:
    """Start a request journey; once its first document is stored, back up while it carries on."""
    journey = subprocess.Popen(
        [sys.executable, "-m", "tests.fault.driver", "journey", str(user_id)],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert journey.stdout is not None
        for line in journey.stdout:
            if line.startswith("{") and json.loads(line).get("step") == "uploaded":
                break
        result = cli(env, "backup", str(folder))
        rest, errors = journey.communicate(timeout=120)
    finally:
        if journey.poll() is None:
            journey.kill()
    assert journey.returncode == 0, errors[-2000:]
    assert '"step": "submitted"' in rest  # the journey went on to send its request during/after the backup
    return result


def test_backup_under_load_restores_into_a_portal_that_serves_every_document(
    pg_engine: Engine, postgresql_url: str, fresh_database: str, tmp_path: Path, browser: Browser
) -> None:
    env = portal_env(postgresql_url, tmp_path / "source")
    settings = settings_from_env(env)
    with Session(pg_engine, expire_on_commit=False) as session:
        data = make_realistic_data(session, settings)
    writer_id = make_user(pg_engine, "busy.senco@school.example.org")

    folder = tmp_path / "backup"
    result = backup_during_a_journey(env, writer_id, folder)
    assert result.returncode == 0, result.stderr
    assert "problem" not in result.stdout, result.stdout

    restored_base = tmp_path / "restored"
    restored_env = {**env, "DATABASE_URL": fresh_database, "DOCUMENT_STORE_DIR": str(restored_base / "documents")}
    result = cli(restored_env, "restore", str(folder))
    assert result.returncode == 0, result.stderr
    # A second restore would merge into what is now a live database: refused, in words.
    again = cli(restored_env, "restore", str(folder))
    assert again.returncode == 1 and "restore only into a new, empty database" in again.stderr

    # Every document row the restored database holds has its file, with the bytes its SHA-256 says.
    restored_engine = make_engine(fresh_database)
    restored_settings = settings_from_env(restored_env)
    with Session(restored_engine) as session:
        rows = session.exec(select(StoredDocument).where(StoredDocument.deleted_at.is_(None))).all()
        assert set(data.document_hashes) <= {row.public_id for row in rows}
        for row in rows:
            path = document_store.path_for(restored_settings, row.storage_name)
            assert hashlib.sha256(path.read_bytes()).hexdigest() == row.sha256
    restored_engine.dispose()

    portal = start_portal(
        restored_base,
        extra_env={
            "DATABASE_URL": fresh_database,
            "DOCUMENT_STORE_DIR": str(restored_base / "documents"),
            "SECRET_KEY": env["SECRET_KEY"],  # the pepper: without the same one no password works
        },
    )
    try:
        mailbox = Mailbox(portal.mail_dir)
        for email, documents in (
            (PROFESSIONAL, data.document_hashes),  # their request's documents and the letter sent to them
            (CASEWORKER, data.document_hashes),
        ):
            context = browser.new_context(base_url=portal.url)
            page = context.new_page()
            sign_in(page, mailbox, email, PASSWORD)
            if email == PROFESSIONAL:
                page.goto(f"/requests/view?id={data.referral_public_id}")
                expect(page.locator("main")).to_contain_text(data.reference)
            for public_id, original in documents.items():
                response = page.request.get(f"/documents/{public_id}")
                assert response.status == 200, (email, public_id, response.status)
                assert hashlib.sha256(response.body()).hexdigest() == original
            context.close()
    finally:
        stop_portal(portal)
