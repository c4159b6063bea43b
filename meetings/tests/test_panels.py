"""The meetings' start-page panels: coming meetings, assignments, protocols to review and protocols in hand."""

import datetime

import pytest
import time_machine
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from associations.models import Membership
from associations.tests.factories import AssociationFactory, MembershipFactory
from meetings import panels
from meetings.models import AgendaItem, Decision, Meeting, Protocol
from meetings.tests.factories import MeetingFactory
from members.tests.factories import give_consent, methodist

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(datetime.datetime(2026, 11, 24, 7, 0, tzinfo=datetime.UTC), tick=False):
        yield


def local(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def _request(user):
    request = RequestFactory().get("/start/")
    request.user = user
    return request


def _render(key: str, context: dict) -> str:
    return render_to_string(f"meetings/panels/{key}.html", context)


@pytest.fixture
def association():
    return AssociationFactory(name="РМО учителей математики")


def _person(association, role=Membership.Role.MEMBER, **kwargs):
    user = MembershipFactory(association=association, role=role, **kwargs).user
    give_consent(user)
    return user


def _decision(meeting, responsible, *, due_on, done=False, text="Подготовить открытый урок"):
    item = AgendaItem.objects.create(meeting=meeting, title="Разное")
    return Decision.objects.create(
        item=item, text=text, responsible=responsible, due_on=due_on, done_at=timezone.now() if done else None
    )


def _protocol(meeting, number, status, **fields):
    return Protocol.objects.create(
        meeting=meeting, association=meeting.association, academic_year=2026, number=number, status=status, **fields
    )


# --- «Ближайшие заседания» ---------------------------------------------------------------------------------


def test_a_teacher_sees_her_coming_meetings_with_date_time_association_topic_and_place(client, association):
    teacher = _person(association, user__username="teacher")
    meeting = MeetingFactory(association=association, starts_at=local(2026, 12, 3, 15, 0), topic="Итоги четверти")
    MeetingFactory(starts_at=local(2026, 12, 3, 15, 0), topic="Чужое заседание")  # another association
    MeetingFactory(association=association, starts_at=local(2027, 2, 1, 15, 0), topic="Через два месяца")
    MeetingFactory(association=association, starts_at=local(2026, 12, 5, 15, 0), topic="Отменённое",
                   status=Meeting.Status.CANCELLED)  # fmt: skip
    client.force_login(teacher)
    text = client.get(reverse("start_teacher")).content.decode()
    assert "Ближайшие заседания" in text
    assert "3 декабря 2026 г., 15:00" in text and "РМО учителей математики" in text and "Итоги четверти" in text
    assert "МБОУ СОШ № 1, каб. 12" in text and f'href="{meeting.get_absolute_url()}"' in text
    assert "Чужое заседание" not in text and "Через два месяца" not in text and "Отменённое" not in text
    assert 'href="/calendar/"' in text  # the panel leads to «Календарь в телефоне»


def test_coming_meetings_are_at_most_five_in_one_query(association, django_assert_max_num_queries):
    teacher = _person(association)
    for day in range(1, 9):
        MeetingFactory(association=association, starts_at=local(2026, 12, day, 15, 0))
    with django_assert_max_num_queries(1):
        context = panels.coming_meetings(_request(teacher), TODAY)
        html = _render("coming_meetings", context)
    assert len(context["meetings"]) == 5 and "1 декабря 2026 г., 15:00" in html


# --- «Мои поручения» -------------------------------------------------------------------------------------------


def test_assignments_show_open_decisions_by_due_date_with_the_overdue_marked(association):
    teacher = _person(association)
    meeting = MeetingFactory(association=association, starts_at=local(2026, 10, 20, 15, 0), status="held")
    late = _decision(meeting, teacher, due_on=datetime.date(2026, 11, 20), text="Сдать анализ ВПР")
    _decision(meeting, teacher, due_on=datetime.date(2026, 12, 15), text="Провести открытый урок")
    _decision(meeting, teacher, due_on=datetime.date(2026, 11, 1), text="Уже сделано", done=True)
    _decision(meeting, _person(association), due_on=datetime.date(2026, 11, 1), text="Поручение коллеги")
    context = panels.my_tasks(_request(teacher), TODAY)
    assert [d.text for d in context["decisions"]] == ["Сдать анализ ВПР", "Провести открытый урок"]
    assert [d.overdue for d in context["decisions"]] == [True, False]
    html = _render("my_tasks", context)
    assert html.count("Срок прошёл") == 1 and "срок — 20 ноября 2026 г." in html
    assert f'href="{late.item.meeting.get_absolute_url()}"' in html


def test_no_assignments_no_panel(association):
    assert panels.my_tasks(_request(_person(association)), TODAY) is None


def test_assignments_run_two_queries_however_many(association, django_assert_max_num_queries):
    teacher = _person(association)
    meeting = MeetingFactory(association=association, starts_at=local(2026, 10, 20, 15, 0), status="held")
    for n in range(panels.TASKS_LIMIT + 5):
        _decision(meeting, teacher, due_on=datetime.date(2026, 11, 1) + datetime.timedelta(days=n))
    with django_assert_max_num_queries(2):
        context = panels.my_tasks(_request(teacher), TODAY)
        html = _render("my_tasks", context)
    assert context["decision_count"] == panels.TASKS_LIMIT + 5
    assert f"Показаны первые {panels.TASKS_LIMIT} из {panels.TASKS_LIMIT + 5}" in html


# --- «Протоколы на проверке» (methodist) ------------------------------------------------------------------------


def test_the_methodist_sees_signed_protocols_of_her_associations_oldest_first_late_ones_marked(client, association):
    curator = methodist(username="curator")
    association.curators.add(curator)
    m1 = MeetingFactory(association=association, starts_at=local(2026, 10, 1, 15, 0), status="held")
    m2 = MeetingFactory(association=association, starts_at=local(2026, 10, 20, 15, 0), status="held")
    m3 = MeetingFactory(association=association, starts_at=local(2026, 11, 10, 15, 0), status="held")
    newer = _protocol(m2, 2, "signed", signed_at=local(2026, 10, 22, 12, 0), due_on=datetime.date(2026, 10, 23))
    older = _protocol(m1, 1, "signed", signed_at=local(2026, 10, 9, 12, 0), due_on=datetime.date(2026, 10, 4))
    _protocol(m3, 3, "draft")
    other = AssociationFactory(name="РМО чужое")
    _protocol(MeetingFactory(association=other, status="held"), 1, "signed", signed_at=local(2026, 11, 1, 12, 0))
    context = panels.protocols_to_review(_request(curator), TODAY)
    assert context["protocols"] == [older, newer]
    client.force_login(curator)
    text = client.get(reverse("start_methodist")).content.decode()
    assert "Протоколы на проверке" in text and "подписан с опозданием на 5 дней" in text
    assert f'href="{older.get_absolute_url()}"' in text and "РМО чужое" not in text


def test_protocols_to_review_run_one_query_however_many(association, django_assert_max_num_queries):
    curator = methodist(username="curator")
    association.curators.add(curator)
    for n in range(1, 9):
        meeting = MeetingFactory(association=association, starts_at=local(2026, 10, n, 15, 0), status="held")
        _protocol(meeting, n, "signed", signed_at=local(2026, 10, n + 2, 12, 0), due_on=datetime.date(2026, 10, n))
    with django_assert_max_num_queries(1):
        context = panels.protocols_to_review(_request(curator), TODAY)
        html = _render("protocols_to_review", context)
    assert len(context["protocols"]) == 8 and html.count("подписан с опозданием") == 8


# --- «Протоколы» (secretary, leader) -----------------------------------------------------------------------------


def test_the_secretary_sees_protocols_in_hand_and_meetings_held_without_one(client, association):
    secretary = _person(association, Membership.Role.SECRETARY, user__username="secretary")
    draft = _protocol(MeetingFactory(association=association, status="held"), 1, "draft", due_on=TODAY)
    returned = _protocol(MeetingFactory(association=association, status="held"), 2, "returned")
    signing = _protocol(MeetingFactory(association=association, status="held"), 3, "signing")
    _protocol(MeetingFactory(association=association, status="held"), 4, "signed")
    bare = MeetingFactory(association=association, starts_at=local(2026, 11, 20, 15, 0), status="held")
    MeetingFactory(association=association, starts_at=local(2026, 12, 20, 15, 0))  # planned: no protocol yet due
    _protocol(MeetingFactory(association=AssociationFactory(), status="held"), 1, "draft")  # not hers
    context = panels.protocols_in_hand(_request(secretary), TODAY)
    assert set(context["protocols"]) == {draft, returned, signing}
    assert context["meetings_without_protocol"] == [bare]
    client.force_login(secretary)
    text = client.get(reverse("start_secretary")).content.decode()
    assert "Возвращён на доработку" in text and "Заседание проведено, протокола ещё нет" in text
    assert "20 ноября 2026 г." in text and f'href="{bare.get_absolute_url()}"' in text


def test_the_leader_gets_the_protocols_panel_and_a_plain_member_does_not(client, association):
    leader = _person(association, Membership.Role.LEADER, user__username="leader")
    member = _person(association, user__username="member")
    MeetingFactory(association=association, status="held")
    client.force_login(leader)
    assert "Заседание проведено, протокола ещё нет" in client.get(reverse("start_leader")).content.decode()
    client.force_login(member)
    assert "Заседание проведено, протокола ещё нет" not in client.get(reverse("start_teacher")).content.decode()


def test_protocols_in_hand_run_two_queries_however_many(association, django_assert_max_num_queries):
    secretary = _person(association, Membership.Role.SECRETARY)
    for n in range(1, 7):
        _protocol(MeetingFactory(association=association, status="held"), n, "draft", due_on=TODAY)
        MeetingFactory(association=association, status="held")
    with django_assert_max_num_queries(2):
        context = panels.protocols_in_hand(_request(secretary), TODAY)
        html = _render("protocols_in_hand", context)
    assert len(context["protocols"]) == 6 and html.count("протокола ещё нет") == 6


def test_the_meetings_panels_are_registered_on_their_pages():
    from rmo_portal.panels import panels_of

    keys = {page: [p.key for p in panels_of(page)] for page in ("teacher", "secretary", "leader", "methodist")}
    assert {"coming_meetings", "my_tasks"} <= set(keys["teacher"])
    assert {"coming_meetings", "my_tasks", "protocols_in_hand"} <= set(keys["secretary"])
    assert {"coming_meetings", "my_tasks", "protocols_in_hand"} <= set(keys["leader"])
    assert "protocols_to_review" in keys["methodist"]
