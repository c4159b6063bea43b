"""What a person reads in the profile history and the import preview: labels, names and dates, never codes."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import Workbook

from members import importer
from members.history import profile_history
from members.models import Category, Employment, ImportJob, Subject, Teacher
from members.tests.factories import SchoolFactory, TeacherFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 11, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _changes(teacher) -> list[tuple[str, str, str]]:
    return [c for e in profile_history(teacher) for c in e.changes]


def test_history_shows_category_labels_dates_and_subject_names():
    teacher = TeacherFactory(
        user=UserFactory(username="t", last_name="Громова"), category=Category.NONE, last_attestation_on=None
    )
    teacher.category = Category.FIRST
    teacher.last_attestation_on = datetime.date(2023, 5, 10)
    teacher.save()
    teacher.subjects.add(Subject.objects.create(name="Астрономия"))
    changes = _changes(teacher)
    assert ("квалификационная категория", "без категории", "первая") in changes
    assert ("последняя аттестация", "—", "10.05.2023") in changes
    assert any(label == "предметы" and "Астрономия" in new for label, _old, new in changes)
    shown = repr(changes)
    for code in ("none", "first", "2023-05-10", "'teacher'", "'subject'"):
        assert code not in shown


def test_history_names_the_place_of_work_and_records_e_mail_changes(client):
    teacher = TeacherFactory(user=UserFactory(username="t", last_name="Громова", email="old@example.org"))
    first, second = SchoolFactory(short_name="СОШ № 1"), SchoolFactory(short_name="Гимназия № 2")
    employment = Employment.objects.create(teacher=teacher, school=first, position="учитель")
    employment.school = second
    employment.save()
    teacher.user.email = "new@example.org"
    teacher.user.save()
    entries = profile_history(teacher)
    work = next(e for e in entries if e.changes and e.what.startswith("Место работы"))
    assert work.what == "Место работы: Гимназия № 2, учитель"
    assert ("образовательная организация", "СОШ № 1", "Гимназия № 2") in work.changes
    account = next(e for e in entries if e.what == "Учётная запись")
    assert account.changes == [("адрес электронной почты", "old@example.org", "new@example.org")]
    client.force_login(methodist(username="m"))
    page = client.get(reverse("members:teacher_history", args=[teacher.pk])).content.decode()
    assert "new@example.org" in page and "Гимназия № 2" in page


def _xlsx(header: list, rows: list) -> bytes:
    book = Workbook()
    book.active.append(["Список педагогов"])
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _plan(content: bytes, **kwargs) -> importer.Plan:
    return importer.plan_import(importer.read_table("list.xlsx", content), **kwargs)


def test_headers_with_the_words_districts_add_are_recognised():
    content = _xlsx(
        ["№", "Ф.И.О. учителя", "Наименование ОУ (полностью)", "Категория (при наличии)", "Педагогический стаж, лет"],
        [[1, "Ёлкина Анна Сергеевна", "МБОУ «СОШ № 1»", "высшая", 12]],
    )
    plan = _plan(content)
    assert not plan.error
    row = plan.rows[0]
    assert row.status == "new"
    assert (row.data["last_name"], row.data["school"]) == ("Ёлкина", "МБОУ «СОШ № 1»")
    assert row.data["category"] == Category.HIGHEST and row.data["pedagogical_years"] == 12


def test_a_row_number_column_is_not_imported():
    assert importer.header_column("№") is None
    assert importer.header_column("№ п/п") is None
    table = [["№ п/п", "Телефон", "Ф.И.О."], [7, "", "Ёлкина Анна"]]
    _index, mapping = importer.find_header(table)
    assert mapping == {1: "phone", 2: "fio"}


def test_preview_changes_show_labels_and_dates_not_codes():
    teacher = TeacherFactory(
        user=UserFactory(username="e", last_name="Ёлкина", first_name="Анна", patronymic=""),
        category=Category.COMPLIANCE, last_attestation_on=datetime.date(2019, 9, 5),
    )  # fmt: skip
    school = SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")
    Employment.objects.create(teacher=teacher, school=school)
    content = _xlsx(
        ["Ф.И.О.", "Школа", "Категория", "Дата последней аттестации"],
        [["Ёлкина Анна", "СОШ № 1", "первая", "12.04.2023"]],
    )
    row = _plan(content).rows[0]
    assert row.status == "update"
    assert "квалификационная категория: соответствие занимаемой должности → первая" in row.changes
    assert "последняя аттестация: 05.09.2019 → 12.04.2023" in row.changes
    assert "compliance" not in repr(row.changes) and "2023-04-12" not in repr(row.changes)


@pytest.fixture
def newer_on_profile():
    teacher = TeacherFactory(
        user=UserFactory(username="e", last_name="Ёлкина", first_name="Анна", patronymic=""),
        category=Category.HIGHEST, last_attestation_on=datetime.date(2023, 4, 12),
    )  # fmt: skip
    Employment.objects.create(teacher=teacher, school=SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1"))
    return teacher


OLDER_IN_FILE = _xlsx(
    ["Ф.И.О.", "Школа", "Дата последней аттестации", "Телефон"],
    [["Ёлкина Анна", "СОШ № 1", "05.09.2019", "+7 900 000-00-00"]],
)


def test_an_older_attestation_date_in_the_file_is_a_conflict_and_the_newer_one_stays(newer_on_profile):
    plan = _plan(OLDER_IN_FILE)
    row = plan.rows[0]
    assert row.conflicts == ["последняя аттестация: в файле 05.09.2019, в профиле 12.04.2023 — оставлена более новая"]
    assert not any("аттестация" in c for c in row.changes)
    importer.import_apply(plan)
    newer_on_profile.refresh_from_db()
    assert newer_on_profile.last_attestation_on == datetime.date(2023, 4, 12)
    assert newer_on_profile.phone == "+7 900 000-00-00"  # the rest of the row is written


def test_the_methodist_may_let_the_file_replace_newer_dates(newer_on_profile):
    plan = _plan(OLDER_IN_FILE, overwrite_dates=True)
    assert "заменена датой из файла" in plan.rows[0].conflicts[0]
    assert "последняя аттестация: 12.04.2023 → 05.09.2019" in plan.rows[0].changes
    importer.import_apply(plan)
    newer_on_profile.refresh_from_db()
    assert newer_on_profile.last_attestation_on == datetime.date(2019, 9, 5)


@pytest.mark.parametrize(
    ("ticked", "expected"), [(False, datetime.date(2023, 4, 12)), (True, datetime.date(2019, 9, 5))]
)
def test_the_preview_checkbox_is_passed_to_the_worker(
    client, newer_on_profile, django_capture_on_commit_callbacks, ticked, expected
):
    client.force_login(methodist(username="m"))
    upload = io.BytesIO(OLDER_IN_FILE)
    upload.name = "list.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:teacher_import"), {"file": upload})
    job = ImportJob.objects.get()
    page = client.get(job.get_absolute_url()).content.decode()
    assert "в файле 05.09.2019, в профиле 12.04.2023 — оставлена более новая" in page
    assert 'name="overwrite_dates"' in page and "Заменить более новые даты из файла" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import_job_confirm", args=[job.pk]), {"overwrite_dates": "1"} if ticked else {})
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.overwrite_dates is ticked
    assert Teacher.objects.get(pk=newer_on_profile.pk).last_attestation_on == expected
