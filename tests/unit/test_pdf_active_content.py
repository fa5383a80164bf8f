"""Active content in PDFs is refused like macros in Word files (issue 20 item 4)."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest

from sen_portal.services.documents.file_types import Refusal, check_complete_file, sniff_type
from tests.unit.test_file_types import minimal_pdf

pytestmark = pytest.mark.unit


def pdf_with(*objects: bytes) -> bytes:
    """A small PDF whose catalog (object 1) and extra objects (4, 5, ...) are given as raw bytes."""
    base = [
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    catalog, *extra = objects
    out = bytearray(b"%PDF-1.7\n")
    for number, body in enumerate([catalog, *base, *extra], start=1):
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    out += b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"
    return bytes(out)


def stream(content: bytes) -> bytes:
    packed = zlib.compress(content)
    return b"<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (
        len(packed),
        packed,
    )


def check(data: bytes, name: str = "report.pdf") -> Refusal | None:
    detected = sniff_type(data[:8], name)
    assert not isinstance(detected, Refusal)
    return check_complete_file(detected, io.BytesIO(data), name)


CATALOG = b"<< /Type /Catalog /Pages 2 0 R "


@pytest.mark.parametrize(
    "pdf, reason",
    [
        (pdf_with(CATALOG + b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >> >>"), "JavaScript"),
        (pdf_with(CATALOG + b"/OpenAction 4 0 R >>", b"<< /S /GoTo /D [3 0 R /Fit] >>"), "an action that runs"),
        (pdf_with(CATALOG + b"/AA << /O << /S /Launch /F (cmd.exe) >> >> >>"), "a command that starts a program"),
        (pdf_with(CATALOG + b"/Names << /EmbeddedFiles 4 0 R >> >>", b"<< /Names [] >>"), "files hidden inside it"),
        (pdf_with(CATALOG + b"/Names << /J#61vaScript 4 0 R >> >>", b"<< /Names [] >>"), "JavaScript"),  # escaped name
        # Hidden in a compressed object stream, where the raw bytes show nothing.
        (pdf_with(CATALOG + b">>", stream(b"5 0 << /S /JavaScript /JS (app.alert(1)) >>")), "JavaScript"),
    ],
)
def test_active_pdfs_are_refused_naming_the_file_and_the_reason(pdf: bytes, reason: str) -> None:
    refusal = check(pdf)
    assert isinstance(refusal, Refusal)
    assert refusal.message.startswith(f"report.pdf contains {reason}")
    assert "which we cannot accept" in refusal.message


def test_plain_pdfs_pass_including_a_destination_open_action_and_compressed_streams() -> None:
    assert check(minimal_pdf()) is None
    assert check(pdf_with(CATALOG + b"/OpenAction [3 0 R /Fit] >>")) is None
    assert check(pdf_with(CATALOG + b">>", stream(b"4 0 << /Type /Font /Subtype /Type1 >>"))) is None
    # A big compressed image (not an object stream) is not inflated, so it is never "too large".
    image = zlib.compress(b"\0" * (60 * 1024 * 1024))
    picture = b"<< /Type /XObject /Subtype /Image /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream"
    assert check(pdf_with(CATALOG + b">>", picture % (len(image), image))) is None


def test_a_decompression_bomb_is_refused_as_uncheckable() -> None:
    bomb = pdf_with(CATALOG + b">>", stream(b"\0" * (60 * 1024 * 1024)))
    refusal = check(bomb)
    assert isinstance(refusal, Refusal) and "compressed objects we cannot check" in refusal.message


def test_a_real_file_on_disk_is_read_without_loading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "x.pdf"
    path.write_bytes(pdf_with(CATALOG + b"/OpenAction << /S /JavaScript /JS (x) >> >>"))
    detected = sniff_type(path.read_bytes()[:8], "x.pdf")
    with path.open("rb") as file:
        refusal = check_complete_file(detected, file, "x.pdf")  # type: ignore[arg-type]
    assert isinstance(refusal, Refusal) and "JavaScript" in refusal.message


def test_names_inside_a_stream_body_are_image_data_not_actions() -> None:
    """A 20 MB scan's compressed body held '/JS' by chance and was refused as JavaScript (bench-smoke)."""
    import io

    from sen_portal.services.documents.pdf_active import active_content

    body = b"\x89\x01/JS /JavaScript /Launch /OpenAction << >> \xff" * 3
    pdf = b"%PDF-1.7\n1 0 obj\n<< /Length 99 /Filter /DCTDecode >>\nstream\n" + body + b"\nendstream\nendobj\n%%EOF\n"
    assert active_content(io.BytesIO(pdf)) is None
    dictionary = b"%PDF-1.7\n1 0 obj\n<< /S /JavaScript /JS (app.alert(1)) >>\nendobj\n%%EOF\n"
    assert active_content(io.BytesIO(dictionary)) == "JavaScript"
