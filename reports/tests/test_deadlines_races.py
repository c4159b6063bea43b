"""Exactly once under accidents: two sweeps at the same moment (beat fired twice, a second worker), and a worker
that dies in the middle of a sweep. The race needs PostgreSQL (SQLite serialises writers and cannot race)."""

import threading

import pytest
import time_machine
from django.db import connection, connections

from reports import deadlines
from reports.models import Obligation, Reminder
from reports.tests.test_deadlines import D, at, sweep

TODAY = D(2026, 9, 11)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_moment_send_each_letter_once(vilyuisk, pechora, django_capture_on_commit_callbacks):
    if connection.vendor == "sqlite":
        pytest.skip("SQLite serialises writers (BEGIN IMMEDIATE); the race needs PostgreSQL")
    queued = []
    from reports import tasks

    original = tasks.send_reminder.delay
    tasks.send_reminder.delay = lambda pk: queued.append(pk)  # count what each sweep queues after its commit
    barrier = threading.Barrier(2)
    errors, summaries = [], []

    def run():
        try:
            barrier.wait()
            with time_machine.travel(at(TODAY, 6), tick=False):
                summaries.append(deadlines.deadlines_sweep(today=TODAY))
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    try:
        threads = [threading.Thread(target=run) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        tasks.send_reminder.delay = original
    assert errors == []
    rows = list(Reminder.objects.values_list("obligation", "step", "recipient"))
    assert rows and len(rows) == len(set(rows))
    assert sorted(queued) == sorted(Reminder.objects.values_list("pk", flat=True))  # each queued once
    # One sweep created the obligations and the letters; the other found them there.
    assert sorted(s["created"] for s in summaries)[0] == 0
    assert sum(sum(s["reminders"].values()) for s in summaries) == len(rows)
    keys = list(Obligation.objects.values_list("association", "rule_key", "period_key"))
    assert len(keys) == len(set(keys))


@pytest.mark.django_db
def test_a_sweep_that_dies_midway_leaves_nothing_and_the_next_one_sends_each_letter_once(
    vilyuisk, monkeypatch, django_capture_on_commit_callbacks
):
    real = deadlines.reminder_create
    calls = []

    def dies_at_the_second(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise SystemExit("the worker was killed")
        return real(**kwargs)

    monkeypatch.setattr(deadlines, "reminder_create", dies_at_the_second)
    with (
        django_capture_on_commit_callbacks(execute=False) as queued,
        pytest.raises(SystemExit),
        time_machine.travel(at(TODAY, 6), tick=False),
    ):
        deadlines.deadlines_sweep(today=TODAY)
    assert queued == []  # nothing goes out of a rolled-back sweep
    assert not Reminder.objects.exists() and not Obligation.objects.exists()
    monkeypatch.setattr(deadlines, "reminder_create", real)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        sweep(TODAY)
    rows = list(Reminder.objects.values_list("obligation", "step", "recipient"))
    assert len(rows) == len(set(rows)) == len(queued) >= 2
