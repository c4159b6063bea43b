"""The deadline engine where it is deployed to run: Celery beat fires the daily sweep at DEADLINES_SWEEP_HOUR, a
real worker on Redis runs it against the test database, and the reminder it creates is mailed by the worker (to
files, EMAIL_URL=filemail://). Both processes run with their clock started at 05:59:50 on 11 September 2026 (the
district's time) and ticking, so the schedule's 06:00 comes within seconds: time is chosen, never the machine's."""

import os
import subprocess
import sys
import tempfile
import time
from email import message_from_bytes
from email.policy import default as email_policy
from pathlib import Path

import pytest
import redis
from django.conf import settings

from reports.models import Reminder
from rmo_portal.tests.test_celery_live import _test_database_url, stop

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

FROZEN_AT = "2026-09-11T05:59:50+03:00"


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rmo_portal.tests.frozen_celery", "-A", "rmo_portal", *args],
        cwd=settings.BASE_DIR, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
    )  # fmt: skip


def _letters(folder: Path) -> list:
    return [message_from_bytes(chunk.encode(), policy=email_policy) for p in sorted(folder.glob("*.log"))
            for chunk in p.read_text().split("-" * 79 + "\n") if chunk.strip()]  # fmt: skip


def _body(letter) -> str:
    part = letter.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


def test_beat_fires_the_sweep_and_a_real_worker_mails_the_reminder(redis_url, vilyuisk):
    redis.Redis.from_url(redis_url).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="rmo-deadlines-"))
    mailbox = workdir / "mail"
    env = {
        **os.environ, "DATABASE_URL": _test_database_url(), "CELERY_BROKER_URL": redis_url, "TESTING": "1",
        "FROZEN_AT": FROZEN_AT, "DEADLINES_SWEEP_HOUR": "6", "HEARTBEAT_SECONDS": "1",
        "EMAIL_URL": "filemail://", "EMAIL_FILE_PATH": str(mailbox), "CELERY_TASK_ALWAYS_EAGER": "0",
    }  # fmt: skip
    worker = _start(["worker", "--pool=solo", "--loglevel=INFO", "--hostname=deadlines@%h"], env,
                    workdir / "worker.log")  # fmt: skip
    beat = _start(["beat", "--loglevel=INFO", f"--pidfile={workdir / 'beat.pid'}"], env, workdir / "beat.log")
    leader = vilyuisk["leader"]
    try:
        deadline = time.monotonic() + 120
        letters = []
        while time.monotonic() < deadline:
            assert worker.poll() is None, (workdir / "worker.log").read_text()
            assert beat.poll() is None, (workdir / "beat.log").read_text()
            letters = [m for m in _letters(mailbox) if leader.email in m["To"]] if mailbox.exists() else []
            if letters:
                break
            time.sleep(0.5)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in workdir.glob("*.log"))
        assert letters, f"no reminder mailed within 120 s\n{logs}"
        assert "reports.tasks.sweep_deadlines" in (workdir / "beat.log").read_text()
        reminder = Reminder.objects.get(recipient=leader)
        assert (reminder.step, reminder.obligation.kind) == ("before_14", "database")
        body = _body(letters[0])
        assert "до 25 сентября 2026 г." in body and "УМО учителей химии" in body
        assert settings.SITE_URL + f"/associations/{vilyuisk['association'].pk}/" in body
        # The beat's next 06:00 is tomorrow: the leader has one letter about it, however long the processes run.
        time.sleep(3)
        assert len([m for m in _letters(mailbox) if leader.email in m["To"]]) == 1
        assert Reminder.objects.filter(recipient=leader).count() == 1
    finally:
        stop(beat, worker)
