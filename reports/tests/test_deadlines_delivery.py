"""What happens to a letter between the sweep and the mailbox: a lost task is queued again by a later sweep, a
reminder whose obligation closed meanwhile is not sent, and a flagged leader is not reported twice within the
regulation's months when the earliest overdue obligation of the stretch changes."""

import datetime

import pytest
import time_machine

from reports import deadlines
from reports.models import Obligation, Reminder
from reports.tests.test_deadlines import D, at, sweep, walk
from reports.tests.test_deadlines_year import confirmed
from rmo_portal.models import Notification

pytestmark = pytest.mark.django_db


def test_a_reminder_whose_task_was_lost_is_queued_again_by_a_later_sweep(vilyuisk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as lost:  # the broker refused them: never delivered
        sweep(D(2026, 9, 11))
    assert lost and Reminder.objects.filter(sent_at__isnull=True).count() == len(lost)
    later = at(D(2026, 9, 11), 6) + datetime.timedelta(minutes=20)
    with (
        django_capture_on_commit_callbacks(execute=False) as soon,  # 20 minutes later: still in flight, left alone
        time_machine.travel(later, tick=False),
    ):
        deadlines.deadlines_sweep(today=D(2026, 9, 11))
    assert soon == []
    with django_capture_on_commit_callbacks(execute=True) as again:  # the next morning: queued again and sent
        sweep(D(2026, 9, 12))
    assert len([c for c in again if "reminders_requeue" in c.__qualname__]) == len(lost)
    assert not Reminder.objects.filter(sent_at__isnull=True).exists()
    assert Notification.objects.filter(recipient=vilyuisk["leader"], kind="reminder").count() == 1


def test_a_reminder_of_an_obligation_closed_meanwhile_is_not_sent(vilyuisk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        sweep(D(2026, 9, 11))
    reminder = Reminder.objects.get(obligation__kind="database", recipient=vilyuisk["leader"])
    Obligation.objects.filter(pk=reminder.obligation_id).update(status=Obligation.Status.FULFILLED_ON_TIME)
    assert deadlines.reminder_send(reminder_id=reminder.pk) is False
    reminder.refresh_from_db()
    assert reminder.sent_at is not None and reminder.notification is None
    assert not Notification.objects.filter(kind="reminder").exists()


def test_a_flag_is_not_repeated_within_the_months_when_the_first_overdue_obligation_changes(vilyuisk):
    def morning(day):
        if day == D(2026, 10, 5):
            confirmed(vilyuisk["association"], day)  # the database, overdue since 26 September, done late

    seen = walk(D(2026, 9, 1), D(2027, 1, 3), twice=False, before=morning)
    flags = sorted((k[3], tuple(v)) for k, v in seen.items() if k[2] == "flag")
    # 1 November: September (the database), October and November (the first quarter's note) — reported. On
    # 1 January the stretch's first obligation is the note, not the database any more: not reported again.
    assert flags == [("curator-vilyuisk-umo", (D(2026, 11, 1),)), ("head", (D(2026, 11, 1),))]
