"""The teacher list: filters, Russian search and order, constant queries; schedules; the Excel export."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from members.models import Category, Teacher
from members.schedules import EXPORT_HEADERS, attestation_schedule, training_schedule
from members.tests.factories import SchoolFactory, TeacherFactory, TrainingCourseFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db


def _teacher(surname, **kwargs):
    return TeacherFactory(user=UserFactory(username=surname, last_name=surname), **kwargs)


def _names(response) -> list[str]:
    return [t.user.last_name for t in response.context["object_list"]]


@pytest.fixture
def staff(client):
    client.force_login(methodist(username="methodist"))
    return client


def test_search_finds_yo_by_ye_and_sorts_russian(staff):
    for surname in ("Яковлева", "Ёлкина", "Елисеева", "Жукова"):
        _teacher(surname)
    url = reverse("members:teacher_list")
    assert _names(staff.get(url)) == ["Елисеева", "Ёлкина", "Жукова", "Яковлева"]
    assert _names(staff.get(url, {"q": "елкина"})) == ["Ёлкина"]
    assert _names(staff.get(url, {"q": "ЁЛК"})) == ["Ёлкина"]
    assert _names(staff.get(url, {"q": "ёлкина мария"})) == ["Ёлкина"]


def test_filters_by_school_subject_category_attestation_course_and_youth(staff):
    lyceum = SchoolFactory(name="МБОУ «Лицей»", short_name="Лицей")
    today = datetime.date.today()
    young = _teacher("Молодова", pedagogical_since=today.replace(year=today.year - 1), school=lyceum)
    veteran = _teacher(
        "Стажева",
        subject="Математика",
        category=Category.HIGHEST,
        last_attestation_on=datetime.date(2022, 3, 1),
        category_assigned_on=datetime.date(2022, 3, 1),
    )
    TrainingCourseFactory(
        teacher=veteran, end_date=today - datetime.timedelta(days=30), start_date=today - datetime.timedelta(days=40)
    )
    url = reverse("members:teacher_list")
    assert _names(staff.get(url, {"school": lyceum.pk})) == ["Молодова"]
    assert _names(staff.get(url, {"subject": veteran.subjects.get().pk})) == ["Стажева"]
    assert _names(staff.get(url, {"category": "highest"})) == ["Стажева"]
    assert _names(staff.get(url, {"attestation_year": 2027})) == ["Стажева"]
    assert _names(staff.get(url, {"course_overdue": "1"})) == ["Молодова"]
    assert _names(staff.get(url, {"young": "1"})) == [young.user.last_name]


def test_teacher_list_filters_by_association(staff):
    from associations.tests.factories import AssociationFactory, MembershipFactory

    association = AssociationFactory(name="РМО учителей физики")
    member = _teacher("Физикова")
    MembershipFactory(association=association, user=member.user)
    _teacher("Посторонняя")
    assert _names(staff.get(reverse("members:teacher_list"), {"association": association.pk})) == ["Физикова"]


def test_teacher_list_runs_the_same_queries_for_5_or_60_teachers(staff, django_assert_max_num_queries):
    def add(n, offset):
        for i in range(n):
            teacher = _teacher(f"Педагог{offset + i:03d}")
            TrainingCourseFactory(teacher=teacher)

    add(5, 0)
    url = reverse("members:teacher_list")
    with django_assert_max_num_queries(20) as small:
        assert staff.get(url).status_code == 200
    add(55, 5)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = staff.get(url)
    assert len(response.context["object_list"]) == 50
    with django_assert_max_num_queries(len(small.captured_queries) + 2):  # ordering the export: a worker makes it
        assert staff.get(reverse("members:teacher_export")).status_code == 302


def test_attestation_schedule_lists_who_is_due_and_overdue():
    due = Teacher(last_attestation_on=datetime.date(2022, 5, 1))  # due 2027
    overdue = Teacher(last_attestation_on=datetime.date(2019, 5, 1))  # was due 2024
    later = Teacher(last_attestation_on=datetime.date(2026, 5, 1))  # due 2031, beyond the plan
    never = Teacher()
    rows = attestation_schedule([due, overdue, later, never], year=2026)
    assert [(r.due_year, r.overdue) for r in rows] == [(2024, True), (2027, False)]
    assert rows[0].plan[2026] and not rows[0].plan[2027]
    assert rows[1].plan[2027] and not rows[1].plan[2026]


def test_training_schedule_plans_a_course_every_three_years(staff):
    recent = _teacher("Свежева")
    TrainingCourseFactory(teacher=recent, start_date=datetime.date(2025, 3, 1), end_date=datetime.date(2025, 3, 10))
    never = _teacher("Безкурсова")
    rows = {r.teacher.pk: r for r in training_schedule(Teacher.objects.for_list(), year=2026)}
    assert rows[recent.pk].due_year == 2028 and not rows[recent.pk].overdue
    assert [y for y, planned in rows[recent.pk].plan.items() if planned] == [2028]
    assert rows[never.pk].overdue
    assert [y for y, planned in rows[never.pk].plan.items() if planned] == [2026, 2029]


def _file(client, capture, url, params) -> bytes:
    """Order a file on a page (a background job, run when the request commits) and download it."""
    with capture(execute=True):
        job_url = client.get(url, params)["Location"]
    download = client.get(job_url.rstrip("/") + "/download/")
    assert download.status_code == 200
    return b"".join(download.streaming_content)


def test_schedule_pages_excel_and_pdf(staff, django_capture_on_commit_callbacks, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    _teacher("Ёлкина", last_attestation_on=datetime.date(2021, 10, 1), category_assigned_on=datetime.date(2021, 10, 1))
    url = reverse("members:attestation_schedule")
    page = staff.get(url, {"year": 2026})
    assert "Ёлкина" in page.content.decode()
    assert "График аттестации на 2026 год" in page.content.decode()
    xlsx = _file(staff, django_capture_on_commit_callbacks, url, {"year": 2026, "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(xlsx)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("Ф.И.О.", "Школа", "Предмет", "Категория", "Год аттестации")
    assert rows[1][0].startswith("Ёлкина") and rows[1][4] == 2026
    pdf = _file(
        staff, django_capture_on_commit_callbacks, reverse("members:training_schedule"), {"year": 2026, "format": "pdf"}
    )
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "График повышения квалификации" in text and "Ёлкина" in text


def test_excel_export_has_the_columns_of_the_regulation(staff, tmp_path, settings, django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    teacher = _teacher("Ёлкина")
    TrainingCourseFactory(teacher=teacher, topic="Обновлённые ФГОС")
    content = _file(staff, django_capture_on_commit_callbacks, reverse("members:teacher_export"), {"q": "елкина"})
    sheet = load_workbook(io.BytesIO(content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_HEADERS
    assert len(rows) == 2
    assert rows[1][0].startswith("Ёлкина")
    assert "Обновлённые ФГОС" in rows[1][8]
    target = tmp_path / "teachers.xlsx"
    call_command("export_teachers", str(target))
    assert load_workbook(target).active.max_row == 2
