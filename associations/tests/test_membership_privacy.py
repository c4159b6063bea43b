"""Members' personal data (152-ФЗ): history lines, the leader's invitations, ending a membership."""

import datetime
import importlib
import zoneinfo

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.urls import reverse

from associations.models import AssociationEvent, Membership, MembershipInvitation
from associations.services import (
    WorkflowError,
    invitation_accept,
    membership_end,
    membership_propose,
)
from associations.tests.factories import AssociationFactory, MembershipFactory, leader_of
from members.tests.factories import TeacherFactory, UserFactory, give_consent, methodist, portal_admin

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2027, 5, 5)
YESTERDAY = TODAY - datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def frozen_day():
    moment = datetime.datetime(2027, 5, 5, 11, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with time_machine.travel(moment, tick=False):
        yield


@pytest.fixture
def people():
    """Association A (composition not by order) with its leader, curator, a member and a teacher outside it."""
    association = AssociationFactory()
    leader = leader_of(association, user__username="lead", user__last_name="Ёлкина")
    curator = methodist(username="curator")
    association.curators.add(curator)
    member = MembershipFactory(association=association, user__username="mem", user__last_name="Громова").user
    TeacherFactory(user=member)
    newcomer = TeacherFactory(
        user=UserFactory(username="new", last_name="Новенькая", first_name="Ольга"), subject="Литература"
    ).user
    for user in (leader, curator):
        give_consent(user)
    return {"association": association, "leader": leader, "curator": curator, "member": member, "new": newcomer}


def _page(client, association, user=None) -> str:
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("associations:detail", args=[association.pk])).content.decode()


# --- 1. the history names members only to those who may see them ------------------------------------


def test_history_lines_that_name_members_are_for_members_and_the_service(client, people):
    association = people["association"]
    AssociationEvent.objects.create(association=association, on=TODAY, text="Создано: приказ № 1")
    membership_propose(association=association, user=people["new"], role="member", by=people["curator"])
    membership_end(membership=Membership.objects.get(user=people["new"]), by=people["curator"])
    gone = MembershipFactory(association=association, user__username="gone", user__last_name="Уходящева")
    membership_end(membership=gone, by=people["leader"])

    for viewer in (None, TeacherFactory(user=UserFactory(username="outsider")).user):
        page = _page(client, association, viewer)
        assert "Создано: приказ № 1" in page and "Ёлкина" in page  # public: the creation and the leader
        for name in ("Громова", "Новенькая", "Уходящева", "Выход из состава", "Включение в состав"):
            assert name not in page, (viewer, name)
    for viewer in (people["member"], people["curator"], methodist(username="other")):
        page = _page(client, association, viewer)
        assert "Включение в состав: Новенькая Ольга" in page and "Выход из состава: Уходящева" in page


def test_migration_marks_the_existing_lines_that_name_members(people):
    association = people["association"]
    texts = [
        "Выбыл(а) из состава: Громова Мария Петровна",
        "В состав включён(а) Новенькая Ольга",
        "Утверждён состав (3 чел.): Приказ № 4 от 01.09.2026",
        "Руководитель — Ёлкина Мария: Приказ № 1",
        "Создано: Приказ № 1",
    ]
    for text in texts:
        AssociationEvent.objects.create(association=association, on=TODAY, text=text)
    migration = importlib.import_module("associations.migrations.0005_membership_privacy")
    migration.mark_member_lines(apps, None)
    marked = dict(AssociationEvent.objects.values_list("text", "names_members"))
    assert [marked[t] for t in texts] == [True, True, True, False, False]


# --- 2. a leader invites; the teacher (or the curator) decides --------------------------------------


def test_leader_invites_and_sees_nothing_until_the_teacher_accepts(
    client, people, mailoutbox, django_capture_on_commit_callbacks
):
    association, leader, newcomer = people["association"], people["leader"], people["new"]
    profile_url = reverse("members:teacher_detail", args=[newcomer.teacher.pk])
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("associations:member_add", args=[association.pk]), {"user": newcomer.pk, "role": "member"}
        )
    assert response.status_code == 302
    assert not Membership.objects.filter(user=newcomer).exists()
    invitation = MembershipInvitation.objects.get(user=newcomer)
    assert invitation.is_open and invitation.invited_by == leader
    assert client.get(profile_url).status_code == 404
    # Nor any other way into her data: history, scans, requests.
    from members.models import ChangeRequest, TrainingCourse
    from rmo_portal.files import stored_file_from_bytes

    scan = stored_file_from_bytes(name="скан.pdf", content=b"%PDF-1.4 scan", use="evidence")
    course = TrainingCourse.objects.create(
        teacher=newcomer.teacher, start_date=TODAY, end_date=TODAY, provider="ИРО", topic="КПК", hours=16,
        certificate=scan,
    )  # fmt: skip
    change = ChangeRequest.objects.create(
        teacher=newcomer.teacher, kind="course", data={}, created_by=newcomer, evidence=scan
    )
    for url in (
        reverse("members:teacher_history", args=[newcomer.teacher.pk]),
        reverse("members:teacher_file", args=[newcomer.teacher.pk, "course", course.pk]),
        reverse("members:change_evidence", args=[change.pk]),
        reverse("members:change_review", args=[change.pk]),
    ):
        assert client.get(url).status_code == 404, url
    page = _page(client, association, leader)
    assert "Новенькая Ольга" in page and "Литература" in page  # name, school and subject in the pending list
    assert profile_url not in page

    assert len(mailoutbox) == 1
    letter = mailoutbox[0]
    assert letter.to == [newcomer.email] and "Приглашение в объединение" in letter.subject
    accept_url = reverse("associations:invitation_accept", args=[invitation.pk])
    assert settings.SITE_URL + accept_url in letter.body  # letters link with SITE_URL (rmo_portal.notifications)

    start = _page_of(client, newcomer, reverse("start_teacher"))
    assert accept_url in start and reverse("associations:invitation_decline", args=[invitation.pk]) in start
    assert "Принять приглашение" in client.get(accept_url).content.decode()  # GET only asks
    assert not Membership.objects.filter(user=newcomer).exists()
    client.post(accept_url)
    membership = Membership.objects.current(on=TODAY).get(user=newcomer)
    assert (membership.association, membership.start_date) == (association, TODAY)
    invitation.refresh_from_db()
    assert (invitation.decision, invitation.decided_by) == ("accepted", newcomer)

    events = AssociationEvent.objects.filter(association=association).count()
    again = client.post(accept_url, follow=True).content.decode()
    assert "Приглашение уже принято педагогом 5 мая 2027 г." in again
    assert Membership.objects.filter(user=newcomer).count() == 1
    assert AssociationEvent.objects.filter(association=association).count() == events
    # The invitation line does not name her (she was not a member yet); the acceptance does.
    assert AssociationEvent.objects.filter(names_members=True, text__contains="Новенькая").count() == 1
    assert AssociationEvent.objects.filter(text__startswith="Отправлено приглашение").count() == 1
    client.force_login(leader)
    assert client.get(profile_url).status_code == 200
    assert len(mailoutbox) == 1


def _page_of(client, user, url) -> str:
    client.force_login(user)
    return client.get(url).content.decode()


def test_teacher_declines_and_nothing_else_changes(client, people):
    invitation = MembershipInvitation.objects.create(
        association=people["association"], user=people["new"], invited_by=people["leader"]
    )
    client.force_login(people["new"])
    client.post(reverse("associations:invitation_decline", args=[invitation.pk]))
    invitation.refresh_from_db()
    assert invitation.decision == "declined"
    assert not Membership.objects.filter(user=people["new"]).exists()
    assert (
        reverse("associations:invitation_accept", args=[invitation.pk])
        not in client.get(reverse("start_teacher")).content.decode()
    )
    client.post(reverse("associations:invitation_accept", args=[invitation.pk]))  # too late: declined stays
    invitation.refresh_from_db()
    assert invitation.decision == "declined" and not Membership.objects.filter(user=people["new"]).exists()


def test_curator_approves_instead_of_the_teacher_and_the_leader_cannot(client, people):
    invitation = MembershipInvitation.objects.create(
        association=people["association"], user=people["new"], invited_by=people["leader"]
    )
    url = reverse("associations:invitation_approve", args=[invitation.pk])
    client.force_login(people["leader"])
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    page = _page(client, people["association"], people["curator"])
    assert url in page
    client.post(url)
    invitation.refresh_from_db()
    assert (invitation.decision, invitation.decided_by) == ("approved", people["curator"])
    assert Membership.objects.current(on=TODAY).filter(user=people["new"]).exists()


def test_a_teacher_cannot_decide_someone_elses_invitation(client, people):
    invitation = MembershipInvitation.objects.create(
        association=people["association"], user=people["new"], invited_by=people["leader"]
    )
    for user in (people["member"], people["leader"], people["curator"]):
        client.force_login(user)
        for name in ("associations:invitation_accept", "associations:invitation_decline"):
            url = reverse(name, args=[invitation.pk])
            assert client.get(url).status_code == 404 and client.post(url).status_code == 404
    with pytest.raises(WorkflowError):
        invitation_accept(invitation=invitation, by=people["member"])
    invitation.refresh_from_db()
    assert invitation.is_open and not Membership.objects.filter(user=people["new"]).exists()


def test_curator_and_admin_add_at_once(people, mailoutbox):
    association = people["association"]
    membership_propose(association=association, user=people["new"], role="secretary", by=people["curator"])
    assert Membership.objects.current(on=TODAY).get(user=people["new"]).role == "secretary"
    other = TeacherFactory(user=UserFactory(username="other")).user
    membership_propose(association=association, user=other, role="member", by=portal_admin(username="admin"))
    assert Membership.objects.current(on=TODAY).filter(user=other).exists()
    assert not MembershipInvitation.objects.exists() and mailoutbox == []


def test_a_second_invitation_is_refused_and_mails_nothing(people, mailoutbox, django_capture_on_commit_callbacks):
    association = people["association"]
    with django_capture_on_commit_callbacks(execute=True):
        membership_propose(association=association, user=people["new"], role="member", by=people["leader"])
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(WorkflowError, match="уже отправлено"):
        membership_propose(association=association, user=people["new"], role="member", by=people["leader"])
    assert MembershipInvitation.objects.count() == 1 and len(mailoutbox) == 1


def test_the_add_select_offers_neither_invited_nor_current_people(client, people):
    MembershipInvitation.objects.create(
        association=people["association"], user=people["new"], invited_by=people["leader"]
    )
    free = TeacherFactory(user=UserFactory(username="free", last_name="Свободная")).user
    page = _page(client, people["association"], people["leader"])
    select = page[page.index('name="user"') : page.index("</select>", page.index('name="user"'))]
    assert f'value="{free.pk}"' in select
    assert f'value="{people["new"].pk}"' not in select and f'value="{people["member"].pk}"' not in select


def test_composition_by_order_still_goes_through_the_order(people):
    association = people["association"]
    association.regulation.composition_by_order = True
    association.regulation.save()
    message = membership_propose(association=association, user=people["new"], role="member", by=people["leader"])
    assert "проект приказа" in message
    assert not MembershipInvitation.objects.exists() and not Membership.objects.filter(user=people["new"]).exists()


def test_where_the_composition_is_approved_by_order_a_member_also_leaves_by_that_order(client, people):
    from associations.models import Order
    from associations.services import order_sign, order_submit
    from members.tests.factories import district_head

    association, member = people["association"], people["member"]
    association.regulation.composition_by_order = True
    association.regulation.save()
    membership = Membership.objects.get(user=member)
    client.force_login(people["leader"])
    response = client.post(reverse("associations:member_end", args=[membership.pk]), follow=True)
    assert "выход из состава" in response.content.decode()
    membership.refresh_from_db()
    assert membership.end_date is None  # not by a click
    order = Order.objects.get(association=association, kind="composition")
    assert list(order.members.values_list("user", "leaves")) == [(member.pk, True)]
    client.post(reverse("associations:member_end", args=[membership.pk]))  # a second click: still one line
    assert order.members.count() == 1
    order_submit(order=order, by=people["curator"])
    order_sign(order=order, by=district_head(username="head"), today=TODAY)
    assert not Membership.objects.current(on=TODAY).filter(user=member, association=association).exists()


# --- 3. ending a membership: at once, once, after a confirmation -------------------------------------


def test_ending_twice_writes_one_line_and_keeps_the_end_date(client, people):
    membership = Membership.objects.get(user=people["member"])
    client.force_login(people["leader"])
    url = reverse("associations:member_end", args=[membership.pk])
    client.post(url)
    membership.refresh_from_db()
    assert membership.end_date == YESTERDAY
    with time_machine.travel(datetime.datetime(2027, 5, 7, 9, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))):
        again = client.post(url, follow=True).content.decode()
    assert "Выход из состава уже отмечен: Громова Мария Петровна, с 5 мая 2027 г." in again
    membership.refresh_from_db()
    assert membership.end_date == YESTERDAY
    assert AssociationEvent.objects.filter(text__startswith="Выход из состава").count() == 1


def test_an_ended_member_is_out_of_the_composition_the_same_day(client, people):
    membership = Membership.objects.get(user=people["member"])
    membership_end(membership=membership, by=people["leader"])
    assert not Membership.objects.current(on=TODAY).filter(user=people["member"]).exists()
    client.force_login(people["leader"])
    profile = reverse("members:teacher_detail", args=[people["member"].teacher.pk])
    assert client.get(profile).status_code == 404  # the leader's access ends with the membership


def test_a_membership_started_and_ended_today_disappears_but_its_history_stays(people):
    association = people["association"]
    membership_propose(association=association, user=people["new"], role="member", by=people["curator"])
    membership = Membership.objects.get(user=people["new"])
    assert membership.start_date == TODAY
    membership_end(membership=membership, by=people["curator"])
    assert not Membership.objects.current(on=TODAY).filter(user=people["new"]).exists()
    texts = list(AssociationEvent.objects.filter(association=association).values_list("text", flat=True))
    assert "Выход из состава: Новенькая Ольга Петровна" in texts
    assert "Включение в состав: Новенькая Ольга Петровна" in texts


def test_end_asks_to_confirm_on_get_and_changes_nothing(client, people):
    membership = Membership.objects.get(user=people["member"])
    url = reverse("associations:member_end", args=[membership.pk])
    client.force_login(people["leader"])
    assert url in _page(client, people["association"], people["leader"])  # the page's button leads here
    page = client.get(url).content.decode()
    assert "Громова Мария Петровна" in page and people["association"].name in page and 'method="post"' in page
    membership.refresh_from_db()
    assert membership.end_date is None and not AssociationEvent.objects.exists()


def test_a_leader_is_not_ended_as_a_member(people):
    with pytest.raises(WorkflowError, match="приказом"):
        membership_end(membership=Membership.objects.get(user=people["leader"]), by=people["curator"])
