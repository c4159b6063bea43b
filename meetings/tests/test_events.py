"""The district's events: who may organise them, results kept on the teachers' profiles, the Excel import."""

import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from meetings.event_services import (
    EventError,
    ParticipantInput,
    event_create,
    event_participants_import,
    event_participants_save,
    event_publish,
    event_unpublish,
    event_update,
    events_for_feed,
    parse_result,
)
from meetings.models import Event, EventParticipant
from meetings.tests.factories import EventFactory
from members.models import Achievement
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]

NOW = datetime.datetime(2026, 11, 24, 10, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def teacher(last_name: str, first_name: str = "Анна", patronymic: str = "Сергеевна", **kwargs):
    return TeacherFactory(
        user=UserFactory(
            username=f"{last_name}-{first_name}", last_name=last_name, first_name=first_name, patronymic=patronymic
        ),
        **kwargs,
    )


def olympiad(**kwargs) -> Event:
    return EventFactory(
        kind=Event.Kind.OLYMPIAD_DISTRICT, title="Муниципальный этап олимпиады", starts_on=datetime.date(2026, 11, 18),
        ends_on=datetime.date(2026, 11, 19), by_service=True, **kwargs,
    )  # fmt: skip


# --- who organises -----------------------------------------------------------------------------------


def test_methodist_creates_an_unpublished_event_of_the_service():
    event = event_create(
        by=methodist(username="m"), kind=Event.Kind.SEMINAR, title="Семинар", starts_on=datetime.date(2026, 12, 1),
        by_service=True,
    )  # fmt: skip
    assert not event.published and event.by_service


def test_leader_organises_only_for_the_association_she_leads():
    association, other = AssociationFactory(), AssociationFactory()
    leader = leader_of(association, user__username="leader")
    event = event_create(
        by=leader, kind=Event.Kind.MASTER_CLASS, title="Мастер-класс", starts_on=datetime.date(2026, 12, 1),
        organisers=[association],
    )  # fmt: skip
    assert list(event.organisers.all()) == [association]
    with pytest.raises(EventError, match="только объединения, которыми руководит"):
        event_update(event=event, by=leader, organisers=[association, other])
    with pytest.raises(EventError, match="должно быть объединение"):
        event_create(by=leader, kind=Event.Kind.SEMINAR, title="Без организатора", starts_on=datetime.date(2026, 12, 1))
    with pytest.raises(EventError, match="методист"):
        event_create(
            by=leader, kind=Event.Kind.SEMINAR, title="От службы", starts_on=datetime.date(2026, 12, 1),
            organisers=[association], by_service=True,
        )  # fmt: skip


@pytest.mark.parametrize("who", ["teacher", "head", "other_leader", "member"])
def test_others_may_not_manage_an_event(who):
    association = AssociationFactory()
    event = EventFactory(published=False)
    event.organisers.add(association)
    user = {
        "teacher": lambda: UserFactory(username="t"),
        "head": lambda: district_head(username="h"),
        "other_leader": lambda: leader_of(AssociationFactory(), user__username="ol"),
        "member": lambda: MembershipFactory(association=association, user__username="mem").user,
    }[who]()
    with pytest.raises(PermissionDenied):
        event_publish(event=event, by=user)
    with pytest.raises(PermissionDenied):
        event_participants_save(event=event, rows=[], by=user)


def test_leader_of_an_organiser_publishes_and_unpublishes():
    association = AssociationFactory()
    leader = leader_of(association, user__username="leader")
    event = EventFactory(published=False)
    event.organisers.add(association)
    assert event_publish(event=event, by=leader).published
    with pytest.raises(EventError, match="уже опубликовано"):
        event_publish(event=event, by=leader)
    assert not event_unpublish(event=event, by=leader).published


def test_dates_out_of_order_are_refused():
    event = EventFactory()
    with pytest.raises(EventError, match="раньше даты начала"):
        event_update(event=event, by=methodist(username="m"), ends_on=datetime.date(2026, 1, 1))


# --- results on the profiles -------------------------------------------------------------------------


def test_results_create_update_and_delete_the_teachers_achievements():
    winner, guest_like = teacher("Ёлкина"), teacher("Громова")
    event = olympiad()
    by = methodist(username="m")
    event_participants_save(
        event=event, by=by,
        rows=[ParticipantInput(name="елкина анна сергеевна", result="winner"),
              ParticipantInput(name="Громова Анна Сергеевна"),
              ParticipantInput(name="Рябова Ирина Олеговна", organisation="Гимназия", result="prize")],
    )  # fmt: skip
    achievement = Achievement.objects.get(teacher=winner)
    assert (achievement.kind, achievement.level, achievement.title, achievement.result, achievement.date) == (
        "event", "district", "Муниципальный этап олимпиады", "победитель", datetime.date(2026, 11, 19)
    )  # fmt: skip
    row = EventParticipant.objects.get(teacher=winner)
    assert row.name == "Ёлкина Анна Сергеевна" and row.achievement == achievement
    assert not EventParticipant.objects.get(name="Рябова Ирина Олеговна").teacher  # kept as a name
    assert Achievement.objects.count() == 2

    # The result changes: the same achievement follows; the second teacher's row is removed with hers.
    event_participants_save(event=event, by=by, rows=[ParticipantInput(name=row.name, result="prize", pk=row.pk)])
    achievement.refresh_from_db()
    assert achievement.result == "призёр"
    assert not Achievement.objects.filter(teacher=guest_like).exists()
    assert EventParticipant.objects.count() == 1

    # A new title and last day of the event reach the profile too.
    event_update(event=event, by=by, title="Олимпиада педагогов", ends_on=datetime.date(2026, 11, 20))
    achievement.refresh_from_db()
    assert (achievement.title, achievement.date) == ("Олимпиада педагогов", datetime.date(2026, 11, 20))

    event_participants_save(event=event, by=by, rows=[])
    assert not Achievement.objects.exists()


def test_namesakes_are_not_guessed():
    TeacherFactory(user=UserFactory(username="i1", last_name="Петрова", first_name="Мария", patronymic="Ивановна"))
    TeacherFactory(user=UserFactory(username="i2", last_name="Петрова", first_name="Мария", patronymic="Ивановна"))
    saved = event_participants_save(
        event=olympiad(), by=methodist(username="m"), rows=[ParticipantInput(name="Петрова Мария Ивановна")]
    )
    assert saved.unmatched == ["Петрова Мария Ивановна"]
    assert not Achievement.objects.exists()


def test_the_same_teacher_twice_is_refused():
    teacher("Ёлкина")
    with pytest.raises(EventError, match="дважды"):
        event_participants_save(
            event=olympiad(), by=methodist(username="m"),
            rows=[ParticipantInput(name="Ёлкина Анна Сергеевна"), ParticipantInput(name="ЕЛКИНА АННА СЕРГЕЕВНА")],
        )  # fmt: skip


# --- import from Excel -------------------------------------------------------------------------------


def xlsx(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_import_matches_teachers_by_name_with_yo_and_keeps_the_rest_as_names():
    elkina, fedorova = teacher("Ёлкина"), teacher("Фёдорова", "Ольга", "Петровна")
    event = olympiad()
    content = xlsx([
        ["Результаты муниципального этапа"],
        [],
        ["№", "ФИО", "Организация", "Результат"],
        [1, "ЕЛКИНА анна  сергеевна", "СОШ № 1", "Победитель"],
        [2, "Федорова Ольга Петровна", "", "2 место"],
        [3, "Рябова Ирина Олеговна", "Гимназия", "участник"],
        [4, "Сидоров Пётр", "СОШ № 3", "лауреат"],
    ])  # fmt: skip
    outcome = event_participants_import(event=event, name="itogi.xlsx", content=content, by=methodist(username="m"))
    assert [r.name for r in outcome.unmatched] == ["Рябова Ирина Олеговна"]
    assert [(r.number, r.error) for r in outcome.rejected] == [
        (7, "результат «лауреат» не распознан (участник, призёр или победитель)")
    ]
    assert outcome.saved.created == 3
    assert Achievement.objects.get(teacher=elkina).result == "победитель"
    assert Achievement.objects.get(teacher=fedorova).result == "призёр"

    # The same file again changes nothing; a changed result is taken over by the same row.
    again = event_participants_import(event=event, name="itogi.xlsx", content=content, by=methodist(username="m"))
    assert (again.saved.created, again.saved.updated) == (0, 0)
    content = xlsx([["ФИО", "Результат"], ["Ёлкина Анна Сергеевна", "призёр"]])
    event_participants_import(event=event, name="itogi.xlsx", content=content, by=methodist(username="m"))
    assert Achievement.objects.get(teacher=elkina).result == "призёр"
    assert EventParticipant.objects.filter(event=event).count() == 3


def test_import_without_a_name_column_is_explained():
    with pytest.raises(EventError, match="«ФИО»"):
        event_participants_import(
            event=olympiad(), name="x.xlsx", content=xlsx([["Фамилия", "Итог"]]), by=methodist(username="m")
        )


@pytest.mark.parametrize(
    ("text", "value"),
    [("Победитель", "winner"), ("1 место", "winner"), ("призёр", "prize"), ("Призер", "prize"), ("III", "prize"),
     ("", "participant"), ("участница", "participant")],
)  # fmt: skip
def test_results_are_read_as_districts_write_them(text, value):
    assert parse_result(text) == value


# --- the calendar feed -------------------------------------------------------------------------------


def test_feed_has_published_events_and_those_of_ones_associations():
    association = AssociationFactory()
    member = MembershipFactory(association=association, user__username="mem").user
    published = EventFactory(starts_on=datetime.date(2026, 12, 10))
    mine = EventFactory(published=False, starts_on=datetime.date(2026, 12, 11))
    mine.organisers.add(association)
    EventFactory(published=False, starts_on=datetime.date(2026, 12, 12))  # someone else's draft
    EventFactory(starts_on=datetime.date(2027, 3, 1))  # out of the window
    start, end = datetime.date(2026, 12, 1), datetime.date(2026, 12, 31)
    assert set(events_for_feed(member, start=start, end=end)) == {published, mine}
    assert set(events_for_feed(UserFactory(username="x"), start=start, end=end)) == {published}
