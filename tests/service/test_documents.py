"""Document storage against real SQLite and PostgreSQL, real files, and a clamd stand-in on a unix socket."""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import stat
import struct
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlmodel import Session, col, select

from sen_portal.config import PROJECT_ROOT, Settings, settings_from_env
from sen_portal.models import StoredDocument, UserAccount
from sen_portal.services.documents import document_store, virus_scan
from sen_portal.services.documents import streaming as documents
from sen_portal.services.documents.streaming import (
    SCAN_UNAVAILABLE,
    DocumentNotFound,
    UploadRefused,
    attach,
    begin_upload,
    mark_deleted,
    open_for_download,
    stored_totals,
    sweep_orphans,
)
from tests.unit.test_file_types import minimal_pdf, real_docm, real_docx

pytestmark = pytest.mark.service

MB = 1024 * 1024
# The EICAR anti-virus test string, assembled so this source file is not itself flagged.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


# ---- helpers ----------------------------------------------------------------------------------


def make_settings(tmp_path: Path, **overrides: str) -> Settings:
    env = {"DOCUMENT_STORE_DIR": str(tmp_path / "store"), "MAX_FILE_MB": "1", "MAX_REFERRAL_MB": "2"}
    env["MAX_FILES_PER_REFERRAL"] = "3"
    return settings_from_env(env | overrides)


def make_user(session: Session, email: str) -> int:
    user = UserAccount(email=email)
    session.add(user)
    session.commit()
    assert user.id is not None
    return user.id


@pytest.fixture
def owner(session: Session) -> int:
    return make_user(session, "senco@school.example.org")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


def pdf_of_size(size: int) -> bytes:
    start = minimal_pdf()
    return start + b"%" + b"x" * (size - len(start) - 1)


def upload(
    session: Session,
    settings: Settings,
    *,
    owner: int,
    data: bytes,
    filename: str = "EP advice.pdf",
    container_kind: str = "draft",
    container_id: int | None = None,
    chunk_size: int = 64 * 1024,
) -> StoredDocument:
    count, total = stored_totals(session, container_kind=container_kind, container_id=container_id)
    with begin_upload(
        settings, filename=filename, owner_user_id=owner, already_stored_bytes=total, already_stored_count=count
    ) as writer:
        for start in range(0, len(data), chunk_size):
            writer.write(data[start : start + chunk_size])
        return writer.finish(
            session, container_kind=container_kind, container_id=container_id, slot="evidence", document_type="EP"
        )


class CountingChunks:
    """An endless stream of chunks that remembers how many were taken."""

    def __init__(self, first: bytes, chunk_size: int) -> None:
        self.taken = 0
        self._first = first
        self._chunk_size = chunk_size

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        self.taken += 1
        return self._first if self.taken == 1 else b"y" * self._chunk_size


def files_under(folder: Path) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file()] if folder.exists() else []


def assert_nothing_stored(session: Session, settings: Settings) -> None:
    assert files_under(settings.document_store_dir) == []
    assert session.exec(select(StoredDocument)).all() == []


# ---- a clamd stand-in -------------------------------------------------------------------------


class FakeClamd:
    """Speaks clamd's INSTREAM protocol on a unix socket: FOUND for EICAR, OK otherwise.

    ``mode="error"`` answers with an error; ``mode="silent"`` reads the file and never answers.
    """

    def __init__(self, path: Path, mode: str = "scan") -> None:
        self.path = path
        self.mode = mode
        self.received: list[bytes] = []
        self.commands: list[bytes] = []
        self._stop = threading.Event()
        self._listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._listener.bind(str(path))
        self._listener.listen()
        self._listener.settimeout(0.1)  # lets the loop see the stop flag
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._listener.close()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            # OSError: the client gave up (the timeout test); serve the next one.
            with connection, contextlib.suppress(OSError):
                connection.settimeout(None)
                self._handle(connection)

    def _handle(self, connection: socket.socket) -> None:
        command = b""
        while not command.endswith(b"\0"):
            command += connection.recv(1)
        self.commands.append(command)
        if command != b"zINSTREAM\0":
            connection.sendall(b"UNKNOWN COMMAND\0")
            return
        data = bytearray()
        while length := struct.unpack(">I", self._exactly(connection, 4))[0]:
            data += self._exactly(connection, length)
        self.received.append(bytes(data))
        if self.mode == "silent":
            self._stop.wait()
        elif self.mode == "error":
            connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")
        elif EICAR in data:
            connection.sendall(b"stream: Eicar-Signature FOUND\0")
        else:
            connection.sendall(b"stream: OK\0")

    @staticmethod
    def _exactly(connection: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            piece = connection.recv(size - len(data))
            if not piece:
                raise ConnectionError("client went away")
            data += piece
        return data


@pytest.fixture
def clamd_factory(tmp_path: Path) -> Iterator:
    servers: list[FakeClamd] = []

    def start(mode: str = "scan") -> FakeClamd:
        server = FakeClamd(tmp_path / f"clamd-{len(servers)}.sock", mode)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# ---- storing ----------------------------------------------------------------------------------


def test_upload_is_stored_privately_with_its_name_only_as_metadata(
    session: Session, settings: Settings, owner: int
) -> None:
    data = pdf_of_size(300_000)

    document = upload(session, settings, owner=owner, data=data, filename="C:\\fakepath\\Amelia EP advice.pdf")
    session.commit()

    stored = session.exec(select(StoredDocument)).one()
    assert stored.id == document.id
    assert stored.original_name == "Amelia EP advice.pdf"
    assert stored.content_type == "application/pdf"
    assert stored.size_bytes == len(data)
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert stored.scan_status == "not_scanned"
    assert (stored.container_kind, stored.container_id, stored.slot, stored.document_type) == (
        "draft",
        None,
        "evidence",
        "EP",
    )
    assert len(stored.public_id) == 22 and stored.public_id != str(stored.id)

    path = document_store.path_for(settings, stored.storage_name)
    assert files_under(settings.document_store_dir) == [path]
    assert path.read_bytes() == data
    assert "Amelia" not in str(path) and "advice" not in str(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for folder in [settings.document_store_dir, path.parent, path.parent.parent]:
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_the_default_store_is_outside_every_public_folder() -> None:
    store = settings_from_env({}).document_store_dir.resolve()

    for public in ["assets", ".web", "uploaded_files"]:
        assert not store.is_relative_to((PROJECT_ROOT / public).resolve())


def test_a_file_exactly_at_the_cap_is_accepted(session: Session, settings: Settings, owner: int) -> None:
    document = upload(session, settings, owner=owner, data=pdf_of_size(1 * MB))

    assert document.size_bytes == 1 * MB


def test_streaming_stops_at_the_file_cap_without_reading_further(
    session: Session, settings: Settings, owner: int
) -> None:
    chunk_size = 256 * 1024
    chunks = CountingChunks(pdf_of_size(chunk_size), chunk_size)
    writer = begin_upload(
        settings, filename="huge.pdf", owner_user_id=owner, already_stored_bytes=0, already_stored_count=0
    )

    with pytest.raises(UploadRefused) as refused:
        for chunk in chunks:
            writer.write(chunk)

    assert refused.value.message == "huge.pdf must be smaller than 1MB"
    assert chunks.taken == 5  # 4 x 256KB = 1MB is allowed; the fifth chunk goes over
    assert next(chunks)  # the stream was not read to its end
    assert_nothing_stored(session, settings)
    with pytest.raises(RuntimeError):
        writer.write(b"more")


def test_wrong_content_is_refused_on_the_first_chunk(session: Session, settings: Settings, owner: int) -> None:
    chunks = CountingChunks(b"MZ\x90\x00" + b"\x00" * 60, 64 * 1024)
    writer = begin_upload(
        settings, filename="report.exe.pdf", owner_user_id=owner, already_stored_bytes=0, already_stored_count=0
    )

    with pytest.raises(UploadRefused) as refused:
        for chunk in chunks:
            writer.write(chunk)

    assert refused.value.message.startswith("report.exe.pdf is not a PDF – it must be")
    assert chunks.taken == 1
    assert_nothing_stored(session, settings)


def test_type_is_checked_even_when_the_first_bytes_arrive_one_at_a_time(
    session: Session, settings: Settings, owner: int
) -> None:
    with pytest.raises(UploadRefused, match="is not a PNG"):
        upload(session, settings, owner=owner, data=minimal_pdf(), filename="scan.png", chunk_size=1)
    assert_nothing_stored(session, settings)


def test_disallowed_extension_is_refused_before_any_bytes(session: Session, settings: Settings, owner: int) -> None:
    with pytest.raises(UploadRefused, match=r"^setup\.exe must be a PDF"):
        begin_upload(
            settings, filename="setup.exe", owner_user_id=owner, already_stored_bytes=0, already_stored_count=0
        )
    assert_nothing_stored(session, settings)


def test_empty_file_is_refused(session: Session, settings: Settings, owner: int) -> None:
    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner=owner, data=b"", filename="scan.pdf")

    assert refused.value.message == "scan.pdf is empty"
    assert_nothing_stored(session, settings)


def test_word_documents_are_checked_whole_and_macros_refused(session: Session, settings: Settings, owner: int) -> None:
    good = upload(session, settings, owner=owner, data=real_docx(), filename="annual review.docx", chunk_size=100)
    assert good.content_type == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    session.commit()

    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner=owner, data=real_docm(), filename="minutes.docx", chunk_size=100)

    assert refused.value.message == (
        "minutes.docx contains macros, which we cannot accept – save it as a .docx without macros"
    )
    assert session.exec(select(StoredDocument.original_name)).all() == ["annual review.docx"]
    assert len(files_under(settings.document_store_dir)) == 1


def test_a_pdf_with_javascript_is_refused_and_nothing_stored(session: Session, settings: Settings, owner: int) -> None:
    """Issue 20 item 4: it used to be stored (``not_scanned``)."""
    from tests.unit.test_pdf_active_content import CATALOG, pdf_with

    active = pdf_with(CATALOG + b"/OpenAction << /S /JavaScript /JS (app.launchURL('x')) >> >>")
    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner=owner, data=active, filename="plan.pdf", chunk_size=64)
    assert refused.value.message == (
        "plan.pdf contains JavaScript, which we cannot accept – save or print it as a plain PDF"
    )
    assert_nothing_stored(session, settings)


# ---- caps per referral ------------------------------------------------------------------------


def test_count_cap_per_referral(session: Session, settings: Settings, owner: int) -> None:
    for number in range(3):
        upload(session, settings, owner=owner, data=minimal_pdf(), filename=f"{number}.pdf", **REFERRAL_7)
    session.commit()
    count, total = stored_totals(session, **REFERRAL_7)
    assert (count, total) == (3, 3 * len(minimal_pdf()))
    assert stored_totals(session, container_kind="referral", container_id=8) == (0, 0)

    with pytest.raises(UploadRefused) as refused:
        begin_upload(
            settings, filename="4.pdf", owner_user_id=owner, already_stored_bytes=total, already_stored_count=count
        )
    assert refused.value.message == "You can upload up to 3 files – remove one to add another"
    assert files_under(settings.document_store_dir / "incoming") == []

    first = session.exec(select(StoredDocument).where(col(StoredDocument.original_name) == "0.pdf")).one()
    mark_deleted(session, settings, public_id=first.public_id, can_delete=lambda _d: True)
    session.commit()
    assert stored_totals(session, **REFERRAL_7)[0] == 2
    upload(session, settings, owner=owner, data=minimal_pdf(), filename="4.pdf", **REFERRAL_7)


REFERRAL_7 = {"container_kind": "referral", "container_id": 7}


def test_total_size_cap_per_referral_stops_the_stream(session: Session, settings: Settings, owner: int) -> None:
    upload(session, settings, owner=owner, data=pdf_of_size(768 * 1024), filename="a.pdf", **REFERRAL_7)
    upload(session, settings, owner=owner, data=pdf_of_size(768 * 1024), filename="b.pdf", **REFERRAL_7)
    session.commit()
    count, total = stored_totals(session, **REFERRAL_7)
    assert total == 2 * 768 * 1024

    chunk_size = 128 * 1024
    chunks = CountingChunks(pdf_of_size(chunk_size), chunk_size)
    writer = begin_upload(
        settings, filename="c.pdf", owner_user_id=owner, already_stored_bytes=total, already_stored_count=count
    )
    with pytest.raises(UploadRefused) as refused:
        for chunk in chunks:
            writer.write(chunk)

    assert (
        refused.value.message == "The files together must be smaller than 2MB – remove a file or choose a smaller one"
    )
    assert chunks.taken == 5  # 512KB of room: four 128KB chunks fit, the fifth does not
    assert next(chunks)
    assert len(files_under(settings.document_store_dir)) == 2
    assert stored_totals(session, **REFERRAL_7) == (2, total)


def test_drafts_are_totalled_per_owner(session: Session, settings: Settings, owner: int) -> None:
    other = make_user(session, "other@school.example.org")
    upload(session, settings, owner=owner, data=minimal_pdf())
    upload(session, settings, owner=other, data=minimal_pdf())
    upload(session, settings, owner=other, data=minimal_pdf())

    assert stored_totals(session, container_kind="draft", container_id=None, owner_user_id=owner)[0] == 1
    assert stored_totals(session, container_kind="draft", container_id=None, owner_user_id=other)[0] == 2


# ---- abort, rollback, sweep -------------------------------------------------------------------


def test_abort_leaves_nothing(session: Session, settings: Settings, owner: int) -> None:
    writer = begin_upload(
        settings, filename="a.pdf", owner_user_id=owner, already_stored_bytes=0, already_stored_count=0
    )
    writer.write(pdf_of_size(200_000))
    assert len(files_under(settings.document_store_dir / "incoming")) == 1

    writer.abort()
    writer.abort()  # twice is fine

    assert_nothing_stored(session, settings)


def test_an_error_inside_the_with_block_aborts(session: Session, settings: Settings, owner: int) -> None:
    with (
        pytest.raises(ConnectionResetError),
        begin_upload(
            settings, filename="a.pdf", owner_user_id=owner, already_stored_bytes=0, already_stored_count=0
        ) as writer,
    ):
        writer.write(minimal_pdf())
        raise ConnectionResetError("browser went away")

    assert_nothing_stored(session, settings)


def test_a_file_whose_transaction_rolls_back_is_removed(session: Session, settings: Settings, owner: int) -> None:
    document = upload(session, settings, owner=owner, data=minimal_pdf())
    path = document_store.path_for(settings, document.storage_name)
    assert path.is_file()

    session.rollback()

    assert not path.exists()
    assert_nothing_stored(session, settings)


def test_a_file_whose_session_closes_uncommitted_is_removed(engine, settings: Settings) -> None:
    with Session(engine) as setup:
        owner = make_user(setup, "senco@school.example.org")
    with Session(engine) as session:
        document = upload(session, settings, owner=owner, data=minimal_pdf())
        path = document_store.path_for(settings, document.storage_name)
        assert path.is_file()

    assert not path.exists()


def test_a_committed_file_stays_through_later_rollbacks(session: Session, settings: Settings, owner: int) -> None:
    document = upload(session, settings, owner=owner, data=minimal_pdf())
    session.commit()
    upload(session, settings, owner=owner, data=minimal_pdf(), filename="second.pdf")
    session.rollback()

    assert files_under(settings.document_store_dir) == [document_store.path_for(settings, document.storage_name)]


def test_sweep_removes_only_old_files_the_database_does_not_account_for(
    session: Session, settings: Settings, owner: int
) -> None:
    now = datetime(2030, 1, 1, tzinfo=UTC)
    kept = upload(session, settings, owner=owner, data=minimal_pdf(), filename="kept.pdf")
    gone = upload(session, settings, owner=owner, data=minimal_pdf(), filename="gone.pdf")
    session.commit()
    # A removal that never happened (say, the disk was read-only): the row says deleted, the file is there.
    session.execute(update(StoredDocument).where(col(StoredDocument.id) == gone.id).values(deleted_at=now))
    session.commit()

    def stray(name: str, age: timedelta) -> Path:
        path = settings.document_store_dir / name if "/" in name else document_store.path_for(settings, name)
        document_store.make_private_dir(path.parent)
        path.write_bytes(b"%PDF-1.4 stray")
        os.utime(path, ((now - age).timestamp(),) * 2)
        return path

    old_orphan = stray(document_store.new_storage_name(), timedelta(days=2))
    young_orphan = stray(document_store.new_storage_name(), timedelta(hours=1))
    old_part = stray("incoming/abandoned.part", timedelta(days=2))
    young_part = stray("incoming/arriving.part", timedelta(hours=1))
    kept_path = document_store.path_for(settings, kept.storage_name)
    os.utime(kept_path, ((now - timedelta(days=30)).timestamp(),) * 2)
    gone_path = document_store.path_for(settings, gone.storage_name)

    report = sweep_orphans(session, settings, older_than=timedelta(days=1), clock=lambda: now)

    assert (report.incomplete_removed, report.orphans_removed, report.deleted_removed) == (1, 1, 1)
    assert not old_orphan.exists() and not old_part.exists() and not gone_path.exists()
    assert young_orphan.exists() and young_part.exists() and kept_path.exists()
    assert sweep_orphans(session, settings, older_than=timedelta(days=1), clock=lambda: now) == (
        documents.SweepReport(0, 0, 0)
    )


# ---- virus scanning ---------------------------------------------------------------------------


def test_clean_file_is_scanned_and_marked_clean(session: Session, tmp_path: Path, owner: int, clamd_factory) -> None:
    clamd = clamd_factory()
    settings = make_settings(tmp_path, CLAMD_SOCKET=str(clamd.path))
    data = pdf_of_size(200_000)  # several INSTREAM chunks

    document = upload(session, settings, owner=owner, data=data)

    assert document.scan_status == "clean"
    assert clamd.commands == [b"zINSTREAM\0"]
    assert clamd.received == [data]


def test_infected_file_is_refused_and_not_stored(session: Session, tmp_path: Path, owner: int, clamd_factory) -> None:
    clamd = clamd_factory()
    settings = make_settings(tmp_path, CLAMD_SOCKET=str(clamd.path))

    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner=owner, data=minimal_pdf() + EICAR, filename="report.pdf")

    assert refused.value.message == "report.pdf contains a virus – we cannot accept it"
    assert len(clamd.received) == 1
    assert_nothing_stored(session, settings)


@pytest.mark.parametrize("failure", ["down", "error", "tcp-down"])
def test_scanner_failure_refuses_the_upload(
    session: Session, tmp_path: Path, owner: int, clamd_factory, failure: str
) -> None:
    if failure == "down":
        address = str(tmp_path / "no-clamd-here.sock")
    elif failure == "tcp-down":
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            address = f"127.0.0.1:{probe.getsockname()[1]}"  # nothing listens once the probe closes
    else:
        address = str(clamd_factory("error").path)
    settings = make_settings(tmp_path, CLAMD_SOCKET=address)

    with pytest.raises(UploadRefused) as refused:
        upload(session, settings, owner=owner, data=minimal_pdf())

    assert refused.value.message == SCAN_UNAVAILABLE == "We could not check this file for viruses. Try again later."
    assert_nothing_stored(session, settings)


def test_a_scanner_that_never_answers_is_given_up_on(tmp_path: Path, clamd_factory) -> None:
    clamd = clamd_factory("silent")
    sample = tmp_path / "sample.pdf"
    sample.write_bytes(minimal_pdf())

    with pytest.raises(virus_scan.ScanUnavailable):
        virus_scan.scan_file(sample, address=str(clamd.path), timeout=0.2)


# ---- downloads, removal, attaching ------------------------------------------------------------


def test_download_is_allowed_only_when_the_policy_says_so(session: Session, settings: Settings, owner: int) -> None:
    document = upload(session, settings, owner=owner, data=minimal_pdf())
    session.commit()
    seen: list[StoredDocument] = []

    def owner_only(candidate: StoredDocument) -> bool:
        seen.append(candidate)
        return candidate.owner_user_id == owner

    found, path = open_for_download(
        session, settings, public_id=document.public_id, requester_user_id=owner, requester_is_staff=False,
        can_access=owner_only,
    )  # fmt: skip
    assert found.id == document.id and path.read_bytes() == minimal_pdf()
    assert seen == [found]

    errors = []
    for public_id, allowed in [
        (document.public_id, lambda _d: False),  # exists, but not yours
        ("A" * 22, lambda _d: True),  # well-formed, does not exist
        ("../../etc/passwd", lambda _d: True),  # not even an id
    ]:
        with pytest.raises(DocumentNotFound) as refused:
            open_for_download(
                session, settings, public_id=public_id, requester_user_id=999, requester_is_staff=False,
                can_access=allowed,
            )  # fmt: skip
        errors.append((type(refused.value), str(refused.value)))
    assert len(set(errors)) == 1, "not yours and does not exist must look the same"


def test_deleted_documents_cannot_be_downloaded_and_the_file_goes_on_commit(
    session: Session, settings: Settings, owner: int
) -> None:
    document = upload(session, settings, owner=owner, data=minimal_pdf())
    session.commit()
    path = document_store.path_for(settings, document.storage_name)

    with pytest.raises(DocumentNotFound):
        mark_deleted(session, settings, public_id=document.public_id, can_delete=lambda _d: False)
    mark_deleted(session, settings, public_id=document.public_id, can_delete=lambda _d: True)
    session.rollback()
    assert path.exists(), "a removal that rolled back must keep the file"
    assert session.get(StoredDocument, document.id).deleted_at is None

    mark_deleted(session, settings, public_id=document.public_id, can_delete=lambda _d: True)
    assert path.exists(), "the file stays until the removal commits"
    session.commit()

    assert not path.exists()
    assert session.get(StoredDocument, document.id).deleted_at is not None  # the row stays, for the record
    with pytest.raises(DocumentNotFound):
        open_for_download(
            session, settings, public_id=document.public_id, requester_user_id=owner, requester_is_staff=False,
            can_access=lambda _d: True,
        )  # fmt: skip
    with pytest.raises(DocumentNotFound):
        mark_deleted(session, settings, public_id=document.public_id, can_delete=lambda _d: True)


def test_attach_moves_an_owners_drafts_all_or_nothing(session: Session, settings: Settings, owner: int) -> None:
    other = make_user(session, "other@school.example.org")
    mine = [upload(session, settings, owner=owner, data=minimal_pdf(), filename=f"{n}.pdf") for n in range(2)]
    theirs = upload(session, settings, owner=other, data=minimal_pdf())
    session.commit()
    my_ids = [d.id for d in mine]

    with pytest.raises(DocumentNotFound):
        attach(session, document_ids=[*my_ids, theirs.id], owner_user_id=owner, **REFERRAL_7)
    session.rollback()
    assert stored_totals(session, **REFERRAL_7) == (0, 0)

    attached = attach(session, document_ids=my_ids, owner_user_id=owner, **REFERRAL_7)
    session.commit()

    assert [d.id for d in attached] == my_ids
    assert stored_totals(session, **REFERRAL_7) == (2, 2 * len(minimal_pdf()))
    assert [d.id for d in documents.documents_in(session, **REFERRAL_7)] == my_ids
    with pytest.raises(DocumentNotFound):  # already attached: no longer a draft
        attach(session, document_ids=my_ids[:1], owner_user_id=owner, container_kind="message", container_id=3)
    with pytest.raises(ValueError, match="container_id"):
        attach(session, document_ids=[theirs.id], owner_user_id=other, container_kind="referral", container_id=None)


def test_an_account_with_documents_cannot_be_deleted(session: Session, settings: Settings, owner: int) -> None:
    """ondelete=RESTRICT: a referral's documents outlive the uploader's account (which is deactivated instead)."""
    upload(session, settings, owner=owner, data=minimal_pdf())
    session.commit()

    session.delete(session.get(UserAccount, owner))
    with pytest.raises(Exception, match=r"(?i)foreign key"):
        session.commit()
    session.rollback()
    assert session.exec(select(StoredDocument)).one().owner_user_id == owner
