"""Virus scanning against Debian's real clamd (not a stand-in), through the real upload path.

freshclam cannot fetch signatures offline, but clamd starts with any database folder holding a
signature file: the test writes the EICAR test file's signatures (its hash, and its bytes anywhere in
a file, so EICAR carried inside an otherwise valid PDF is found too), starts a private clamd on a
unix socket in a temporary folder, and uploads through ``documents.stream_upload`` as the request
and message pages do.
"""

from __future__ import annotations

import hashlib
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from sen_portal.config import Settings, settings_from_env
from sen_portal.models import ContainerKind, ScanStatus, StoredDocument
from sen_portal.services.documents.document_upload import SCAN_UNAVAILABLE, UploadRefused, stream_upload
from tests.ops.realistic_data import a_pdf
from tests.run_async import run_async
from tests.service.message_helpers import user

pytestmark = [pytest.mark.ops, pytest.mark.service]

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
# The EICAR anti-virus test file: harmless, and every scanner is meant to report it.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


class PrivateClamd:
    def __init__(self, folder: Path) -> None:
        database = folder / "signatures"
        database.mkdir(parents=True)
        (database / "eicar.hdb").write_text(f"{hashlib.md5(EICAR).hexdigest()}:{len(EICAR)}:Eicar-Test-File\n")
        (database / "eicar.ndb").write_text(f"Eicar-Test-Body:0:*:{EICAR.hex()}\n")
        (folder / "tmp").mkdir()
        self.socket = folder / "clamd.sock"
        config = folder / "clamd.conf"
        config.write_text(
            f"Foreground yes\nLocalSocket {self.socket}\nDatabaseDirectory {database}\n"
            f"LogFile {folder / 'clamd.log'}\nTemporaryDirectory {folder / 'tmp'}\nStreamMaxLength 30M\n"
        )
        self.process = subprocess.Popen(
            [CLAMD, "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 120
        while not self.answers_ping():
            assert self.process.poll() is None, (folder / "clamd.log").read_text()
            assert time.monotonic() < deadline, "clamd did not start"
            time.sleep(0.2)

    def answers_ping(self) -> bool:
        try:
            with socket.socket(socket.AF_UNIX) as connection:
                connection.settimeout(5)
                connection.connect(str(self.socket))
                connection.sendall(b"zPING\0")
                return connection.recv(16).startswith(b"PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)


@pytest.fixture
def clamd(tmp_path: Path) -> Iterator[PrivateClamd]:
    if not Path(CLAMD).exists():
        pytest.skip("clamd is not installed (make clamav installs Debian's clamav-daemon)")
    server = PrivateClamd(tmp_path / "clamd")
    yield server
    server.stop()


def settings_with(clamd: PrivateClamd, tmp_path: Path) -> Settings:
    return settings_from_env({"DOCUMENT_STORE_DIR": str(tmp_path / "documents"), "CLAMD_SOCKET": str(clamd.socket)})


def upload(session: Session, settings: Settings, owner_id: int, name: str, data: bytes) -> StoredDocument | None:
    async def chunks():
        class Chunk:
            filename, offset, content_type = name, 0, "application/pdf"

        for start in range(0, len(data), 4096):
            chunk = Chunk()
            chunk.data = data[start : start + 4096]  # type: ignore[attr-defined]
            yield chunk

    def finish(writer):
        document = writer.finish(session, container_kind=ContainerKind.DRAFT, container_id=None)
        session.commit()
        return document

    return run_async(
        stream_upload(
            settings, chunks(), owner_user_id=owner_id, already_stored_bytes=0, already_stored_count=0, finish=finish
        )
    )


def stored_files(settings: Settings) -> list[Path]:
    return [p for p in settings.document_store_dir.rglob("*") if p.is_file()]


def test_eicar_is_refused_and_a_clean_pdf_is_stored(session: Session, clamd: PrivateClamd, tmp_path: Path) -> None:
    settings = settings_with(clamd, tmp_path)
    owner = user(session, "sam.senco@school.example.org")
    assert owner.id

    infected = a_pdf(1) + b"\n" + EICAR + b"\n"  # a valid PDF, so only the scanner can object
    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner.id, "report.pdf", infected)
    assert refused.value.message == "report.pdf contains a virus – we cannot accept it"
    assert session.exec(select(StoredDocument)).all() == [] and stored_files(settings) == []

    clean = upload(session, settings, owner.id, "plan.pdf", a_pdf(2))
    assert clean is not None and clean.scan_status == ScanStatus.CLEAN
    assert [p.name for p in stored_files(settings)] == [clean.storage_name]


def test_a_stopped_clamd_fails_closed_with_a_clear_message(
    session: Session, clamd: PrivateClamd, tmp_path: Path
) -> None:
    settings = settings_with(clamd, tmp_path)
    owner = user(session, "sam.senco@school.example.org")
    assert owner.id
    clamd.stop()
    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner.id, "plan.pdf", a_pdf(3))
    assert refused.value.message == SCAN_UNAVAILABLE  # "We could not check this file for viruses. Try again later."
    assert session.exec(select(StoredDocument)).all() == [] and stored_files(settings) == []
