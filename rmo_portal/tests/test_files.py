"""One way in and one way out for every uploaded file (rmo_portal.files)."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members.tests.factories import TeacherFactory
from rmo_portal import files
from rmo_portal.models import StoredFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(64)
PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _xlsx() -> bytes:
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    return buffer.getvalue()


DOCX = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODT = _zip({"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<office/>"})
ODS = _zip({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<office/>"})
HTML = b"<html><script>fetch('/associations/orders/')</script></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE = b"MZ\x90\x00\x03" + bytes(64)


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("скан.pdf", PDF, files.PDF),
        ("фото.JPG", JPEG, files.JPEG),
        ("фото.png", PNG, files.PNG),
        ("план.docx", DOCX, files.DOCX),
        ("таблица.xlsx", _xlsx(), files.XLSX),
        ("план.odt", ODT, files.ODT),
        ("таблица.ods", ODS, files.ODS),
    ],
)
def test_each_allowed_type_is_recognised_by_its_content(name, content, expected):
    assert files.check_upload(SimpleUploadedFile(name, content), use="document") is expected


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("приказ.pdf", b"just some text, not a PDF", "по содержимому это не .pdf (файл переименован"),
        ("page.html", HTML, "ни один из них"),
        ("image.svg", SVG, "ни один из них"),
        ("setup.exe", EXE, "ни один из них"),
        ("скан.pdf", b"<html><script>alert(1)</script>%PDF-1.4", "по содержимому это не .pdf"),  # not at the start
        ("scan.pdf", DOCX, "а это Word (DOCX)"),  # a Word file renamed to .pdf
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "сохраните в новом формате"),
    ],
)
def test_evidence_other_than_pdf_or_picture_is_refused_with_a_russian_reason(name, content, says):
    with pytest.raises(ValidationError) as error:
        files.check_upload(SimpleUploadedFile(name, content, content_type="application/pdf"), use="evidence")
    assert says in error.value.messages[0]
    assert name in error.value.messages[0]


def test_a_picture_named_pdf_is_refused_by_its_extension():
    with pytest.raises(ValidationError, match="по содержимому это PNG"):
        files.check_upload(SimpleUploadedFile("scan.pdf", PNG), use="evidence")


def test_size_limit_comes_from_settings(settings):
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "evidence": 0.001}
    with pytest.raises(ValidationError, match=r"больше 0\.001 МБ"):
        files.check_upload(SimpleUploadedFile("scan.pdf", PDF + bytes(2000)), use="evidence")
    assert files.check_upload(SimpleUploadedFile("scan.pdf", PDF), use="evidence") is files.PDF


def test_stored_under_an_unguessable_name_and_served_under_its_own():
    first = files.stored_file_from_bytes(name="C:\\Users\\Мария\\Удостоверение КПК.pdf", content=PDF, use="evidence")
    second = files.stored_file_from_bytes(name="Удостоверение КПК.pdf", content=PDF, use="evidence")
    assert first.original_name == "Удостоверение КПК.pdf"
    assert "Удостоверение" not in first.file.name and first.file.name.endswith(".pdf")
    assert first.file.name != second.file.name
    assert len(first.file.name.rsplit("/", 1)[-1]) >= 32  # 24 random bytes, url-safe
    assert first.content_type == "application/pdf" and first.size == len(PDF)


def test_a_pdf_opens_in_the_browser_other_types_download_all_with_nosniff_and_sandbox():
    pdf = files.file_response(files.stored_file_from_bytes(name="скан.pdf", content=PDF, use="document"))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("inline")
    docx = files.file_response(files.stored_file_from_bytes(name="план.docx", content=DOCX, use="document"))
    assert docx["Content-Disposition"].startswith("attachment")
    assert "filename*=utf-8''%D0%BF%D0%BB%D0%B0%D0%BD.docx" in docx["Content-Disposition"]
    for response in (pdf, docx):
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == "sandbox"


def test_a_hostile_file_already_on_disk_is_still_never_rendered_as_a_page():
    """Even a row that got past the checks (an old upload) is downloaded, sandboxed, never shown as HTML."""
    stored = files.stored_file_from_bytes(name="скан.pdf", content=PDF, use="document")
    stored.file.save("x.html", io.BytesIO(HTML), save=False)
    stored.content_type = "text/html"
    stored.save()
    response = files.file_response(stored)
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_teacher_sending_a_text_file_named_pdf_gets_the_reason_beside_the_field(client):
    teacher = TeacherFactory(user__username="t")
    client.force_login(teacher.user)
    response = client.post(
        reverse("members:change_request", args=["course"]),
        {
            "start_date": "2026-10-01", "end_date": "2026-10-12", "provider": "ИРО", "topic": "Грамотность",
            "hours": "72", "evidence": SimpleUploadedFile("удостоверение.pdf", b"not a pdf at all"),
        },
    )  # fmt: skip
    body = response.content.decode()
    assert response.status_code == 200
    assert "Файл «удостоверение.pdf» не подходит: нужен PDF, JPEG или PNG" in body
    assert 'value="Грамотность"' in body  # what she typed is kept
    assert not StoredFile.objects.exists()
    assert not teacher.change_requests.exists()


def test_an_odt_whose_mimetype_entry_is_huge_is_not_unpacked_to_be_looked_at():
    bomb = _zip({"mimetype": b"application/vnd.oasis.opendocument.text" + b" " * 50_000_000})
    assert len(bomb) < 100_000
    with pytest.raises(ValidationError, match=r"не \.odt"):
        files.check_upload(SimpleUploadedFile("план.odt", bomb), use="document")


def test_a_body_larger_than_every_limit_is_refused_before_it_is_stored(client, settings):
    settings.UPLOAD_LIMITS_MB = {"evidence": 0.01, "document": 0.01, "import": 0.01}
    teacher = TeacherFactory(user__username="t")
    client.force_login(teacher.user)
    big = SimpleUploadedFile("скан.pdf", PDF + bytes(2 * 1024 * 1024))
    response = client.post(reverse("members:change_request", args=["course"]), {"evidence": big})
    assert response.status_code == 413
    assert "Слишком большой запрос" in response.content.decode()
    assert not StoredFile.objects.exists()
