"""The teacher list costs the page, not the district (issue 9): the database walks the sort key's index and
stops at the page; the pagination count neither sorts nor joins what it does not filter on."""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Employment, Teacher, TrainingCourse, User, person_sort_key
from members.tests.factories import SchoolFactory, SubjectFactory, TeacherFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db

SURNAMES = ["Ёлкина", "Елисеева", "Яковлева", "Иванова", "Фёдорова", "Фролова", "Жукова"]


def _district(teachers: int) -> None:
    """A district made in a few bulk inserts: every teacher at one school, most with courses."""
    rng = random.Random(9)
    school, subject = SchoolFactory(), SubjectFactory()
    names = [(f"{rng.choice(SURNAMES)}{i}", "Анна", "Петровна") for i in range(teachers)]
    users = User.objects.bulk_create(
        User(username=f"p{i}", last_name=last, first_name=first, patronymic=patronymic, password="!",
             sort_key=person_sort_key(last, first, patronymic))
        for i, (last, first, patronymic) in enumerate(names)
    )  # fmt: skip
    profiles = Teacher.objects.bulk_create(Teacher(user=u) for u in users)
    Employment.objects.bulk_create(Employment(teacher=t, school=school) for t in profiles)
    Teacher.subjects.through.objects.bulk_create(
        Teacher.subjects.through(teacher_id=t.pk, subject_id=subject.pk) for t in profiles
    )
    TrainingCourse.objects.bulk_create(
        TrainingCourse(teacher=t, start_date=end - datetime.timedelta(days=10), end_date=end, provider="ИРО",
                       topic="ФГОС", hours=72)
        for t in profiles
        for end in [datetime.date(rng.randint(2018, 2026), 3, 15) for _ in range(rng.randint(0, 3))]
    )  # fmt: skip


def _page_queries(client, **params) -> tuple[str, str | None]:
    """The count and the page-1 query the teacher list runs (none when nobody is found)."""
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("members:teacher_list"), params).status_code == 200
    teacher_queries = [q["sql"] for q in captured.captured_queries if 'FROM "members_teacher"' in q["sql"]]
    count = next(sql for sql in teacher_queries if "COUNT(" in sql)
    page = next((sql for sql in teacher_queries if "LIMIT 50" in sql), None)
    return count, page


def test_pagination_count_neither_sorts_nor_joins_courses(client):
    client.force_login(methodist(username="methodist"))
    for surname in ("Ёлкина", "Елисеева"):
        TeacherFactory(user=UserFactory(username=surname, last_name=surname))
    count, _ = _page_queries(client)
    assert "ORDER BY" not in count and "JOIN" not in count and "trainingcourse" not in count
    count, _ = _page_queries(client, q="елкина", school=SchoolFactory().pk, course_overdue="1")
    assert "ORDER BY" not in count
    assert "INNER JOIN" in count and count.count("JOIN") == 1  # the name's key only; the rest are EXISTS


@pytest.mark.postgres
def test_teacher_list_page_walks_the_sort_key_index_on_postgresql(client):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan (EXPLAIN); SQLite has no planner statistics to speak of")
    _district(4000)
    client.force_login(methodist(username="methodist"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _, page = _page_queries(client)
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Scan using user_sort_key on members_user" in plan, plan
    # No sort of the whole district by name, no join of every teacher with every course.
    assert "Sort Key: members_user.sort_key" not in plan, plan
    assert "Seq Scan on members_trainingcourse" not in plan, plan
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'user_sort_key_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]


@pytest.mark.postgres
def test_attestation_schedule_reads_its_year_order_from_the_index_on_postgresql(client):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL plan (EXPLAIN); SQLite has no planner statistics to speak of")
    _district(4000)
    rng = random.Random(3)
    Teacher.objects.bulk_update(
        [
            Teacher(pk=t.pk, last_attestation_on=datetime.date(rng.randint(2015, 2025), 5, 1))
            for t in Teacher.objects.all()
        ],
        ["last_attestation_on"],
    )
    client.force_login(methodist(username="methodist"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("members:attestation_schedule")).status_code == 200
    page = next(q["sql"] for q in captured.captured_queries if "LIMIT 50" in q["sql"] and "members_teacher" in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + page)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The year comes in order from the expression index; only the first year's teachers are sorted by name.
    assert "teacher_next_attestation" in plan and "Presorted Key" in plan, plan
