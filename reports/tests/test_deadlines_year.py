"""A whole academic year, day by day: a Вилюйский УМО (seed 004) and a Печорский РМО (seed 001) in one district,
with what their people do (meetings held or not, protocols signed, documents filed on time, late or never), the
sweep run twice every day with the time frozen at that day.

The reminders seen are checked against an oracle written from the regulations' numbers, not from the engine's
code: for every obligation, each step («за N дней», the day, the day after, the methodist, the head) goes to its
people on its own day, from the day the obligation appeared until the sweep that found it fulfilled; nothing
else goes, and nothing twice. A second run of any day changes nothing (checked inside `walk`).
"""

import datetime
from collections import defaultdict

import pytest
from django.utils import timezone

from associations.models import Document as Kind
from associations.models import Membership
from meetings.models import Meeting, Protocol
from meetings.tests.factories import MeetingFactory
from members.models import ProfileConfirmation
from reports.models import Filing, Obligation, Reminder
from reports.tests.test_deadlines import D, at, walk
from rmo_portal.workflow import history_of

pytestmark = pytest.mark.django_db

# To the third day of the next year: the second half-year's meeting is due on 31 August, the year's last day.
FIRST, LAST = D(2026, 9, 1), D(2027, 9, 3)
CLOSED = {"fulfilled_on_time", "fulfilled_late", "waived"}


def held(association, day: datetime.date) -> Meeting:
    return MeetingFactory(association=association, academic_year=2026, starts_at=at(day, 15),
                          status=Meeting.Status.HELD)  # fmt: skip


def signed(meeting: Meeting, day: datetime.date, number: int) -> None:
    Protocol.objects.create(meeting=meeting, association=meeting.association, academic_year=2026, number=number,
                            status=Protocol.Status.SIGNED, signed_at=at(day, 10))  # fmt: skip


def filed(association, kind: str, year: int, day: datetime.date, quarter: int = 0) -> None:
    Filing.objects.create(association=association, kind=kind, academic_year=year, quarter=quarter,
                          status=Filing.Status.SUBMITTED, submitted_at=at(day, 11))  # fmt: skip


def confirmed(association, day: datetime.date) -> None:
    for membership in Membership.objects.filter(association=association).select_related("user__teacher"):
        ProfileConfirmation.objects.create(teacher=membership.user.teacher, academic_year=2026, confirmed_at=at(day))


@pytest.fixture
def year(vilyuisk, pechora, head):
    """The year's events, by day: {day: [what happens that morning, before the sweep]}."""
    v, p = vilyuisk["association"], pechora["association"]
    plan = {}

    def on(day, fn):
        plan.setdefault(day, []).append(fn)

    meetings = {}
    # Вилюйский: the database confirmed on 20 September; the first half-year's meeting on 12 November, its
    # protocol signed on the 14th (in its three days); the second half-year's meeting never held; the notes of the
    # first quarter on time, of the second late, of the third never; the annual report and next year's plan on time.
    on(D(2026, 9, 20), lambda: confirmed(v, D(2026, 9, 20)))
    on(D(2026, 11, 12), lambda: meetings.__setitem__("v1", held(v, D(2026, 11, 12))))
    on(D(2026, 11, 14), lambda: signed(meetings["v1"], D(2026, 11, 14), 1))
    on(D(2026, 9, 25), lambda: filed(v, Kind.QUARTERLY_NOTE, 2026, D(2026, 9, 25), quarter=1))
    on(D(2027, 1, 9), lambda: filed(v, Kind.QUARTERLY_NOTE, 2026, D(2027, 1, 9), quarter=2))
    on(D(2027, 6, 1), lambda: filed(v, Kind.ANNUAL_REPORT, 2026, D(2027, 6, 1)))
    on(D(2027, 6, 5), lambda: filed(v, Kind.WORK_PLAN, 2027, D(2027, 6, 5)))
    # Печорский: meetings in the first three terms, none in the fourth; the plan on 10 September; the annual
    # report five days late.
    on(D(2026, 9, 10), lambda: filed(p, Kind.WORK_PLAN, 2026, D(2026, 9, 10)))
    on(D(2026, 10, 20), lambda: held(p, D(2026, 10, 20)))
    on(D(2026, 12, 10), lambda: held(p, D(2026, 12, 10)))
    on(D(2027, 2, 18), lambda: held(p, D(2027, 2, 18)))
    on(D(2027, 6, 15), lambda: filed(p, Kind.ANNUAL_REPORT, 2026, D(2027, 6, 15)))
    return {"plan": plan, "vilyuisk": vilyuisk, "pechora": pechora}


def expected_letters(obligation: Obligation, *, walked_to: datetime.date, people: dict) -> set[tuple]:
    """The oracle: (step, username, day) for each step due between the obligation's first day and the sweep that
    closed it, from the regulation's own numbers."""
    regulation = obligation.association.regulation
    created = timezone.localdate(obligation.created_at)
    closing = [c for c in history_of(obligation) if c.to_status in CLOSED]
    stop = timezone.localdate(closing[0].at) if closing else walked_to + datetime.timedelta(days=1)
    due = obligation.due
    steps = [(f"before_{n}", due - datetime.timedelta(days=n)) for n in regulation.reminder_offsets]
    steps += [("due", due), ("after", due + datetime.timedelta(days=1))]
    if obligation.escalates:
        steps += [
            ("methodist", due + datetime.timedelta(days=regulation.escalate_to_methodist_after)),
            ("head", due + datetime.timedelta(days=regulation.escalate_to_head_after)),
        ]
    letters = set()
    for step, day in steps:
        if not created <= day < stop:
            continue
        if step == "methodist":
            names = [people["curator"].username]
        elif step == "head":
            names = ["head"]
        else:
            names = [obligation.owner.username]
            if obligation.kind == "database" and day < D(2026, 9, 20):
                names.append(people["secretary"].username)  # a member with her profile not yet confirmed
        letters |= {(step, name, day) for name in names}
    return letters


def test_a_whole_year_day_by_day_each_letter_on_its_day_once(year):
    plan = year["plan"]

    def morning(day):
        for fn in plan.get(day, []):
            fn()

    walk(FIRST, LAST, before=morning)  # every day twice: the second run must change nothing
    seen = defaultdict(set)
    for reminder in Reminder.objects.exclude(step="flag").select_related("recipient"):
        seen[reminder.obligation_id].add((reminder.step, reminder.recipient.username,
                                          timezone.localdate(reminder.created_at)))  # fmt: skip
    assert Reminder.objects.exclude(step="flag").count() == sum(len(v) for v in seen.values())  # nothing twice
    # Seed 004 §6.2: the third quarter's note, overdue from 29 March, makes March, April and May: the Вилюйский
    # leader is reported to the methodist and the head on 1 May, once. Seed 001 sets no such rule.
    flags = Reminder.objects.filter(step="flag").select_related("recipient", "obligation")
    assert sorted((r.recipient.username, timezone.localdate(r.created_at), r.obligation.quarter) for r in flags) == [
        ("curator-vilyuisk-umo", D(2027, 5, 1), 3), ("head", D(2027, 5, 1), 3),
    ]  # fmt: skip
    obligations = list(Obligation.objects.select_related("association__regulation", "owner"))
    for obligation in obligations:
        people = year["vilyuisk"] if obligation.association == year["vilyuisk"]["association"] else year["pechora"]
        expected = expected_letters(obligation, walked_to=LAST, people=people)
        assert seen.get(obligation.pk, set()) == expected, (obligation.association.name, obligation.what)

    def state(association, **filters):
        rows = Obligation.objects.filter(association=association, academic_year=2026, **filters)
        return sorted(rows.values_list("status", flat=True))

    v, p = year["vilyuisk"]["association"], year["pechora"]["association"]
    assert state(v, kind="meeting") == ["fulfilled_on_time", "overdue"]
    assert state(v, kind="protocol") == ["fulfilled_on_time"]
    assert state(v, kind="database") == ["fulfilled_on_time"]
    notes = dict(
        Obligation.objects.filter(association=v, document=Kind.QUARTERLY_NOTE, academic_year=2026).values_list(
            "quarter", "status"
        )
    )
    assert notes[1] == "fulfilled_on_time" and notes[2] == "fulfilled_late" and notes[3] == "overdue"
    assert state(p, kind="meeting") == ["fulfilled_on_time"] * 3 + ["overdue"]
    assert Obligation.objects.get(association=p, document=Kind.ANNUAL_REPORT, academic_year=2026).status == (
        "fulfilled_late"
    )
    assert Obligation.objects.get(association=p, document=Kind.WORK_PLAN, academic_year=2026).status == (
        "fulfilled_on_time"
    )
    # Next year's plan was filed on time, but never went to the members' discussion first (its draft, §6.12), and
    # neither the report nor the plan was published in its window: those stay overdue.
    assert state(v, kind="publication") == ["fulfilled_on_time", "overdue"]
    assert Obligation.objects.get(
        association=v, kind="document", document=Kind.WORK_PLAN, academic_year=2027
    ).status == ("fulfilled_on_time")
    assert Obligation.objects.get(association=v, document=Kind.PLAN_DRAFT, academic_year=2027).status == "overdue"
    # The new year began: its obligations are there, and its first letters went on its first day.
    assert Obligation.objects.filter(academic_year=2027, kind="meeting").count() == 6
