"""Each teacher owns her own profile: the members who have not confirmed it for the year hear before, on and after
the regulation's date (never the escalations), stop hearing once they confirm, and see the date on their page."""

import pytest
import time_machine

from associations.tests.factories import MembershipFactory
from members.models import ProfileConfirmation
from members.tests.factories import TeacherFactory, UserFactory
from reports.deadlines import deadlines_sweep
from reports.models import Obligation, Reminder
from reports.tests.test_deadlines import D, at, days, sweep

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(vilyuisk):
    """Two more teachers in the УМО: Петрова has not confirmed her profile, Сидорова did in August."""
    people = {}
    for username, last_name in (("petrova", "Петрова"), ("sidorova", "Сидорова")):
        user = UserFactory(username=username, last_name=last_name, email=f"{username}@example.org")
        TeacherFactory(user=user)
        MembershipFactory(association=vilyuisk["association"], user=user, start_date=D(2026, 8, 1))
        people[username] = user
    ProfileConfirmation.objects.create(
        teacher=people["sidorova"].teacher, academic_year=2026, confirmed_at=at(D(2026, 8, 28))
    )
    return people


def database_letters(username: str) -> list[tuple[str, object]]:
    rows = Reminder.objects.filter(obligation__kind="database", recipient__username=username).order_by("pk")
    return [(r.step, r.created_at.date()) for r in rows]


def test_an_unconfirmed_member_hears_until_she_confirms_and_a_confirmed_one_never(vilyuisk, members):
    for day in days(D(2026, 9, 1), D(2026, 9, 12)):
        sweep(day)
    assert [step for step, _ in database_letters("petrova")] == ["before_14"]
    assert database_letters("sidorova") == []
    ProfileConfirmation.objects.create(
        teacher=members["petrova"].teacher, academic_year=2026, confirmed_at=at(D(2026, 9, 13))
    )
    for day in days(D(2026, 9, 13), D(2026, 10, 10)):
        sweep(day)
    assert [step for step, _ in database_letters("petrova")] == ["before_14"]
    # The secretary never confirmed: she hears on every step the owner hears, but no escalation goes to teachers.
    assert [step for step, _ in database_letters("secretary-vilyuisk-umo")] == [
        "before_14", "before_7", "before_1", "due", "after",
    ]  # fmt: skip
    leader_steps = [step for step, _ in database_letters("leader-vilyuisk-umo")]
    assert leader_steps == ["before_14", "before_7", "before_1", "due", "after"]


def test_the_teachers_start_page_shows_the_date_and_then_that_it_passed(vilyuisk, members, client):
    sweep(D(2026, 9, 1))
    client.force_login(members["petrova"])
    with time_machine.travel(at(D(2026, 9, 20)), tick=False):
        text = client.get("/start/teacher/").content.decode()
    assert "Подтвердите, что сведения вашего профиля актуальны" in text
    assert "до 25 сентября 2026 г." in text
    with time_machine.travel(at(D(2026, 9, 28)), tick=False):
        text = client.get("/start/teacher/").content.decode()
    assert "срок прошёл 25 сентября 2026 г." in text and "alert-warning" in text
    client.force_login(members["sidorova"])
    with time_machine.travel(at(D(2026, 9, 20)), tick=False):
        assert "Подтвердите, что сведения" not in client.get("/start/teacher/").content.decode()


def feed_of(client, user) -> list[dict]:
    from django.urls import reverse

    from meetings.feeds import calendar_feed_renew
    from meetings.tests.test_feeds import parse

    token = calendar_feed_renew(user=user).token
    with time_machine.travel(at(D(2026, 9, 20)), tick=False):
        response = client.get(reverse("meetings:calendar_feed", args=[token]))
    return parse(response.content.decode("utf-8"))[1]


def test_the_calendar_feed_carries_the_persons_deadlines_as_all_day_entries(vilyuisk, members, client):
    sweep(D(2026, 9, 1))
    events = feed_of(client, vilyuisk["leader"])
    database = next(e for e in events if "база педагогов" in e["SUMMARY"])
    assert database["DTSTART;VALUE=DATE"] == "20260925" and database["DTEND;VALUE=DATE"] == "20260926"
    assert (
        database["SUMMARY"]
        == "Срок: база педагогов проверена и обновлена (не менее 90\u00a0% профилей) — УМО учителей химии"
    )
    assert database["URL"] == f"https://testserver/associations/{vilyuisk['association'].pk}/"
    assert "Выполнить: https://testserver/" in database["DESCRIPTION"]
    uids = {e["UID"] for e in events}
    assert (
        len([u for u in uids if u.startswith("obligation-")])
        == Obligation.objects.filter(owner=vilyuisk["leader"], due__lte=D(2027, 9, 20)).count()
    )
    # A teacher: no obligations of her own, but her profile's date until she confirms it.
    petrova = feed_of(client, members["petrova"])
    assert [(e["SUMMARY"], e["DTSTART;VALUE=DATE"]) for e in petrova] == [
        ("Срок: подтвердить сведения своего профиля", "20260925")
    ]
    assert petrova[0]["URL"] == "https://testserver/me/"
    assert feed_of(client, members["sidorova"]) == []


def test_a_members_letter_is_about_her_own_profile_and_links_to_it(
    vilyuisk, members, django_capture_on_commit_callbacks
):
    from django.conf import settings
    from django.core import mail

    with time_machine.travel(at(D(2026, 9, 11), 6), tick=False), django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep(today=D(2026, 9, 11))
    letter = next(m for m in mail.outbox if m.to == ["petrova@example.org"])
    assert letter.subject == "За 14 дн. до срока: подтвердите сведения своего профиля"
    assert "обновляет базу педагогов до 25 сентября 2026 г." in letter.body
    assert settings.SITE_URL + "/me/" in letter.body
    leader = next(m for m in mail.outbox if m.to == ["leader-vilyuisk-umo@example.org"] and "база" in m.subject)
    assert f"/associations/{vilyuisk['association'].pk}/" in leader.body
