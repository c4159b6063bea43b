"""Each teacher owns her own profile: the members who have not confirmed it for the year hear before, on and after
the regulation's date (never the escalations), stop hearing once they confirm, and see the date on their page."""

import pytest
import time_machine

from associations.tests.factories import MembershipFactory
from members.models import ProfileConfirmation
from members.tests.factories import TeacherFactory, UserFactory
from reports.models import Reminder
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
