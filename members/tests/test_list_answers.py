"""The teacher list answers as it did before the stored sort key and the EXISTS filters (issue 9): the same
people in the same order for the whole list, the search and every filter, written out by hand."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from associations.models import Association
from associations.tests.factories import AssociationFactory, MembershipFactory
from members.models import Category, Employment
from members.tests.factories import SchoolFactory, TeacherFactory, TrainingCourseFactory, UserFactory, methodist

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 27)
NOW = timezone.make_aware(datetime.datetime(2026, 11, 27, 12, 0))


def _course(teacher, end: datetime.date):
    TrainingCourseFactory(teacher=teacher, start_date=end - datetime.timedelta(days=10), end_date=end)


@pytest.fixture
def district():
    """Nine teachers in two schools: ё and е, one surname a prefix of another, two subjects, a second job."""
    lyceum = SchoolFactory(name="МБОУ «Лицей»", short_name="Лицей")
    gymnasium = SchoolFactory(name="МБОУ «Гимназия»", short_name="Гимназия")

    def teacher(last, first, patronymic="", *, school, subject="Русский язык", **kwargs):
        user = UserFactory(username=f"t{last}{first}", last_name=last, first_name=first, patronymic=patronymic)
        return TeacherFactory(user=user, school=school, subject=subject, **kwargs)

    attested_2022 = {
        "last_attestation_on": datetime.date(2022, 3, 1),
        "category_assigned_on": datetime.date(2022, 3, 1),
    }
    people = {
        "Яковлева": teacher("Яковлева", "Анна", "Петровна", school=lyceum, subject="Математика",
                            category=Category.HIGHEST, **attested_2022),
        "Ёлкина": teacher("Ёлкина", "Мария", "Петровна", school=gymnasium),
        "Елисеева": teacher("Елисеева", "Ольга", "Ивановна", school=lyceum, **attested_2022),
        "Фёдорова": teacher("Фёдорова", "Ирина", school=gymnasium, subject="Математика"),
        "Фролова": teacher("Фролова", "Елена", "Фёдоровна", school=lyceum, subject="Физика",
                           category=Category.HIGHEST),
        "Иванова Мария": teacher("Иванова", "Мария", "Петровна", school=lyceum),
        "Иванова Анна": teacher("Иванова", "Анна", school=gymnasium),
        "Иванов": teacher("Иванов", "Пётр", school=gymnasium, subject="Математика", next_attestation_year_set=2027),
        "Жукова": teacher("Жукова", "Алёна", school=gymnasium, pedagogical_since=datetime.date(2025, 9, 1)),
    }  # fmt: skip
    people["Яковлева"].subjects.add(people["Фролова"].subjects.get())
    Employment.objects.create(teacher=people["Фролова"], school=gymnasium, position="совместитель", is_main=False)
    _course(people["Яковлева"], datetime.date(2025, 10, 12))
    _course(people["Яковлева"], datetime.date(2019, 5, 20))
    _course(people["Елисеева"], datetime.date(2020, 6, 10))
    _course(people["Фролова"], datetime.date(2026, 1, 20))
    _course(people["Иванова Мария"], datetime.date(2023, 12, 1))
    maths = AssociationFactory(name="РМО учителей математики")
    MembershipFactory(association=maths, user=people["Яковлева"].user, start_date=datetime.date(2026, 9, 1))
    MembershipFactory(
        association=maths, user=people["Яковлева"].user, role="secretary", start_date=datetime.date(2026, 10, 1)
    )
    MembershipFactory(
        association=maths,
        user=people["Фёдорова"].user,
        start_date=datetime.date(2024, 9, 1),
        end_date=datetime.date(2025, 8, 31),
    )
    MembershipFactory(association=maths, user=people["Иванов"].user, start_date=datetime.date(2026, 9, 1))
    return {"lyceum": lyceum, "gymnasium": gymnasium, "maths": maths, "people": people}


def _rows(client, **params) -> list[str]:
    response = client.get(reverse("members:teacher_list"), params)
    assert response.status_code == 200
    return [t.user.full_name for t in response.context["object_list"]]


ALL = [
    "Елисеева Ольга Ивановна",
    "Ёлкина Мария Петровна",
    "Жукова Алёна",
    "Иванов Пётр",
    "Иванова Анна",
    "Иванова Мария Петровна",
    "Фёдорова Ирина",
    "Фролова Елена Фёдоровна",
    "Яковлева Анна Петровна",
]


@time_machine.travel(NOW, tick=False)
def test_teacher_list_search_and_filters_give_the_people_they_gave_before(client, district):
    client.force_login(methodist(username="methodist"))
    subject = district["people"]["Яковлева"].subjects.get(name="Математика")
    assert _rows(client) == ALL
    assert _rows(client, q="иванова") == ["Иванова Анна", "Иванова Мария Петровна"]
    assert _rows(client, q="ИВАНОВ") == [
        "Елисеева Ольга Ивановна", "Иванов Пётр", "Иванова Анна", "Иванова Мария Петровна",
    ]  # fmt: skip
    assert _rows(client, q="мария петровна") == ["Ёлкина Мария Петровна", "Иванова Мария Петровна"]
    assert _rows(client, q="ёлкина") == ["Ёлкина Мария Петровна"]
    assert _rows(client, q="федор") == ["Фёдорова Ирина", "Фролова Елена Фёдоровна"]
    assert _rows(client, q="алена") == ["Жукова Алёна"]
    assert _rows(client, school=district["lyceum"].pk) == [
        "Елисеева Ольга Ивановна", "Иванова Мария Петровна", "Фролова Елена Фёдоровна", "Яковлева Анна Петровна",
    ]  # fmt: skip
    assert _rows(client, school=district["gymnasium"].pk) == [
        "Ёлкина Мария Петровна", "Жукова Алёна", "Иванов Пётр", "Иванова Анна", "Фёдорова Ирина",
        "Фролова Елена Фёдоровна",
    ]  # fmt: skip
    assert _rows(client, subject=subject.pk) == ["Иванов Пётр", "Фёдорова Ирина", "Яковлева Анна Петровна"]
    physics = district["people"]["Фролова"].subjects.get()
    assert _rows(client, subject=physics.pk) == ["Фролова Елена Фёдоровна", "Яковлева Анна Петровна"]
    assert _rows(client, category="highest") == ["Фролова Елена Фёдоровна", "Яковлева Анна Петровна"]
    assert _rows(client, attestation_year=2027) == ["Елисеева Ольга Ивановна", "Иванов Пётр", "Яковлева Анна Петровна"]
    assert _rows(client, course_overdue="1") == [
        "Елисеева Ольга Ивановна", "Ёлкина Мария Петровна", "Жукова Алёна", "Иванов Пётр", "Иванова Анна",
        "Фёдорова Ирина",
    ]  # fmt: skip
    assert _rows(client, young="1") == ["Жукова Алёна"]
    # Any membership, past ones too, counts once however many roles.
    assert _rows(client, association=district["maths"].pk) == [
        "Иванов Пётр", "Фёдорова Ирина", "Яковлева Анна Петровна",
    ]  # fmt: skip
    assert _rows(client, school=district["gymnasium"].pk, course_overdue="1", q="ива") == [
        "Иванов Пётр", "Иванова Анна",
    ]  # fmt: skip


@time_machine.travel(NOW, tick=False)
def test_teacher_list_shows_each_teachers_latest_course(client, district):
    client.force_login(methodist(username="methodist"))
    response = client.get(reverse("members:teacher_list"), {"q": "а"})
    last = {t.user.full_name: t.last_course for t in response.context["object_list"]}
    assert last["Яковлева Анна Петровна"] == datetime.date(2025, 10, 12)
    assert last["Иванова Мария Петровна"] == datetime.date(2023, 12, 1)
    assert last["Ёлкина Мария Петровна"] is None and last["Фролова Елена Фёдоровна"] == datetime.date(2026, 1, 20)
    assert "12.10.2025" in response.content.decode()


def test_association_counts_each_current_member_once(district):
    row = Association.objects.filter(pk=district["maths"].pk).with_people(on=TODAY).get()
    assert row.member_count == 2  # Яковлева (two roles) and Иванов; Фёдорова left in 2025


@time_machine.travel(NOW, tick=False)
def test_a_renamed_or_erased_person_is_found_and_sorted_by_the_new_name(client, rf, district):
    from django.contrib import admin

    from members import services

    yolkina = district["people"]["Ёлкина"].user
    yolkina.last_name = "Ящикова"
    admin.site._registry[type(yolkina)].save_model(rf.post("/"), yolkina, form=None, change=True)
    zhukova = district["people"]["Жукова"].user
    zhukova.consents.update(withdrawn_at=NOW - datetime.timedelta(days=365))
    assert services.personal_data_erase(user=zhukova, now=NOW) is not None
    client.force_login(methodist(username="methodist"))
    assert _rows(client, q="ящикова") == ["Ящикова Мария Петровна"]
    assert _rows(client, q="жукова") == []
    assert _rows(client, q="данные уничтожены") == ["Педагог (данные уничтожены)"]
    assert _rows(client)[-2:] == ["Яковлева Анна Петровна", "Ящикова Мария Петровна"]
