"""What a file is, decided from its content (magic bytes, the structure of an Office file),
never from its name: the name is kept for display only (docs/rules.md, "Evidence files").

`detect(head, open_zip)` answers one of KINDS or None. Office files (xlsx, docx, pptx) are ZIP
archives told apart by the parts they hold; only the archive's directory is read, never its
contents (a ZIP bomb costs nothing). Text (txt, csv) is UTF-8 or Shift_JIS (cp932, what
Japanese Excel writes) without control characters.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    code: str
    content_type: str
    extensions: tuple[str, ...]


PDF = Kind("pdf", "application/pdf", (".pdf",))
PNG = Kind("png", "image/png", (".png",))
JPEG = Kind("jpeg", "image/jpeg", (".jpg", ".jpeg"))
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",))
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",))
PPTX = Kind("pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", (".pptx",))
TEXT = Kind("txt", "text/plain", (".txt",))
CSV = Kind("csv", "text/csv", (".csv",))

KINDS = (PDF, PNG, JPEG, XLSX, DOCX, PPTX, TEXT, CSV)
BY_CODE = {kind.code: kind for kind in KINDS}
KNOWN_EXTENSIONS = {ext: kind for kind in KINDS for ext in kind.extensions}

_OFFICE_PARTS = (("xl/workbook.xml", XLSX), ("word/document.xml", DOCX), ("ppt/presentation.xml", PPTX))
_TEXT_CONTROLS = set(range(0, 32)) - {9, 10, 12, 13}


def _office_kind(fileobj) -> Kind | None:
    try:
        with zipfile.ZipFile(fileobj) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    for part, kind in _OFFICE_PARTS:
        if part in names:
            return kind
    return None


def _is_text(data: bytes) -> bool:
    if not data:
        return False
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return not any(ord(ch) in _TEXT_CONTROLS or ord(ch) == 127 for ch in text)
    return False


def detect(fileobj, name: str = "") -> Kind | None:
    """The kind of the file's content (read from the start; the position is restored), or
    None when it is none of KINDS. `name` only tells text apart: .csv is CSV, other text is TXT."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head.startswith(b"PK\x03\x04"):
            return _office_kind(fileobj)
        if _is_text(fileobj.read()):
            return CSV if name.lower().endswith(".csv") else TEXT
        return None
    finally:
        fileobj.seek(0)


def disguised(kind: Kind, name: str) -> bool:
    """Does the name claim another allowed kind than the content is (a text file named .pdf)?"""
    dot = name.rfind(".")
    claimed = KNOWN_EXTENSIONS.get(name[dot:].lower()) if dot >= 0 else None
    if claimed is None or claimed == kind:
        return False
    return not ({claimed, kind} <= {TEXT, CSV})
