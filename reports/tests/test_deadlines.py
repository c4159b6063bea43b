"""The deadline engine: a Вилюйский and a Печорский association walked day by day through the sweep, with time
frozen per day; each reminder goes out on its day and once, a double run changes nothing, a gap catches up with
one letter per obligation, fulfilment comes from held meetings, signed protocols and submitted documents."""

import datetime
from collections import defaultdict

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from associations.models import Association, Membership, Regulation
from associations.models import Document as Kind
from associations.presets import presets_load
from associations.tests.factories import AssociationFactory, MembershipFactory
from meetings.models import Meeting, Protocol
from meetings.tests.factories import MeetingFactory
from members.models import ProfileConfirmation
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist
from reports import deadlines
from reports.deadlines import ObligationError, deadlines_sweep, obligation_waive
from reports.models import Filing, Obligation, Reminder
from rmo_portal.models import Notification
from rmo_portal.workflow import history_of

pytestmark = pytest.mark.django_db

D = datetime.date


def at(day: datetime.date, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, hour))


def sweep(day: datetime.date) -> dict:
    with time_machine.travel(at(day, 6), tick=False):
        return deadlines_sweep(today=day)


def days(first: datetime.date, last: datetime.date):
    day = first
    while day <= last:
        yield day
        day += datetime.timedelta(days=1)


def association_of(code: str, name: str) -> dict:
    presets_load(apps)
    association = AssociationFactory(name=name, regulation=Regulation.objects.get(code=code))
    curator = methodist(username=f"curator-{code}", email=f"curator-{code}@example.org")
    association.curators.add(curator)
    people = {"association": association, "curator": curator}
    for role, username in ((Membership.Role.LEADER, "leader"), (Membership.Role.SECRETARY, "secretary")):
        user = UserFactory(username=f"{username}-{code}", email=f"{username}-{code}@example.org")
        teacher = TeacherFactory(user=user)
        MembershipFactory(association=association, role=role, start_date=D(2026, 8, 1), user=teacher.user)
        people[username] = user
    return people


@pytest.fixture
def head():
    return district_head(username="head", email="head@example.org")


@pytest.fixture
def vilyuisk(head):
    """A Вилюйский УМО (seed 004) whose documents of 2026/27 due in the year before were filed and published."""
    people = association_of("vilyuisk-umo", "УМО учителей химии")
    association = people["association"]
    Filing.objects.create(
        association=association, kind=Kind.WORK_PLAN, academic_year=2026, status=Filing.Status.PUBLISHED,
        submitted_at=at(D(2026, 6, 10)), published_at=at(D(2026, 8, 25)),
    )  # fmt: skip
    plan = Filing.objects.get(association=association, kind=Kind.WORK_PLAN, academic_year=2026)
    from rmo_portal.models import StatusChange

    StatusChange.objects.create(content_object=plan, at=at(D(2026, 5, 5)), from_status="draft", to_status="discussion")
    return people


@pytest.fixture
def pechora(head):
    """A Печорский РМО (seed 001): meetings per term, the plan «в начале года» (assumed: 14 days, unconfirmed)."""
    return association_of("pechora-rmo", "РМО учителей истории")


def walk(first, last, *, twice=True, before=None):
    """Sweep each day (twice: the second run must change nothing); {(what, step, username): [days]}."""
    seen = defaultdict(list)
    known = set(Reminder.objects.values_list("pk", flat=True))
    for day in days(first, last):
        if before:
            before(day)
        sweep(day)
        new = Reminder.objects.exclude(pk__in=known).select_related("obligation", "recipient")
        for reminder in new:
            seen[(reminder.obligation.period_key, reminder.obligation.kind, reminder.step,
                  reminder.recipient.username)].append(day)  # fmt: skip
            known.add(reminder.pk)
        if twice:
            count = Reminder.objects.count()
            changes = Obligation.objects.count(), history_count()
            again = sweep(day)
            assert Reminder.objects.count() == count, day
            assert (Obligation.objects.count(), history_count()) == changes, day
            assert again["created"] == again["fulfilled"] == again["overdue"] == 0 and not again["reminders"]
    return dict(seen)


def history_count() -> int:
    from rmo_portal.models import StatusChange

    return StatusChange.objects.count()


def test_vilyuisk_autumn_each_reminder_on_its_day_once_and_a_double_run_changes_nothing(vilyuisk):
    code = "vilyuisk-umo"
    leader, curator = f"leader-{code}", f"curator-{code}"
    seen = walk(D(2026, 9, 1), D(2026, 10, 10))
    # The secretary, a member who has not confirmed her own profile, hears before, on and after the date too.
    database = {k[2:]: v for k, v in seen.items() if k[1] == "database" and k[3] != f"secretary-{code}"}
    assert database == {
        ("before_14", leader): [D(2026, 9, 11)],
        ("before_7", leader): [D(2026, 9, 18)],
        ("before_1", leader): [D(2026, 9, 24)],
        ("due", leader): [D(2026, 9, 25)],
        ("after", leader): [D(2026, 9, 26)],
        ("methodist", curator): [D(2026, 9, 28)],
        ("head", "head"): [D(2026, 10, 5)],
    }
    note = {k[2:]: v for k, v in seen.items() if k[:2] == ("2026-q1", "document")}
    assert note == {
        ("before_14", leader): [D(2026, 9, 14)],
        ("before_7", leader): [D(2026, 9, 21)],
        ("before_1", leader): [D(2026, 9, 27)],
        ("due", leader): [D(2026, 9, 28)],
        ("after", leader): [D(2026, 9, 29)],
        ("methodist", curator): [D(2026, 10, 1)],
        ("head", "head"): [D(2026, 10, 8)],
    }
    # The plan of 2026/27 (due 20 June 2026) was filed and published in the year before: nothing about it.
    assert not [k for k in seen if k[0] == "2026" and k[1] in ("document", "publication")]
    obligation = Obligation.objects.get(kind="database", association=vilyuisk["association"])
    assert obligation.status == Obligation.Status.OVERDUE
    assert [c.to_status for c in history_of(obligation)] == ["due_soon", "overdue"]
    assert all(len(v) == 1 for v in seen.values())


def test_pechora_terms_and_an_assumed_date_that_never_escalates(pechora):
    code = "pechora-rmo"
    leader, curator = f"leader-{code}", f"curator-{code}"
    seen = walk(D(2026, 9, 1), D(2026, 11, 12))
    plan = {k[2:]: v for k, v in seen.items() if k[:2] == ("2026", "document")}
    # Due 15 September (14 days after the start, assumed): from 1 September, no methodist, no head.
    assert plan == {
        ("before_14", leader): [D(2026, 9, 1)],
        ("before_7", leader): [D(2026, 9, 8)],
        ("before_1", leader): [D(2026, 9, 14)],
        ("due", leader): [D(2026, 9, 15)],
        ("after", leader): [D(2026, 9, 16)],
    }
    assert not Obligation.objects.get(kind="document", period_key="2026", document=Kind.WORK_PLAN).escalates
    term = {k[2:]: v for k, v in seen.items() if k[:2] == ("2026-term-1", "meeting")}
    assert term == {
        ("before_14", leader): [D(2026, 10, 17)],
        ("before_7", leader): [D(2026, 10, 24)],
        ("before_1", leader): [D(2026, 10, 30)],
        ("due", leader): [D(2026, 10, 31)],
        ("after", leader): [D(2026, 11, 1)],
        ("methodist", curator): [D(2026, 11, 3)],
        ("head", "head"): [D(2026, 11, 10)],
    }
    # Seed 001 names no protocol term: no protocol obligations.
    assert not Obligation.objects.filter(kind="protocol").exists()


def test_a_ten_day_gap_catches_up_with_one_reminder_per_obligation(pechora):
    sweep(D(2026, 9, 1))
    sweep(D(2026, 10, 20))  # three days late: before_14 of the first term (17 October) caught up
    assert list(Reminder.objects.filter(obligation__period_key="2026-term-1").values_list("step", flat=True)) == [
        "before_14"
    ]
    summary = sweep(D(2026, 11, 4))  # ten days of downtime: before_7, before_1, due, after, methodist fell due
    term = Reminder.objects.filter(obligation__period_key="2026-term-1")
    assert sorted(term.values_list("step", flat=True)) == ["before_14", "methodist"]
    assert summary["reminders"].get("methodist") == 1
    assert sweep(D(2026, 11, 4))["reminders"] == {}


def test_meeting_protocol_and_documents_fulfilled_by_what_happened_on_time_and_late(vilyuisk):
    association = vilyuisk["association"]
    code = "vilyuisk-umo"

    def happen(day):
        if day == D(2026, 9, 20):
            Filing.objects.create(association=association, kind=Kind.QUARTERLY_NOTE, academic_year=2026, quarter=1,
                                  status=Filing.Status.SUBMITTED, submitted_at=at(day))  # fmt: skip
        if day == D(2026, 11, 12):
            MeetingFactory(association=association, academic_year=2026, starts_at=at(day, 15),
                           status=Meeting.Status.HELD)  # fmt: skip
        if day == D(2026, 11, 17):
            meeting = Meeting.objects.get(association=association)
            Protocol.objects.create(meeting=meeting, association=association, academic_year=2026, number=1,
                                    status=Protocol.Status.SIGNED, signed_at=at(day, 10))  # fmt: skip

    seen = walk(D(2026, 9, 1), D(2026, 11, 30), before=happen)
    note = Obligation.objects.get(period_key="2026-q1", association=association)
    assert note.status == Obligation.Status.FULFILLED_ON_TIME
    assert {k[2] for k in seen if k[0] == "2026-q1"} == {"before_14"}  # 14 September, before it was submitted
    meeting = Obligation.objects.get(kind="meeting", period_key="2026-half_year-1")
    assert meeting.status == Obligation.Status.FULFILLED_ON_TIME
    assert timezone.localdate(meeting.fulfilled_at) == D(2026, 11, 12)
    protocol = Obligation.objects.get(kind="protocol")
    assert protocol.due == D(2026, 11, 15)
    assert protocol.owner.username == f"secretary-{code}"
    assert protocol.status == Obligation.Status.FULFILLED_LATE
    assert [c.to_status for c in history_of(protocol)] == ["due_soon", "overdue", "fulfilled_late"]
    # Created on 12 November: «за 1 день» on the 14th, the day, the day after; fulfilled before the methodist's.
    protocol_steps = {k[2]: v for k, v in seen.items() if k[1] == "protocol"}
    assert protocol_steps == {
        "before_1": [D(2026, 11, 14)], "due": [D(2026, 11, 15)], "after": [D(2026, 11, 16)],
    }  # fmt: skip


def test_database_refresh_fulfilled_when_the_share_confirms(vilyuisk):
    association = vilyuisk["association"]
    for name in ("m1", "m2", "m3", "m4", "m5", "m6", "m7", "m8"):
        MembershipFactory(association=association, user=TeacherFactory(user=UserFactory(username=name)).user,
                          start_date=D(2026, 8, 1))  # fmt: skip
    teachers = [m.user.teacher for m in Membership.objects.filter(association=association)]
    assert len(teachers) == 10
    sweep(D(2026, 9, 1))
    for teacher in teachers[:8]:
        ProfileConfirmation.objects.create(teacher=teacher, academic_year=2026, confirmed_at=at(D(2026, 9, 10)))
    sweep(D(2026, 9, 10))
    assert Obligation.objects.get(kind="database").is_open  # 80 % < 90 %
    ProfileConfirmation.objects.create(teacher=teachers[8], academic_year=2026, confirmed_at=at(D(2026, 9, 24)))
    sweep(D(2026, 9, 24))
    obligation = Obligation.objects.get(kind="database")
    assert obligation.status == Obligation.Status.FULFILLED_ON_TIME
    assert timezone.localdate(obligation.fulfilled_at) == D(2026, 9, 24)


def test_waive_by_the_curator_with_a_reason_stops_the_reminders(vilyuisk):
    sweep(D(2026, 9, 1))
    obligation = Obligation.objects.get(kind="database")
    with pytest.raises(ObligationError, match="курирующий методист"):
        obligation_waive(obligation=obligation, by=vilyuisk["leader"], reason="нет")
    with pytest.raises(ObligationError, match="почему"):
        obligation_waive(obligation=obligation, by=vilyuisk["curator"], reason=" ")
    obligation = obligation_waive(obligation=obligation, by=vilyuisk["curator"], reason="База ведётся в АИС")
    assert obligation.status == Obligation.Status.WAIVED and obligation.waived_reason == "База ведётся в АИС"
    change = history_of(obligation)[-1]
    assert (change.by, change.comment) == (vilyuisk["curator"], "База ведётся в АИС")
    walk(D(2026, 9, 2), D(2026, 10, 10), twice=False)
    assert not Reminder.objects.filter(obligation=obligation).exists()


def test_the_unique_constraint_keeps_a_second_sweeps_reminder_out(vilyuisk):
    sweep(D(2026, 9, 11))
    reminder = Reminder.objects.get(obligation__kind="database", recipient=vilyuisk["leader"])
    # What a concurrent sweep would try after the first one committed: the insert fails, nothing is queued.
    assert deadlines.reminder_create(obligation=reminder.obligation, step="before_14", recipient=reminder.recipient) \
        is None  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(obligation=reminder.obligation, step="before_14", recipient=reminder.recipient)
    assert Reminder.objects.filter(obligation__kind="database", recipient=reminder.recipient).count() == 1


def test_reminders_are_mailed_after_commit_once_and_marked_sent(vilyuisk, django_capture_on_commit_callbacks):
    with time_machine.travel(at(D(2026, 9, 11), 6), tick=False), django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep(today=D(2026, 9, 11))
    reminder = Reminder.objects.select_related("notification").get(
        obligation__kind="database", recipient=vilyuisk["leader"]
    )
    assert reminder.sent_at is not None and reminder.notification.emailed_at is not None
    assert reminder.notification.kind == "reminder" and reminder.notification.recipient == vilyuisk["leader"]
    letters = [m for m in mail.outbox if "база педагогов" in m.body and m.to == ["leader-vilyuisk-umo@example.org"]]
    assert len(letters) == 1
    assert "до 25 сентября 2026 г." in letters[0].body
    assert settings.SITE_URL + deadlines.obligation_link(reminder.obligation, reverse=reverse) in letters[0].body
    before = len(mail.outbox), Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.reminder_send(reminder_id=reminder.pk) is False  # a task delivered twice sends once
    assert (len(mail.outbox), Notification.objects.count()) == before


def test_escalations_notify_the_methodist_at_once_and_the_head_in_the_digest(
    vilyuisk, head, django_capture_on_commit_callbacks
):
    sweep(D(2026, 9, 11))
    obligation = Obligation.objects.get(kind="database")
    mail.outbox.clear()
    to_curator = Reminder.objects.create(obligation=obligation, step="methodist", recipient=vilyuisk["curator"])
    to_head = Reminder.objects.create(obligation=obligation, step="head", recipient=head)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadlines.reminder_send(reminder_id=to_curator.pk) is True
        assert deadlines.reminder_send(reminder_id=to_head.pk) is True
    to_curator.refresh_from_db()
    to_head.refresh_from_db()
    assert to_curator.notification.kind == to_head.notification.kind == "escalation"
    assert [m.to for m in mail.outbox] == [["curator-vilyuisk-umo@example.org"]]
    assert to_head.notification.digest and to_head.notification.emailed_at is None


@override_settings(EMAIL_BACKEND="rmo_portal.tests.mail_backends.BrokenBackend")
def test_a_failed_letter_stays_visible(vilyuisk, django_capture_on_commit_callbacks):
    sweep(D(2026, 9, 11))
    reminder = Reminder.objects.get(obligation__kind="database", recipient=vilyuisk["leader"])
    from reports.tasks import send_reminder

    # The reminder becomes a notification; its letter fails (Celery retries it) and the failure is on the row.
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminder.apply(args=[reminder.pk], throw=True).result is True
    reminder.refresh_from_db()
    notification = reminder.notification
    assert reminder.sent_at is not None and notification.emailed_at is None
    assert notification.mail_failed_at is not None and "SMTP" in notification.mail_error
    assert list(Notification.objects.mail_failed()) == [notification]


def test_dissolved_association_open_obligations_are_waived_by_the_system(pechora):
    sweep(D(2026, 9, 1))
    Association.objects.filter(pk=pechora["association"].pk).update(status=Association.Status.DISSOLVED)
    summary = sweep(D(2026, 9, 2))
    assert summary["waived"] == Obligation.objects.filter(status="waived").count() > 0
    assert not Obligation.objects.open().exists()


def test_command_prints_the_summary_in_russian(pechora, capsys):
    with time_machine.travel(at(D(2026, 9, 1), 6), tick=False):
        call_command("sweep_deadlines", "--today", "2026-09-01")
    out = capsys.readouterr().out
    assert "Создано обязательств:" in out and "за 14 дн. до срока: 1" in out


def test_leader_panel_lists_open_obligations_in_date_order_with_words_and_links(
    vilyuisk, rf, django_assert_max_num_queries
):
    from reports.panels import leader_deadlines

    sweep(D(2026, 9, 26))
    request = rf.get("/")
    request.user = vilyuisk["leader"]
    with django_assert_max_num_queries(2):
        context = leader_deadlines(request, D(2026, 9, 26))
    rows = context["obligations"]
    assert [o.due for o in rows] == sorted(o.due for o in rows)
    first = rows[0]
    assert (first.kind, first.due_label, first.get_status_display()) == (
        "database", "до 25 сентября 2026 г.", "Просрочено",
    )  # fmt: skip
    assert first.link == f"/associations/{vilyuisk['association'].pk}/"
    meeting = next(o for o in rows if o.kind == "meeting")
    assert meeting.link == f"/associations/{vilyuisk['association'].pk}/schedule/2026/"
    note = next(o for o in rows if o.kind == "document")
    assert note.link.endswith("/documents/2026/")
    request.user = vilyuisk["curator"]
    assert leader_deadlines(request, D(2026, 9, 26)) is None


def test_leader_start_page_shows_the_panel(vilyuisk, client):
    sweep(D(2026, 9, 26))
    client.force_login(vilyuisk["leader"])
    with time_machine.travel(at(D(2026, 9, 26)), tick=False):
        page = client.get("/start/leader/")
    text = page.content.decode()
    assert "Что положено сделать" in text and "до 25 сентября 2026 г." in text and "Просрочено" in text


def test_a_leader_overdue_three_months_running_is_reported_once_to_the_methodist_and_the_head(
    vilyuisk, head, django_capture_on_commit_callbacks
):
    seen = walk(D(2026, 9, 1), D(2026, 11, 3), twice=True)
    flags = {k: v for k, v in seen.items() if k[2] == "flag"}
    # The database was overdue from 26 September: September, October and November make three months on 1 November.
    assert {(k[3], tuple(v)) for k, v in flags.items()} == {
        ("curator-vilyuisk-umo", (D(2026, 11, 1),)), ("head", (D(2026, 11, 1),)),
    }  # fmt: skip
    flag = Reminder.objects.filter(step="flag").select_related("obligation").first()
    assert flag.obligation.kind == "database"
    with django_capture_on_commit_callbacks(execute=True):
        for reminder in Reminder.objects.filter(step="flag"):
            deadlines.reminder_send(reminder_id=reminder.pk)
    to_curator = Notification.objects.get(recipient=vilyuisk["curator"], subject__startswith="Руководитель")
    assert to_curator.subject == "Руководитель не выполняет обязанности 3 месяца подряд: УМО учителей химии"
    assert to_curator.link.startswith("/deadlines/?q=") and to_curator.kind == "escalation"
    assert Notification.objects.get(recipient=head, subject__startswith="Руководитель").digest
