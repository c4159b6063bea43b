"""Importing at the speed of the list, not of the district: few queries however many rows, history kept."""

import datetime

import pytest
import time_machine
from django.db import connection

from members import importer
from members.history import profile_history
from members.models import Employment, Teacher, User
from members.tests.factories import SchoolFactory, TeacherFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db

HEADER = ["Ф.И.О.", "Школа", "Предмет", "Категория", "Дата последней аттестации", "Телефон"]


@pytest.fixture(autouse=True)
def frozen_day():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 10, 0, tzinfo=datetime.UTC), tick=False):
        yield


def _table(count: int, *, start: int = 0) -> list[list]:
    """`count` new people in two schools (one new), with one or two subjects (one new)."""
    return [HEADER] + [
        [f"Новикова{n} Анна Петровна", "СОШ № 1" if n % 2 else "МБОУ «Новая школа»",
         "Математика, Новый предмет" if n % 3 else "Физика", "первая", "05.09.2022", f"+7 900 {n:07d}"]
        for n in range(start, start + count)
    ]  # fmt: skip


@pytest.fixture
def district():
    """A district that already has people, some with the file's surnames, and the school of the file."""
    school = SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")
    for n in range(5):
        TeacherFactory(user=UserFactory(username=f"x{n}", last_name=f"Новикова{n}", first_name="Ольга"), school=school)
    return school


def test_import_runs_the_same_queries_for_100_or_1000_rows(district, django_assert_max_num_queries, monkeypatch):
    # SQLite 3.32+ takes 32,766 parameters a statement; Django assumes 999 and splits inserts by the row.
    monkeypatch.setattr(connection.features, "max_query_params", 32_766)
    by = methodist(username="m")
    with django_assert_max_num_queries(40) as small:
        _, counts = importer.import_run(_table(100), by=by)
    assert counts == {"new": 100, "updated": 0, "rejected": 0}
    with django_assert_max_num_queries(len(small.captured_queries)):
        _, counts = importer.import_run(_table(1000, start=100), by=by)
    assert counts == {"new": 1000, "updated": 0, "rejected": 0}
    assert Teacher.objects.count() == 1105


def test_updating_1000_profiles_runs_no_more_queries_than_100(district, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(connection.features, "max_query_params", 32_766)
    importer.import_run(_table(1100))
    changed = [[*row[:3], "высшая", *row[4:]] for row in _table(1100)[1:]]
    with django_assert_max_num_queries(40) as small:
        _, counts = importer.import_run([HEADER, *changed[:100]])
    assert counts["updated"] == 100
    with django_assert_max_num_queries(len(small.captured_queries)):
        _, counts = importer.import_run([HEADER, *changed[100:]])
    assert counts["updated"] == 1000


def test_an_imported_profile_shows_in_its_history_who_imported_it_with_its_subjects(district):
    by = methodist(username="m")
    importer.import_run(_table(3), by=by)
    teacher = Teacher.objects.get(user__last_name="Новикова1", user__first_name="Анна")
    entries = profile_history(teacher)
    assert {e.what for e in entries} == {"Профиль", "Место работы: СОШ № 1, учитель"}
    assert all(e.who == by for e in entries)
    record = teacher.history.get()
    assert sorted(s.subject.name for s in record.subjects.all()) == ["Математика", "Новый предмет"]
    assert teacher.user.history.get().history_user == by


def test_a_changed_profile_shows_its_new_category_and_subject_in_the_history(district):
    by = methodist(username="m")
    teacher = Teacher.objects.get(user__last_name="Новикова1")
    row = ["Новикова1 Ольга Петровна", "СОШ № 1", "Математика, Химия", "высшая", "", ""]
    with time_machine.travel(datetime.datetime(2026, 11, 25, 10, 0, tzinfo=datetime.UTC), tick=False):
        importer.import_run([HEADER, row], by=by)
    latest = profile_history(teacher)[0]
    assert latest.who == by and latest.what == "Профиль"
    changes = {label: (old, new) for label, old, new in latest.changes}
    assert changes["квалификационная категория"] == ("первая", "высшая")
    assert changes["предметы"] == ("Русский язык", "Математика, Русский язык, Химия")


def test_a_double_surname_written_with_another_dash_or_spaces_is_the_same_person(district):
    existing = TeacherFactory(
        user=UserFactory(username="d", last_name="Иванова–Рябова", first_name="Анна", patronymic=""), school=district
    )
    plan = importer.plan_import([["Фамилия", "Имя", "Школа"], ["ИВАНОВА - РЯБОВА", "Анна", "СОШ № 1"]])
    assert plan.rows[0].teacher == existing and plan.rows[0].status == "same"


def test_new_people_get_the_next_free_user_names_and_no_password(district):
    UserFactory(username="elkina.as", last_name="Другая")
    UserFactory(username="elkina.as2", last_name="Другая")
    rows = [["Ёлкина Анна Сергеевна", "СОШ № 1"], ["Елкина Алла Семёновна", "СОШ № 1"]]
    importer.import_run([["Ф.И.О.", "Школа"], *rows])
    users = User.objects.filter(last_name__in=["Ёлкина", "Елкина"]).order_by("username")
    assert [u.username for u in users] == ["elkina.as3", "elkina.as4"]
    assert not any(u.has_usable_password() for u in users)
    assert [u.sort_key for u in users] == ["елкина анна сергеевна", "елкина алла семеновна"]


def test_a_second_place_of_work_is_added_beside_the_main_one(district):
    teacher = Teacher.objects.get(user__last_name="Новикова2")
    importer.import_run([["Ф.И.О.", "Школа"], ["Новикова2 Ольга Петровна", "МБОУ «Другая школа»"]])
    places = {e.school.short_name: e.is_main for e in Employment.objects.filter(teacher=teacher)}
    assert places == {"СОШ № 1": True, "МБОУ «Другая школа»": False}
