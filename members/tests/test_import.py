"""Importing the messy lists that districts really have, from Excel and CSV, in the browser and the shell."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from members import importer
from members.models import Category, ImportJob, School, Teacher
from members.tests.factories import SchoolFactory, TeacherFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db

HEADER = [
    "№ п/п", "  Ф.И.О. ", "Образовательное учреждение", "Преподаваемый предмет", "Квалификационная категория",
    "Дата последней аттестации", "Год очередной аттестации", "Педагогический стаж", "Телефон", "E-mail",
]  # fmt: skip
ROWS = [
    [1, "  Ёлкина   Анна  Сергеевна ", "МБОУ «СОШ № 1»", "Русский язык", "Высшая", "05.09.2019", 2024, 21, "", ""],
    [2, "Петрова Мария Ивановна", 'мбоу "сош №1"', "Математика", "1 категория", datetime.datetime(2022, 3, 14), "",
     "12 лет", "", "petrova@example.org"],
    [None, None, None, None, None, None, None, None, None, None],
    [3, "Сидоров Пётр", "МБОУ «Новая школа»", "Физика", "СЗД", "", "", 3, "", ""],
    [4, "Кузнецова Ольга Павловна", "МБОУ «СОШ № 1»", "Химия", "высшая кв. категория", "31.02.2020", "", "", "", ""],
    [5, "Иванова", "МБОУ «СОШ № 1»", "Химия", "первая", "", "", "", "", ""],
    [6, "Петрова Мария Ивановна", 'мбоу "сош №1"', "Математика", "1 категория", datetime.datetime(2022, 3, 14), "",
     "12 лет", "", "petrova@example.org"],
    [7, "Орлова Нина Юрьевна", "МБОУ «СОШ № 1»", "Биология", "вторая", "", "", "", "", ""],
]  # fmt: skip


def messy_xlsx(rows=ROWS) -> bytes:
    """A list as a district keeps it: a title, a merged heading above the header, an empty row."""
    book = Workbook()
    sheet = book.active
    sheet.append(["Список педагогов РМО учителей-предметников на 2026/27 учебный год"])
    sheet.merge_cells("A1:J1")
    sheet.append(["", "Сведения о педагоге", "", "", "Аттестация", "", "", "", "Контакты", ""])
    sheet.merge_cells("B2:D2")
    sheet.merge_cells("E2:H2")
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def frozen_day():
    """Years of experience and «in the future» checks depend on the day: the tests run on a fixed one."""
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def school():
    return SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")


def _plan(content=None, name="list.xlsx"):
    return importer.plan_import(importer.read_table(name, content or messy_xlsx()))


def test_preview_judges_every_row_with_a_reason(school):
    plan = _plan()
    by_row = {r.number: r for r in plan.rows}
    assert len(plan.rows) == 7  # the empty row is not a row
    assert by_row[4].status == "new" and by_row[4].data["last_name"] == "Ёлкина"
    assert by_row[4].data["category"] == Category.HIGHEST
    assert by_row[4].data["last_attestation_on"] == datetime.date(2019, 9, 5)
    assert by_row[5].data["category"] == Category.FIRST
    assert by_row[5].data["last_attestation_on"] == datetime.date(2022, 3, 14)
    assert not by_row[5].new_school  # «мбоу "сош №1"» is «МБОУ «СОШ № 1»»
    assert by_row[7].status == "new" and by_row[7].new_school and by_row[7].data["category"] == Category.COMPLIANCE
    assert by_row[8].status == "error" and "31.02.2020" in by_row[8].errors[0]
    assert by_row[9].status == "error" and "фамилия и имя" in by_row[9].errors[0]
    assert by_row[10].status == "skip"  # the same person again, the same facts
    assert by_row[11].status == "error" and "вторая" in by_row[11].errors[0]
    assert plan.new_schools == ["МБОУ «Новая школа»"]


def test_confirming_imports_valid_rows_and_the_same_file_again_changes_nothing(school):
    counts = importer.import_apply(_plan())
    assert counts == {"new": 3, "updated": 0, "rejected": 3}
    elkina = Teacher.objects.get(user__last_name="Ёлкина")
    assert elkina.user.first_name == "Анна" and elkina.user.patronymic == "Сергеевна"
    assert elkina.main_school == school
    assert elkina.next_attestation_year == 2024
    assert elkina.pedagogical_years(datetime.date.today()) == 21
    assert School.objects.filter(name="МБОУ «Новая школа»").exists()
    again = _plan()
    assert again.count("new") == 0 and again.count("update") == 0
    assert again.count("same") == 3
    before = (Teacher.objects.count(), School.objects.count())
    importer.import_apply(again)
    assert (Teacher.objects.count(), School.objects.count()) == before


def test_the_same_person_is_recognised_across_files_with_yo_or_ye(school):
    existing = TeacherFactory(
        user=UserFactory(username="e", last_name="Ёлкина", first_name="Анна", patronymic="Сергеевна")
    )
    plan = _plan(messy_xlsx([[1, "ЕЛКИНА анна сергеевна", "СОШ № 1", "Русский язык", "первая", "", "", "", "", ""]]))
    row = plan.rows[0]
    assert row.status == "update" and row.teacher == existing
    importer.import_apply(plan)
    existing.refresh_from_db()
    assert existing.category == Category.FIRST
    assert Teacher.objects.count() == 1


def test_rejected_rows_come_back_as_a_file_to_fix(school):
    plan = _plan()
    sheet = load_workbook(io.BytesIO(importer.rejected_xlsx(plan))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Ошибка" and rows[0][2] == "Ф.И.О."
    assert len(rows) == 4
    assert "31.02.2020" in rows[1][0]
    # Fixed and loaded again, the rows go in.
    fixed = [list(r[1:]) for r in rows[1:]]
    fixed[0][5] = "28.02.2020"
    fixed[1][1] = "Иванова Ирина"
    fixed[2][4] = "первая"
    book = Workbook()
    book.active.append(list(rows[0]))
    for r, original in zip(fixed, rows[1:], strict=True):
        book.active.append([original[0], *r])
    buffer = io.BytesIO()
    book.save(buffer)
    assert importer.import_apply(_plan(buffer.getvalue())) == {"new": 3, "updated": 0, "rejected": 0}


def test_csv_in_windows_1251_with_semicolons(school):
    text = "Фамилия;Имя;Отчество;Школа;Категория;Дата последней аттестации\nЯковлева;Ольга;;СОШ № 1;СЗД;2023-05-02\n"
    plan = _plan(text.encode("cp1251"), name="list.csv")
    assert plan.rows[0].status == "new"
    assert plan.rows[0].data["last_attestation_on"] == datetime.date(2023, 5, 2)


def test_a_csv_of_one_column_is_read():
    plan = _plan("Ф.И.О.\nИванова Анна\n".encode(), name="list.csv")
    assert plan.rows[0].errors == ["не указана образовательная организация"]


def test_a_broken_xlsx_gets_a_message_not_a_crash():
    with pytest.raises(importer.ImportFileError, match=r"сохраните его как \.xlsx"):
        importer.read_table("list.xlsx", b"not a zip")


def test_a_file_without_a_name_column_is_refused_whole():
    plan = _plan(b"a;b\n1;2\n", name="x.csv")
    assert "Ф.И.О." in plan.error


def test_import_in_the_browser_preview_confirm_and_download_rejected(
    client, school, django_capture_on_commit_callbacks
):
    client.force_login(methodist(username="m"))
    upload = io.BytesIO(messy_xlsx())
    upload.name = "Список педагогов.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("members:teacher_import"), {"file": upload})
    job = ImportJob.objects.get()
    assert response.url == job.get_absolute_url()
    body = client.get(job.get_absolute_url()).content.decode()
    assert "Ничего ещё не записано" in body and "новая ОО" in body
    assert Teacher.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("members:import_job_confirm", args=[job.pk]))
    assert "новых 3, обновлено 0, отклонено 3" in client.get(job.get_absolute_url()).content.decode()
    assert Teacher.objects.count() == 3
    rejected = client.get(reverse("members:import_job_rejected", args=[job.pk]))
    assert load_workbook(io.BytesIO(rejected.content)).active.max_row == 4


def test_import_page_refuses_other_files_and_other_roles(client):
    client.force_login(UserFactory(username="t"))
    assert client.get(reverse("members:teacher_import")).status_code == 403
    client.force_login(methodist(username="m"))
    upload = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    upload.name = "list.xls"
    response = client.post(reverse("members:teacher_import"), {"file": upload})
    assert "сохраните в новом формате" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_command_counts_and_exit_code(school, tmp_path, capsys):
    path = tmp_path / "list.xlsx"
    path.write_bytes(messy_xlsx())
    with pytest.raises(SystemExit) as exit_info:
        call_command("import_teachers", str(path), "--dry-run")
    assert exit_info.value.code == 1
    assert "новых 3, обновлено 0" in capsys.readouterr().out
    assert Teacher.objects.count() == 0
    good = tmp_path / "good.xlsx"
    good.write_bytes(messy_xlsx(ROWS[:2]))
    call_command("import_teachers", str(good))
    assert Teacher.objects.count() == 2
    call_command("import_teachers", str(good))
    assert "без изменений 2" in capsys.readouterr().out


@pytest.mark.parametrize("day", [datetime.date(2027, 3, 15), datetime.date(2026, 9, 1), datetime.date(2027, 8, 31)])
def test_years_of_experience_in_a_file_are_the_years_on_the_day_it_is_loaded(school, day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False):
        importer.import_apply(_plan())
        elkina = Teacher.objects.get(user__last_name="Ёлкина")
        assert elkina.pedagogical_years(day) == 21
