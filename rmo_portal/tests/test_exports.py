"""Files made in the background (rmo_portal.exports): ordered on a page, made by a task, served to the owner only,
deleted after a day; the web process never imports openpyxl or WeasyPrint to start."""

import datetime
import io
import subprocess
import sys

import pytest
import time_machine
from django.conf import settings as django_settings
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from members.models import AccessLog
from members.tests.factories import SchoolFactory, TeacherFactory, UserFactory, methodist
from rmo_portal import tasks
from rmo_portal.exports import export_job_start
from rmo_portal.models import ExportJob, StoredFile

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def _teacher(surname, **kwargs):
    return TeacherFactory(user=UserFactory(username=surname, last_name=surname), **kwargs)


def _order(client, capture, url, params=None) -> ExportJob:
    """GET the link that orders a file; the task runs when the request's transaction commits."""
    with capture(execute=True):
        response = client.get(url, params or {})
    assert response.status_code == 302
    job = ExportJob.objects.get(pk=int(response["Location"].rstrip("/").split("/")[-1]))
    assert response["Location"] == job.get_absolute_url()
    return job


def _download(client, job):
    response = client.get(reverse("export_download", args=[job.pk]))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_full_export_keeps_the_filter_and_is_served_to_its_owner_only(client, django_capture_on_commit_callbacks):
    _teacher("Ёлкина", self_education_topic='=HYPERLINK("http://x","y")')
    _teacher("Яковлева")
    owner = methodist(username="m")
    client.force_login(owner)
    job = _order(client, django_capture_on_commit_callbacks, reverse("members:teacher_export"), {"q": "елкина"})
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.progress == 100 and job.params == {"q": ["елкина"]}
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Файл готов" in page and reverse("export_download", args=[job.pk]) in page
    assert job.title in client.get(reverse("export_list")).content.decode()
    sheet = load_workbook(io.BytesIO(_download(client, job))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 2 and rows[1][0].startswith("Ёлкина")  # the filter, not the district
    topic = next(cell for cell in sheet[2] if cell.value == '=HYPERLINK("http://x","y")')
    assert topic.data_type == "s"  # still text in write-only mode
    entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
    assert entry.viewer == owner and entry.detail == "База педагогов, Excel (1 чел.); отбор: Поиск по ФИО: елкина"

    client.force_login(methodist(username="other"))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert job.title not in client.get(reverse("export_list")).content.decode()


def test_a_file_is_deleted_by_the_periodic_task_a_day_after_it_was_made(client, django_capture_on_commit_callbacks):
    _teacher("Ёлкина")
    client.force_login(methodist(username="m"))
    with time_machine.travel(NOW, tick=False):
        job = _order(client, django_capture_on_commit_callbacks, reverse("members:teacher_export"))
    job.refresh_from_db()
    name, storage = job.result.file.name, job.result.file.storage
    assert storage.exists(name)
    keep = datetime.timedelta(hours=django_settings.EXPORT_KEEP_HOURS)
    with time_machine.travel(NOW + keep - datetime.timedelta(hours=1), tick=False):
        assert tasks.purge_exports() == 0
    assert _download(client, job)
    later = time_machine.travel(NOW + keep + datetime.timedelta(minutes=1), tick=False)
    with later, django_capture_on_commit_callbacks(execute=True):
        assert tasks.purge_exports() == 1
        assert tasks.purge_exports() == 0  # once
    job.refresh_from_db()
    assert job.status == ExportJob.Status.EXPIRED and job.result is None and not StoredFile.objects.exists()
    assert not storage.exists(name)
    assert client.get(reverse("export_download", args=[job.pk])).status_code == 404
    assert "удалён по сроку хранения" in client.get(job.get_absolute_url()).content.decode()


def test_the_same_order_while_it_is_queued_is_not_queued_again(django_capture_on_commit_callbacks):
    owner = methodist(username="m")
    with django_capture_on_commit_callbacks() as callbacks:
        first = export_job_start(kind="teachers", title="Педагоги", params={}, by=owner)
        again = export_job_start(kind="teachers", title="Педагоги", params={}, by=owner)
    assert first == again and len(callbacks) == 1


def test_a_teacher_cannot_order_the_district(client):
    client.force_login(_teacher("Ёлкина").user)
    assert client.get(reverse("members:teacher_export")).status_code == 403
    assert not ExportJob.objects.exists()


def test_a_failed_job_tells_its_owner_why(client, django_capture_on_commit_callbacks):
    school = SchoolFactory(short_name="СОШ № 1")
    client.force_login(methodist(username="m"))
    with django_capture_on_commit_callbacks():  # ordered, not yet run
        response = client.get(reverse("members:teacher_export"), {"school": school.pk})
    job = ExportJob.objects.get()
    school.delete()  # the filter no longer holds when the worker comes to it
    tasks.export_run(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED
    assert "Отбор списка больше не действует" in client.get(response["Location"]).content.decode()


def test_attestation_schedule_as_excel_and_training_as_pdf_are_jobs(client, django_capture_on_commit_callbacks):
    _teacher("Ёлкина", last_attestation_on=datetime.date(2021, 10, 1), category_assigned_on=datetime.date(2021, 10, 1))
    _teacher("Яковлева", last_attestation_on=datetime.date(2025, 10, 1))
    client.force_login(methodist(username="m"))
    url = reverse("members:attestation_schedule")
    job = _order(client, django_capture_on_commit_callbacks, url, {"year": 2026, "format": "xlsx", "q": "елкина"})
    job.refresh_from_db()
    assert job.kind == "attestation" and job.result.original_name == "attestation-2026.xlsx"
    rows = list(load_workbook(io.BytesIO(_download(client, job))).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Ф.И.О.", "Школа", "Предмет", "Категория", "Год аттестации")
    assert len(rows) == 2 and rows[1][0].startswith("Ёлкина") and rows[1][4] == 2026
    assert AccessLog.objects.get(action="export").detail.startswith("График аттестации, 2026 (XLSX, 1 чел.)")

    job = _order(client, django_capture_on_commit_callbacks, reverse("members:training_schedule"),
                 {"year": 2026, "format": "pdf"})  # fmt: skip
    job.refresh_from_db()
    assert job.status == ExportJob.Status.DONE and job.result.content_type == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(_download(client, job))).pages[0].extract_text().split())
    assert "График повышения квалификации" in text and "Ёлкина" in text and "Яковлева" in text


def test_attestation_schedule_page_shows_fifty_a_page_in_order_of_the_due_year(client):
    for n in range(55):
        _teacher(f"Учитель{n:02d}", last_attestation_on=datetime.date(2022, 3, 1))  # due 2027
    _teacher("Ёлкина", last_attestation_on=datetime.date(2019, 3, 1))  # overdue: first
    client.force_login(methodist(username="m"))
    url = reverse("members:attestation_schedule")
    first = client.get(url, {"year": 2026})
    rows = first.context["rows"]
    assert len(rows) == 50 and rows[0].teacher.user.last_name == "Ёлкина"
    assert first.context["due_now"] == 1 and first.context["page_obj"].paginator.count == 56
    second = client.get(url, {"year": 2026, "page": 2})
    assert [r.teacher.user.last_name for r in second.context["rows"]] == [f"Учитель{n:02d}" for n in range(49, 55)]


def test_the_associations_pdf_is_made_in_the_background(client, django_capture_on_commit_callbacks):
    from associations.tests.factories import AssociationFactory

    for i in range(60):
        AssociationFactory(name=f"Творческая группа «Ёлочка» № {i + 1}")
    assert client.get(reverse("associations:list_pdf")).status_code == 302  # anonymous: to log in
    assert not ExportJob.objects.exists()
    client.force_login(UserFactory(username="t"))
    job = _order(client, django_capture_on_commit_callbacks, reverse("associations:list_pdf"))
    job.refresh_from_db()
    reader = PdfReader(io.BytesIO(_download(client, job)))
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]
    assert len(pages) >= 2 and f"Страница 1 из {len(pages)}" in pages[0]
    assert "Творческая группа «Ёлочка» № 60" in "".join(pages)


def test_starting_the_web_process_imports_neither_openpyxl_nor_weasyprint():
    code = (
        "import sys, django; django.setup(); import rmo_portal.urls, rmo_portal.wsgi; "
        "print(sorted(m for m in ('openpyxl', 'weasyprint') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=django_settings.BASE_DIR
    )
    assert out.stdout.strip().splitlines()[-1] == "[]"
