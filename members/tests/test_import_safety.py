"""Imports that cannot sink the server: bounded reading, a worker does the work, one confirmation writes once."""

import datetime
import io
import threading
import zipfile

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from members import importer, services
from members.models import ImportJob, School, Teacher
from members.tests.factories import SchoolFactory, methodist
from members.tests.test_import import messy_xlsx
from rmo_portal.files import stored_file_from_bytes
from rmo_portal.models import StoredFile

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 11, 20, 10, 0, tzinfo=datetime.UTC)


def _csv(rows: int) -> bytes:
    lines = ["Ф.И.О.;Школа;Предмет"] + [f"Учитель{n} Анна Ивановна;СОШ № 1;Математика" for n in range(rows)]
    return "\n".join(lines).encode()


def _job(content: bytes, name: str, by) -> ImportJob:
    stored = stored_file_from_bytes(name=name, content=content, use="import", by=by)
    return ImportJob.objects.create(file=stored, file_name=name, created_by=by)


def test_a_list_longer_than_the_limit_is_refused_naming_the_limit():
    with pytest.raises(importer.ImportFileError, match="больше 10\u00a0000 строк"):
        importer.read_table("list.csv", _csv(100_000))
    assert len(importer.read_table("list.csv", _csv(9_000))) == 9_001


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_MB = 5
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * (8 * 1024 * 1024))
    assert len(buffer.getvalue()) < 100_000  # tiny on the wire
    with pytest.raises(importer.ImportFileError, match="больше 5 МБ"):
        importer.read_table("bomb.xlsx", buffer.getvalue())


def _with_sheet_xml(sheet_xml: str) -> bytes:
    """A real .xlsx whose first sheet is replaced by the given XML."""
    source = zipfile.ZipFile(io.BytesIO(messy_xlsx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in source.infolist():
            content = sheet_xml.encode() if item.filename == "xl/worksheets/sheet1.xml" else source.read(item)
            archive.writestr(item, content)
    return buffer.getvalue()


SHEET = (
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<dimension ref="A1:XFD1048576"/><sheetData>'
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Ф.И.О.</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Школа</t></is></c></row>'
    '<row r="2"><c r="A2" t="inlineStr"><is><t>Ёлкина Анна</t></is></c>'
    '<c r="B2" t="inlineStr"><is><t>СОШ 1</t></is></c>'
    '<c r="XFD2" t="inlineStr"><is><t>далеко</t></is></c></row>'
    "{tail}</sheetData></worksheet>"
)


def test_a_declared_million_row_dimension_is_ignored_and_far_columns_are_not_read(settings):
    rows = importer.read_table("list.xlsx", _with_sheet_xml(SHEET.format(tail="")))
    assert len(rows) == 2
    assert all(len(row) <= settings.IMPORT_MAX_COLUMNS for row in rows)
    assert rows[1][:2] == ["Ёлкина Анна", "СОШ 1"]


def test_a_cell_in_the_last_row_of_the_sheet_is_refused_after_a_bounded_read():
    far = '<row r="1048576"><c r="A1048576" t="inlineStr"><is><t>x</t></is></c></row>'
    with pytest.raises(importer.ImportFileError, match="удалите пустые или отформатированные строки"):
        importer.read_table("list.xlsx", _with_sheet_xml(SHEET.format(tail=far)))


def test_a_filled_column_past_the_limit_is_named_not_silently_dropped(settings):
    settings.IMPORT_MAX_COLUMNS = 3
    with pytest.raises(importer.ImportFileError, match="столбцы дальше 3-го"):
        importer.read_table("list.csv", "Ф.И.О.;Школа;Предмет;Телефон\nЁлкина Анна;СОШ;Химия;123".encode())


def test_a_finished_import_keeps_only_its_counts_after_a_day():
    user = methodist(username="m")
    with time_machine.travel(NOW, tick=False):
        job = _job(messy_xlsx(), "list.xlsx", user)
        services.import_job_read(job_id=job.pk)
        services.import_job_confirm(job=job, by=user)
        services.import_job_apply(job_id=job.pk)
    job.refresh_from_db()
    assert job.preview["rows"][0]["name"]  # the names and rejected cells, for the day
    with time_machine.travel(NOW + datetime.timedelta(hours=25), tick=False):
        assert services.import_files_purge() == 1
    job.refresh_from_db()
    assert job.preview is None and job.status == ImportJob.Status.DONE
    assert job.result == {"new": 3, "updated": 0, "rejected": 3}


def test_a_task_delivered_twice_writes_once():
    user = methodist(username="m")
    job = _job(messy_xlsx(), "list.xlsx", user)
    services.import_job_read(job_id=job.pk)
    assert services.import_job_read(job_id=job.pk) == ImportJob.Status.PREVIEW
    services.import_job_confirm(job=job, by=user)
    assert services.import_job_apply(job_id=job.pk) == ImportJob.Status.DONE
    assert services.import_job_apply(job_id=job.pk) == ImportJob.Status.DONE
    assert Teacher.objects.count() == 3


def test_the_upload_only_stores_the_file_and_queues_the_work(client):
    client.force_login(methodist(username="m"))
    upload = io.BytesIO(_csv(100_000))
    upload.name = "огромный список.csv"
    response = client.post(reverse("members:teacher_import"), {"file": upload})  # on_commit not run: no worker
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == ImportJob.Status.QUEUED and job.file_id
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Страница обновится сама" in page and 'http-equiv="refresh"' in page
    services.import_job_read(job_id=job.pk)  # what the worker does
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "больше 10\u00a0000 строк" in job.error
    assert job.file_id is None and not StoredFile.objects.exists()  # the list is not kept
    assert "больше 10\u00a0000 строк" in client.get(job.get_absolute_url()).content.decode()


def test_confirming_twice_writes_once_and_says_so(client, django_capture_on_commit_callbacks):
    user = methodist(username="m")
    SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")
    job = _job(messy_xlsx(), "list.xlsx", user)
    services.import_job_read(job_id=job.pk)
    client.force_login(user)
    url = reverse("members:import_job_confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url)
    assert Teacher.objects.count() == 3
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(url, follow=True)
    assert callbacks == []  # nothing queued the second time
    assert "уже подтверждён" in response.content.decode()
    assert Teacher.objects.count() == 3
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.result["new"] == 3
    assert job.file_id is None and not StoredFile.objects.exists()  # deleted once confirmed


def test_another_methodist_cannot_open_or_confirm_someone_elses_upload(client):
    job = _job(messy_xlsx(), "list.xlsx", methodist(username="m"))
    client.force_login(methodist(username="other"))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("members:import_job_confirm", args=[job.pk])).status_code == 404


def test_the_same_file_uploaded_twice_and_applied_one_after_another_creates_each_person_once():
    user = methodist(username="m")
    first, second = (_job(messy_xlsx(), "list.xlsx", user) for _ in range(2))
    for job in (first, second):
        services.import_job_read(job_id=job.pk)
    for job in (first, second):  # both previews said "new"; the second is judged again when applied
        services.import_job_confirm(job=job, by=user)
    for job in (first, second):
        services.import_job_apply(job_id=job.pk)
    assert Teacher.objects.count() == 3
    second.refresh_from_db()
    assert second.result == {"new": 0, "updated": 0, "rejected": 3}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_the_same_moment_write_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the race needs PostgreSQL")
    user = methodist(username="m")
    jobs = [_job(messy_xlsx(), "list.xlsx", user) for _ in range(2)]
    for job in jobs:
        services.import_job_read(job_id=job.pk)
    barrier = threading.Barrier(4)
    errors = []

    def confirm_and_apply(job):
        try:
            barrier.wait()
            try:
                services.import_job_confirm(job=job, by=user)
            except services.ProfileError:
                return
            services.import_job_apply(job_id=job.pk)
        except Exception as error:  # pragma: no cover - shown on failure
            errors.append(error)
        finally:
            connection.close()

    # Two tabs each double-click «Загрузить» on their own upload of the same file.
    threads = [threading.Thread(target=confirm_and_apply, args=(job,)) for job in jobs for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Teacher.objects.count() == 3
    assert School.objects.filter(name="МБОУ «Новая школа»").count() == 1


def test_two_new_schools_sharing_their_first_500_characters_are_errors_in_the_preview():
    long_a = "МБОУ «" + "Средняя " * 70 + "школа А»"
    long_b = "МБОУ «" + "Средняя " * 70 + "школа Б»"
    rows = [["Ф.И.О.", "Школа"], ["Ёлкина Анна", long_a], ["Жукова Ирина", long_b]]
    plan = importer.plan_import(rows)
    assert all(row.status == "error" for row in plan.rows)
    assert "длиннее 500 знаков" in plan.rows[0].errors[0]


def test_a_date_that_does_not_exist_is_called_so():
    plan = importer.plan_import(
        [["Ф.И.О.", "Школа", "Дата последней аттестации"], ["Ёлкина Анна", "СОШ", "31.02.2020"]]
    )
    assert "даты «31.02.2020» не существует" in plan.rows[0].errors[0]


def test_an_unconfirmed_upload_is_deleted_after_a_day():
    user = methodist(username="m")
    with time_machine.travel(NOW, tick=False):
        job = _job(messy_xlsx(), "list.xlsx", user)
        services.import_job_read(job_id=job.pk)
    with time_machine.travel(NOW + datetime.timedelta(hours=23), tick=False):
        assert services.import_files_purge() == 0
    with time_machine.travel(NOW + datetime.timedelta(hours=24, minutes=1), tick=False):
        assert services.import_files_purge() == 1
    job.refresh_from_db()
    assert job.file_id is None and not StoredFile.objects.exists()
    assert job.status == ImportJob.Status.FAILED and "не подтвердили за 24 ч" in job.error
