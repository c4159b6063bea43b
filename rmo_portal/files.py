"""Stored files, for every app: one way in (checked by content), one way out (after a permission check).

- Types are recognised by their bytes, never by the name or the browser's claim: PDF, JPEG, PNG, DOCX,
  XLSX, ODT, ODS (and CSV, which only an import accepts). Each use has its own allow-list (`USES`).
- Size limits come from settings (`UPLOAD_LIMITS_MB`).
- A file is stored under an unguessable name; the name the user gave is kept for the download.
- `file_response()` serves a file after the caller has checked the permission: as an attachment unless
  it is a PDF or an image, with `nosniff` and a sandboxing CSP, so that nothing in it runs on our origin.

- Bytes are written, read and deleted only through Django's storage API (`FieldFile.open()`, `storage.delete()`),
  never through a path on disk: the same code runs on local disk and on S3-compatible object storage
  (settings `FILES_STORAGE`; rmo_portal/tests/test_s3_storage.py).

Apps hold a ForeignKey to `rmo_portal.StoredFile` and use `UploadField` in their forms,
`stored_file_create()` in their services and `file_response()` in their views.
"""

import codecs
import hashlib
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django import forms
from django.conf import settings
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.core.files.uploadhandler import FileUploadHandler
from django.http import FileResponse, Http404

HEAD_BYTES = 8192


@dataclass(frozen=True)
class FileType:
    code: str
    label: str
    content_type: str
    extensions: tuple[str, ...]
    inline: bool = False  # shown in the browser (PDF, images) rather than downloaded


PDF = FileType("pdf", "PDF", "application/pdf", (".pdf",), inline=True)
JPEG = FileType("jpeg", "JPEG", "image/jpeg", (".jpg", ".jpeg"), inline=True)
PNG = FileType("png", "PNG", "image/png", (".png",), inline=True)
DOCX = FileType("docx", "Word (DOCX)", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                (".docx",))  # fmt: skip
XLSX = FileType("xlsx", "Excel (XLSX)", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                (".xlsx",))  # fmt: skip
ODT = FileType("odt", "OpenDocument (ODT)", "application/vnd.oasis.opendocument.text", (".odt",))
ODS = FileType("ods", "OpenDocument (ODS)", "application/vnd.oasis.opendocument.spreadsheet", (".ods",))
CSV = FileType("csv", "CSV", "text/csv", (".csv",))
# Recognised only to explain the refusal: the old binary Word and Excel formats.
OLD_OFFICE = FileType("ole", "старый формат Word или Excel (DOC, XLS)", "application/x-ole-storage", (".doc", ".xls"))

TYPES = (PDF, JPEG, PNG, DOCX, XLSX, ODT, ODS, CSV)
OFFICE = (DOCX, XLSX, ODT, ODS)

# What each use accepts. Scans of evidence are pictures or PDFs; documents may also be office files.
USES: dict[str, tuple[FileType, ...]] = {
    "evidence": (PDF, JPEG, PNG),
    "document": (PDF, JPEG, PNG, *OFFICE),
    "import": (XLSX, CSV),
    "export": (XLSX, PDF),  # made by the portal in the background (rmo_portal.exports), never uploaded
}
# Uses whose files the portal makes itself: their limits do not widen what a request may upload.
GENERATED_USES = {"export"}


def limit_mb(use: str) -> float:
    return settings.EXPORT_MAX_MB if use in GENERATED_USES else settings.UPLOAD_LIMITS_MB[use]


def limit_bytes(use: str) -> int:
    return int(limit_mb(use) * 1024 * 1024)


def _zip_type(head: bytes, file) -> FileType | None:
    """DOCX/XLSX and ODT/ODS are zip archives; their inner names say which."""
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                if archive.getinfo("mimetype").file_size > 100:
                    return None  # a real one is a few dozen bytes; never unpack a large entry to look
                with archive.open("mimetype") as entry:
                    mimetype = entry.read(100).decode("ascii", "replace").strip()
                return next((t for t in (ODT, ODS) if t.content_type == mimetype), None)
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError, KeyError, EOFError):
        return None
    return None


CONTROL = set(range(0, 9)) | set(range(14, 32)) | {11, 12, 127}


def _looks_like_text(head: bytes) -> bool:
    """Text in UTF-8 or Windows-1251 without control characters (a multi-byte character may be cut at the end)."""
    if any(byte in CONTROL for byte in head):
        return False
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return True
    except UnicodeDecodeError:
        pass
    try:
        head.decode("cp1251")
        return True
    except UnicodeDecodeError:
        return False


def sniff(file, *, allow_text: bool = False) -> FileType | None:
    """The type of a file by its content, or None. The file's position is restored to 0."""
    file.seek(0)
    head = file.read(HEAD_BYTES)
    found = None
    if head.lstrip(b"\xef\xbb\xbf \t\r\n\x00").startswith(b"%PDF-"):
        found = PDF
    elif head.startswith(b"\xff\xd8\xff"):
        found = JPEG
    elif head.startswith(b"\x89PNG\r\n\x1a\n"):
        found = PNG
    elif head.startswith(b"PK\x03\x04"):
        found = _zip_type(head, file)
    elif head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        found = OLD_OFFICE
    elif allow_text and head and _looks_like_text(head):
        found = CSV
    file.seek(0)
    return found


def _labels(types) -> str:
    labels = [t.label for t in types]
    return ", ".join(labels[:-1]) + " или " + labels[-1] if len(labels) > 1 else labels[0]


def check_upload(upload, *, use: str) -> FileType:
    """The type of an uploaded file if this use accepts it; otherwise a ValidationError in Russian."""
    allowed = USES[use]
    limit = limit_bytes(use)
    name = upload.name or "файл"
    if upload.size == 0:
        raise ValidationError(f"Файл «{name}» пустой.", code="empty")
    if upload.size > limit:
        raise ValidationError(
            f"Файл «{name}» больше {limit_mb(use):g} МБ. "
            "Уменьшите его (например, отсканируйте с меньшим разрешением) и загрузите снова.",
            code="too_big",
        )
    suffix = PurePath(name).suffix.lower()
    # Any text looks like CSV: take it for one only when the name says so.
    found = sniff(upload, allow_text=CSV in allowed and suffix in CSV.extensions)
    if found is None or found not in allowed:
        if found is OLD_OFFICE:
            what = f"а это {found.label}. Откройте его и сохраните в новом формате (.docx или .xlsx)"
        elif found is not None:
            what = f"а это {found.label}"
        elif any(suffix in t.extensions for t in allowed):
            what = f"а по содержимому это не {suffix} (файл переименован или повреждён)"
        else:
            what = "а по содержимому это ни один из них"
        raise ValidationError(f"Файл «{name}» не подходит: нужен {_labels(allowed)}, {what}.", code="type")
    if suffix not in found.extensions:
        raise ValidationError(
            f"Файл «{name}»: по содержимому это {found.label}, а имя оканчивается на «{suffix or 'ничего'}». "
            f"Переименуйте файл в «…{found.extensions[0]}» и загрузите снова.",
            code="extension",
        )
    return found


class UploadField(forms.FileField):
    """A form's file field that accepts only what `use` allows, by content and size."""

    def __init__(self, *, use: str, **kwargs):
        self.use = use
        types = USES[use]
        kwargs.setdefault("help_text", f"{_labels(types)}, до {settings.UPLOAD_LIMITS_MB[use]:g} МБ.")
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ",".join(e for t in types for e in t.extensions))

    def clean(self, data, initial=None):
        file = super().clean(data, initial)
        if file and hasattr(file, "seek"):
            file.file_type = check_upload(file, use=self.use)
        return file


def clean_original_name(name: str) -> str:
    """The user's file name without folders or control characters, for the download."""
    name = PurePath(str(name).replace("\\", "/")).name
    name = "".join(ch for ch in unicodedata.normalize("NFC", name) if unicodedata.category(ch)[0] != "C")
    return name.strip()[:200] or "файл"


def storage_name(instance, filename: str) -> str:
    """An unguessable name: the folder is the year, the name random; the extension is the real type's."""
    from django.utils import timezone

    suffix = PurePath(filename).suffix.lower()[:10]
    return f"files/{timezone.now():%Y}/{secrets.token_urlsafe(24)}{suffix}"


def stored_file_create(*, upload, use: str, by=None):
    """Check an upload again (a service may be called without a form) and store it; returns the StoredFile."""
    from django.core.files.base import File

    from .models import StoredFile

    file_type = check_upload(upload, use=use)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in iter(lambda: upload.read(1024 * 1024), b""):
        digest.update(chunk)
    upload.seek(0)
    stored = StoredFile(
        original_name=clean_original_name(upload.name),
        content_type=file_type.content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by if by is not None and by.is_authenticated else None,
    )
    stored.file.save(f"upload{file_type.extensions[0]}", File(upload), save=False)
    stored.save()
    return stored


def stored_file_from_bytes(*, name: str, content: bytes, use: str, by=None):
    """The same for bytes the portal has in hand (a test, a task)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return stored_file_create(upload=SimpleUploadedFile(name, content), use=use, by=by)


def stored_file_delete(stored) -> None:
    """Remove a stored file; its bytes go when the transaction commits (a rollback keeps both)."""
    from django.db import transaction

    if stored is None:
        return
    name, storage = stored.file.name, stored.file.storage
    stored.delete()
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class LimitedUploadHandler(FileUploadHandler):
    """Refuse a request body larger than the largest upload limit before anything is written to disk.

    Django would otherwise save a multi-gigabyte body to a temporary file before any form saw its size;
    the refusal is Django's RequestDataTooBig, which the portal answers with its Russian 413 page.
    """

    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        uploads = (use for use in USES if use not in GENERATED_USES)
        limit = max(limit_bytes(use) for use in uploads) + 1024 * 1024  # and the form's other fields
        if content_length and content_length > limit:
            raise RequestDataTooBig("The request body is larger than the largest upload limit.")

    def receive_data_chunk(self, raw_data, start):
        return raw_data

    def file_complete(self, file_size):
        return None


def file_response(stored, *, as_attachment: bool | None = None) -> FileResponse:
    """Serve a stored file. Call it only after the permission check.

    PDF and images open in the browser; everything else is downloaded. `nosniff` stops the browser from
    guessing another type, and `Content-Security-Policy: sandbox` keeps even a hostile file from running
    script with our origin.
    """
    if stored is None or not stored.file:
        raise Http404("Файл не найден.")
    try:
        handle = stored.file.open("rb")  # from the storage: a file on disk, or an object streamed from the bucket
    except FileNotFoundError as error:  # S3Storage raises it too for a missing object
        raise Http404("Файл не найден.") from error
    inline = any(t.inline and t.content_type == stored.content_type for t in TYPES)
    attachment = not inline if as_attachment is None else as_attachment or not inline
    response = FileResponse(handle, as_attachment=attachment, filename=stored.original_name)
    response["Content-Type"] = stored.content_type
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


def read_bytes(stored) -> bytes:
    with stored.file.open("rb") as handle:
        return handle.read()
