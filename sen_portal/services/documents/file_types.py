"""Which files we accept: an allow-list checked on the bytes *and* the extension together.

The browser's content type and the file name alone prove nothing (``report.exe.pdf``), and
content alone would let a Word document arrive as ``notes.png``. A file passes only when its
first bytes and its extension name the same allowed type. Word documents are ZIP archives whose
directory sits at the end, so their macro check runs on the complete file (``check_complete_file``),
as does the PDF check for active content (JavaScript, launch actions, embedded files: pdf_active.py).
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

from sen_portal.services.documents.pdf_active import active_content

ALLOWED_TYPES_TEXT = "a PDF, Word document (.docx), JPG or PNG"
MAX_NAME_LENGTH = 200
# Enough for the longest signature below (PNG's 8 bytes).
SNIFF_BYTES = 8
# [Content_Types].xml is a few kB; a bigger one is either not Office or a decompression bomb.
_MAX_CONTENT_TYPES_XML = 1024 * 1024

_DOCX_MAIN = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
# Macro-enabled main documents/templates and the VBA project parts (Word, and Office generally).
_MACRO_MARKERS = ("macroenabled", "vbaproject", "vbadata", "ms-office.activex")


@dataclass(frozen=True)
class FileType:
    label: str  # for messages: "a PDF"
    content_type: str
    extensions: tuple[str, ...]
    signature: bytes


PDF = FileType("a PDF", "application/pdf", ("pdf",), b"%PDF-")
DOCX = FileType(
    "a Word document",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
    b"PK\x03\x04",
)
JPEG = FileType("a JPG", "image/jpeg", ("jpg", "jpeg"), b"\xff\xd8\xff")
PNG = FileType("a PNG", "image/png", ("png",), b"\x89PNG\r\n\x1a\n")
ALLOWED = (PDF, DOCX, JPEG, PNG)


@dataclass(frozen=True)
class DetectedType:
    """An allowed type; ``needs_full_check`` when only the complete file can confirm it (DOCX, PDF)."""

    file_type: FileType
    needs_full_check: bool

    @property
    def content_type(self) -> str:
        return self.file_type.content_type


@dataclass(frozen=True)
class Refusal:
    """Why a file is refused, worded for the person who chose it (GOV.UK error message style)."""

    message: str


def extension_of(filename: str) -> str:
    """The lower-cased last extension without the dot, or ""."""
    stem, dot, extension = filename.rpartition(".")
    return extension.lower() if dot and stem else ""


def claimed_type(filename: str) -> FileType | None:
    """The allowed type the extension claims, if any."""
    extension = extension_of(filename)
    return next((t for t in ALLOWED if extension in t.extensions), None)


def check_extension(filename: str) -> Refusal | None:
    """Refuse a name whose extension is not on the allow-list, before any bytes arrive."""
    return None if claimed_type(filename) else Refusal(f"{filename} must be {ALLOWED_TYPES_TEXT}")


def sniff_type(first_bytes: bytes, filename: str) -> DetectedType | Refusal:
    """Check the first bytes of a file against its (sanitised) name; the whole file may not have arrived."""
    if not first_bytes:
        return Refusal(f"{filename} is empty")
    claimed = claimed_type(filename)
    if claimed is None:
        return Refusal(f"{filename} must be {ALLOWED_TYPES_TEXT}")
    if not first_bytes.startswith(claimed.signature):
        return Refusal(f"{filename} is not {claimed.label} – it must be {ALLOWED_TYPES_TEXT}")
    return DetectedType(claimed, needs_full_check=claimed in (DOCX, PDF))


def check_complete_file(detected: DetectedType, file: BinaryIO, filename: str) -> Refusal | None:
    """The checks that need the whole file: a Word document without macros, a PDF without active content."""
    if detected.file_type is DOCX:
        return _check_docx(file, filename)
    if detected.file_type is PDF:
        reason = active_content(file)
        if reason:
            return Refusal(f"{filename} contains {reason}, which we cannot accept – save or print it as a plain PDF")
    return None


def _check_docx(file: BinaryIO, filename: str) -> Refusal | None:
    not_word = Refusal(f"{filename} is not a Word document – it must be {ALLOWED_TYPES_TEXT}")
    try:
        with zipfile.ZipFile(file) as archive:
            names = [info.filename.lower() for info in archive.infolist()]
            content_types = archive.getinfo("[Content_Types].xml")
            if content_types.file_size > _MAX_CONTENT_TYPES_XML:
                return not_word
            with archive.open(content_types) as stream:
                declared = stream.read(_MAX_CONTENT_TYPES_XML + 1).decode("utf-8", errors="replace").lower()
    except (zipfile.BadZipFile, KeyError, OSError, RuntimeError, EOFError, NotImplementedError, ValueError):
        # Not a ZIP, no [Content_Types].xml, encrypted or corrupt members, unsupported compression.
        return not_word
    if any(marker in name for name in names for marker in _MACRO_MARKERS) or any(
        marker in declared for marker in _MACRO_MARKERS
    ):
        return Refusal(f"{filename} contains macros, which we cannot accept – save it as a .docx without macros")
    if _DOCX_MAIN not in declared:
        return not_word  # e.g. an .xlsx or .pptx, or a plain ZIP, renamed
    return None


# ---- file names -----------------------------------------------------------------------------

_UNSAFE_CHARACTERS = re.compile(r'[<>:"/\\|?*]')
_WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])$", re.IGNORECASE)
_EXTENSION = re.compile(r"^[A-Za-z0-9]{1,10}$")


def sanitise_filename(name: str) -> str:
    """A name safe to show and to offer back in a download header: no folders, control or bidi
    characters, Windows-reserved names or trailing dots; the extension kept; at most 200 characters.

    It is metadata only: stored files get random names, so this is about display and downloads.
    """
    base = re.split(r"[/\\]", name)[-1]  # browsers may send C:\fakepath\x.pdf
    base = unicodedata.normalize("NFC", base)
    # Cc: control characters; Cf: format characters such as U+202E, which makes "fdp.exe" look like "exe.pdf".
    base = "".join(" " if unicodedata.category(c) in {"Cc", "Zl", "Zp"} else c for c in base)
    # Cs: a lone surrogate (the inbound gate's concern) cannot be stored or sent as UTF-8 at all.
    base = "".join(c for c in base if unicodedata.category(c) not in {"Cf", "Cs"})
    base = _UNSAFE_CHARACTERS.sub("_", base)
    base = " ".join(base.split()).rstrip(" .")  # leading dots go with the stem below, so ".pdf" keeps its extension

    stem, dot, extension = base.rpartition(".")
    if not dot or not _EXTENSION.match(extension):
        stem, extension = base, ""
    stem = stem.strip(" .") or "document"
    if _WINDOWS_RESERVED.match(stem.split(".")[0]):
        stem = f"_{stem}"
    suffix = f".{extension}" if extension else ""
    return stem[: MAX_NAME_LENGTH - len(suffix)].rstrip(" .") + suffix
