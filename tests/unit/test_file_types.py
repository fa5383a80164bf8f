"""Which files we accept (content and extension together), file-name sanitising, clamd replies,
and the document upload settings."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest

from sen_portal.config import SettingsError, settings_from_env
from sen_portal.services.documents.file_types import (
    DOCX,
    JPEG,
    PDF,
    PNG,
    DetectedType,
    Refusal,
    check_complete_file,
    check_extension,
    sanitise_filename,
    sniff_type,
)
from sen_portal.services.documents.virus_scan import ScanResult, ScanUnavailable, parse_reply

pytestmark = pytest.mark.unit

ALLOWED_TEXT = "a PDF, Word document (.docx), JPG or PNG"

# ---- real, minimal files ------------------------------------------------------------------------


def minimal_pdf() -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def minimal_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    pixels = zlib.compress(b"\x00\x80")  # filter byte 0, one grey pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def minimal_jpeg() -> bytes:
    """A decodable 1x1 greyscale baseline JPEG: one-code Huffman tables, DC 0 then end-of-block."""

    def segment(marker: int, payload: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(payload) + 2) + payload

    single_code = bytes([1] + [0] * 15) + b"\x00"  # one code of length 1, for symbol 0
    return (
        b"\xff\xd8"
        + segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00")
        + segment(0xDB, b"\x00" + bytes([1] * 64))
        + segment(0xC0, struct.pack(">BHHB", 8, 1, 1, 1) + b"\x01\x11\x00")
        + segment(0xC4, b"\x00" + single_code)
        + segment(0xC4, b"\x10" + single_code)
        + segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
        + b"\x3f"  # bits 0 (DC diff 0) and 0 (EOB), padded with ones
        + b"\xff\xd9"
    )


WORD_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
MACRO_MAIN = "application/vnd.ms-word.document.macroEnabled.main+xml"
DOCUMENT_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    "<w:body><w:p><w:r><w:t>Advice from the educational psychologist</w:t></w:r></w:p></w:body></w:document>"
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="word/document.xml"/></Relationships>'
)


def office_zip(main_type: str, *, extra_parts: dict[str, bytes] | None = None, extra_types: str = "") -> bytes:
    content_types = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/word/document.xml" ContentType="{main_type}"/>{extra_types}</Types>'
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", RELS)
        archive.writestr("word/document.xml", DOCUMENT_XML)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def real_docx() -> bytes:
    return office_zip(WORD_MAIN)


def real_docm() -> bytes:
    vba_type = '<Override PartName="/word/vbaProject.bin" ContentType="application/vnd.ms-office.vbaProject"/>'
    return office_zip(MACRO_MAIN, extra_parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"}, extra_types=vba_type)


def full_check(data: bytes, filename: str) -> DetectedType | Refusal | None:
    """What the upload service does: sniff the start, then check the complete file."""
    detected = sniff_type(data[:8], filename)
    if isinstance(detected, Refusal):
        return detected
    return check_complete_file(detected, io.BytesIO(data), filename)


# ---- accepted --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (minimal_pdf(), "EP advice.pdf", PDF),
        (minimal_png(), "drawing.png", PNG),
        (minimal_jpeg(), "photo.jpg", JPEG),
        (minimal_jpeg(), "photo.JPEG", JPEG),
        (real_docx(), "Annual review.docx", DOCX),
    ],
)
def test_allowed_files_are_detected_from_their_bytes(data: bytes, filename: str, expected) -> None:
    detected = sniff_type(data[:8], filename)

    assert isinstance(detected, DetectedType)
    assert detected.file_type is expected
    assert detected.needs_full_check == (expected in (DOCX, PDF))
    assert check_complete_file(detected, io.BytesIO(data), filename) is None


def test_detected_content_types() -> None:
    assert sniff_type(minimal_pdf(), "a.pdf").content_type == "application/pdf"
    assert sniff_type(minimal_png(), "a.png").content_type == "image/png"
    assert sniff_type(minimal_jpeg(), "a.jpg").content_type == "image/jpeg"
    assert sniff_type(real_docx(), "a.docx").content_type == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )


# ---- refused ---------------------------------------------------------------------------------


def test_windows_program_renamed_pdf_is_refused_by_name() -> None:
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64

    assert sniff_type(program, "report.exe.pdf") == Refusal(f"report.exe.pdf is not a PDF – it must be {ALLOWED_TEXT}")


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (minimal_pdf(), "letter.docx", f"letter.docx is not a Word document – it must be {ALLOWED_TEXT}"),
        (minimal_png(), "photo.jpg", f"photo.jpg is not a JPG – it must be {ALLOWED_TEXT}"),
        (minimal_jpeg(), "scan.png", f"scan.png is not a PNG – it must be {ALLOWED_TEXT}"),
        (real_docx(), "notes.pdf", f"notes.pdf is not a PDF – it must be {ALLOWED_TEXT}"),
        (b"just some words\n", "notes.pdf", f"notes.pdf is not a PDF – it must be {ALLOWED_TEXT}"),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(data: bytes, filename: str, message: str) -> None:
    assert sniff_type(data[:8], filename) == Refusal(message)


@pytest.mark.parametrize("filename", ["setup.exe", "minutes.doc", "minutes.docm", "notes.txt", "archive.zip", "README"])
def test_extensions_off_the_allow_list_are_refused_whatever_the_content(filename: str) -> None:
    message = f"{filename} must be {ALLOWED_TEXT}"

    assert sniff_type(minimal_pdf(), filename) == Refusal(message)
    assert check_extension(filename) == Refusal(message)


def test_allowed_extensions_pass_the_early_check() -> None:
    for filename in ["a.pdf", "b.DOCX", "c.jpg", "d.jpeg", "e.Png"]:
        assert check_extension(filename) is None


def test_empty_file_is_refused() -> None:
    assert sniff_type(b"", "scan.pdf") == Refusal("scan.pdf is empty")


def test_macro_enabled_document_renamed_docx_is_refused() -> None:
    assert full_check(real_docm(), "minutes.docx") == Refusal(
        "minutes.docx contains macros, which we cannot accept – save it as a .docx without macros"
    )


def test_vba_project_hidden_in_a_document_declared_as_plain_word_is_refused() -> None:
    sneaky = office_zip(WORD_MAIN, extra_parts={"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})

    refusal = full_check(sneaky, "minutes.docx")

    assert isinstance(refusal, Refusal) and "contains macros" in refusal.message


def test_macro_content_type_alone_is_refused() -> None:
    refusal = full_check(office_zip(MACRO_MAIN), "minutes.docx")

    assert isinstance(refusal, Refusal) and "contains macros" in refusal.message


@pytest.mark.parametrize(
    "data",
    [
        office_zip("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),  # .xlsx renamed
        real_docx()[: len(real_docx()) // 2],  # cut off: no central directory
        b"PK\x03\x04" + b"\x00" * 100,  # ZIP signature, no archive
    ],
    ids=["spreadsheet", "truncated", "not-a-zip"],
)
def test_zip_files_that_are_not_word_documents_are_refused(data: bytes) -> None:
    assert full_check(data, "letter.docx") == Refusal(f"letter.docx is not a Word document – it must be {ALLOWED_TEXT}")


def test_zip_without_content_types_is_refused() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", DOCUMENT_XML)

    assert isinstance(full_check(buffer.getvalue(), "letter.docx"), Refusal)


# ---- file names ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\fakepath\\EP advice.pdf", "EP advice.pdf"),
        ("/var/www/../report.pdf", "report.pdf"),
        ("CON.pdf", "_CON.pdf"),
        ("nul", "_nul"),
        ("lpt1.tar.docx", "_lpt1.tar.docx"),
        ("Console.pdf", "Console.pdf"),
        ("Zoë’s EHCP – résumé.pdf", "Zoë’s EHCP – résumé.pdf"),
        ("Zoe\u0308.pdf", "Zoë.pdf"),  # decomposed → composed (NFC)
        ("harm\u202efdp.exe", "harmfdp.exe"),  # right-to-left override removed
        ("plan\ud800.pdf", "plan.pdf"),  # a lone surrogate cannot be stored (issue 20)
        ("line\nbreak\t\x00name.pdf", "line break name.pdf"),
        ('what?<is>:this|"*.png', "what__is__this___.png"),
        ("report.pdf. . ", "report.pdf"),
        ("  spaced   out  .jpg", "spaced out.jpg"),
        (".pdf", "document.pdf"),
        ("", "document"),
        ("...", "document"),
        ("archive.tar.gz", "archive.tar.gz"),
    ],
)
def test_sanitise_filename(raw: str, clean: str) -> None:
    assert sanitise_filename(raw) == clean


def test_long_names_are_shortened_keeping_the_extension() -> None:
    cleaned = sanitise_filename("a" * 500 + ".docx")

    assert len(cleaned) == 200
    assert cleaned.endswith("aaa.docx")


def test_sanitised_names_have_no_separators_or_control_characters() -> None:
    cleaned = sanitise_filename("..\\../\x1b[31mred\x7f/..\\x.pdf")

    assert "/" not in cleaned and "\\" not in cleaned
    assert all(ord(c) >= 32 and c != "\x7f" for c in cleaned)


# ---- clamd replies ---------------------------------------------------------------------------


def test_clamd_replies() -> None:
    assert parse_reply("stream: OK") == ScanResult(clean=True)
    assert parse_reply("stream: Eicar-Signature FOUND\n") == ScanResult(clean=False, signature="Eicar-Signature")
    for reply in ["INSTREAM size limit exceeded. ERROR", "stream: FOUND", "", "UNKNOWN COMMAND", "stream: OKAY"]:
        with pytest.raises(ScanUnavailable):
            parse_reply(reply)


# ---- settings ---------------------------------------------------------------------------------
# (Here rather than in test_config.py, which another change owns at the moment.)


def test_upload_settings_defaults() -> None:
    settings = settings_from_env({})

    assert (settings.max_file_mb, settings.max_files_per_referral, settings.max_referral_mb) == (20, 10, 60)
    assert settings.clamd_socket == ""


@pytest.mark.parametrize("value", ["/run/clamav/clamd.ctl", "127.0.0.1:3310", "clamav.internal:3310", "[::1]:3310"])
def test_clamd_socket_accepts_a_unix_path_or_host_and_port(value: str) -> None:
    assert settings_from_env({"CLAMD_SOCKET": value}).clamd_socket == value


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"CLAMD_SOCKET": "clamd.ctl"}, "CLAMD_SOCKET"),
        ({"CLAMD_SOCKET": "127.0.0.1"}, "CLAMD_SOCKET"),
        ({"CLAMD_SOCKET": "127.0.0.1:99999"}, "CLAMD_SOCKET"),
        ({"MAX_FILE_MB": "0"}, "MAX_FILE_MB"),
        ({"MAX_FILE_MB": "twenty"}, "MAX_FILE_MB"),
        ({"MAX_FILES_PER_REFERRAL": "0"}, "MAX_FILES_PER_REFERRAL"),
        ({"MAX_REFERRAL_MB": "-1"}, "MAX_REFERRAL_MB"),
        ({"MAX_FILE_MB": "30", "MAX_REFERRAL_MB": "20"}, "MAX_REFERRAL_MB"),
        ({"DOCUMENT_STORE_DIR": "assets/documents"}, "DOCUMENT_STORE_DIR"),
        ({"DOCUMENT_STORE_DIR": ".web/public/documents"}, "DOCUMENT_STORE_DIR"),
    ],
)
def test_bad_upload_settings_name_their_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(SettingsError, match=key):
        settings_from_env(env)
