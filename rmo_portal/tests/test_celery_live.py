"""A real Celery worker and beat, against Redis, run the scheduled heartbeat into the test database."""

import datetime
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from rmo_portal.models import Heartbeat
from rmo_portal.services import BEAT

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _test_database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "rmo_portal", *args],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )


def test_beat_schedules_the_heartbeat_and_a_real_worker_runs_it(redis_url, client):
    redis.Redis.from_url(redis_url).flushdb()
    workdir = Path(tempfile.mkdtemp(prefix="rmo-celery-"))
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "CELERY_BROKER_URL": redis_url,
        "HEARTBEAT_SECONDS": "1",
        "TESTING": "1",
    }
    worker = _start(
        ["worker", "--pool=solo", "--loglevel=INFO", "--hostname=test-worker@%h"], env, workdir / "worker.log"
    )
    beat = _start(["beat", "--loglevel=INFO", f"--pidfile={workdir / 'beat.pid'}"], env, workdir / "beat.log")
    try:
        deadline = time.monotonic() + 90
        tick = None
        while time.monotonic() < deadline and tick is None:
            assert worker.poll() is None, (workdir / "worker.log").read_text()
            assert beat.poll() is None, (workdir / "beat.log").read_text()
            tick = Heartbeat.objects.filter(name=BEAT).first()
            time.sleep(0.5)
        logs = "\n".join(f"--- {p.name}\n{p.read_text()}" for p in workdir.glob("*.log"))
        assert tick is not None, f"no heartbeat within 90 s\n{logs}"
        # Beat keeps ticking: a later tick replaces the first.
        first = tick.last_seen
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and Heartbeat.objects.get(name=BEAT).last_seen == first:
            time.sleep(0.5)
        assert Heartbeat.objects.get(name=BEAT).last_seen > first, logs
        assert "rmo_portal.tasks.heartbeat" in (workdir / "worker.log").read_text()
        # The beat schedule is stored where an administrator sees it.
        from django_celery_beat.models import PeriodicTask

        assert PeriodicTask.objects.filter(task="rmo_portal.tasks.heartbeat", enabled=True).exists()
        response = client.get("/healthz")
        assert response.json()["beat"]["ok"] is True
    finally:
        stop(beat, worker)


def stop(*processes: subprocess.Popen) -> None:
    """Terminate the processes, then kill those still running after 20 s."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


class RealWorker:
    """A Celery worker process on Redis and the test database; tasks are sent to it through the broker."""

    def __init__(self, redis_url: str, name: str):
        redis.Redis.from_url(redis_url).flushdb()
        self.redis_url = redis_url
        self.log = Path(tempfile.mkdtemp(prefix=f"rmo-celery-{name}-")) / "worker.log"
        env = {**os.environ, "DATABASE_URL": _test_database_url(), "CELERY_BROKER_URL": redis_url, "TESTING": "1",
               "MEDIA_ROOT": str(settings.MEDIA_ROOT)}  # fmt: skip
        self.process = _start(["worker", "--pool=solo", "--loglevel=INFO", f"--hostname={name}@%h"], env, self.log)

    def send(self, task: str, *args) -> None:
        from rmo_portal.celery import app

        with app.connection_for_write(self.redis_url) as connection:
            app.send_task(task, args=list(args), connection=connection)

    def wait_for(self, model, pk: int, status: str, *, seconds: int = 90):
        """The row once its status is `status` (the worker's log in the failure otherwise)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            row = model.objects.get(pk=pk)
            if row.status == status:
                return row
            time.sleep(0.3)
        raise AssertionError(f"{model.__name__} {pk} never became {status}\n{self.log.read_text()}")

    def stop(self) -> None:
        stop(self.process)


@pytest.fixture
def real_worker(redis_url):
    worker = RealWorker(redis_url, "test-tasks")
    yield worker
    worker.stop()


def test_a_real_worker_reads_and_applies_an_uploaded_list(real_worker):
    """The import runs where it is deployed to run: a Celery worker on Redis, the web only queues it."""
    from members.models import ImportJob, Teacher
    from members.tests.factories import SchoolFactory, methodist
    from members.tests.test_import import messy_xlsx
    from rmo_portal.files import stored_file_from_bytes

    user = methodist(username="m")
    SchoolFactory(name="МБОУ «СОШ № 1»", short_name="СОШ № 1")
    stored = stored_file_from_bytes(name="list.xlsx", content=messy_xlsx(), use="import", by=user)
    job = ImportJob.objects.create(file=stored, file_name="list.xlsx", created_by=user)
    real_worker.send("members.tasks.import_read", job.pk)
    previewed = real_worker.wait_for(ImportJob, job.pk, ImportJob.Status.PREVIEW)
    assert Teacher.objects.count() == 0 and len(previewed.preview["rows"]) == 7
    # Confirming queues the apply after commit; here the test sends it to the real worker itself.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.APPLYING, confirmed_by=user)
    real_worker.send("members.tasks.import_apply", job.pk)
    done = real_worker.wait_for(ImportJob, job.pk, ImportJob.Status.DONE)
    assert done.result == {"new": 3, "updated": 0, "rejected": 3}
    assert Teacher.objects.count() == 3
    assert done.file_id is None


def test_a_real_worker_makes_an_export_file(real_worker):
    """A teacher list export is made by a Celery worker on Redis, not in the web request."""
    from openpyxl import load_workbook

    from members.tests.factories import TeacherFactory, UserFactory, methodist
    from rmo_portal.files import read_bytes
    from rmo_portal.models import ExportJob

    user = methodist(username="m")
    for n in range(3):
        TeacherFactory(user=UserFactory(username=f"t{n}", last_name=f"Выгрузкина{n}"))
    job = ExportJob.objects.create(owner=user, kind="teachers", title="База педагогов (Excel)", params={},
                                   expires_at=datetime.datetime(2099, 1, 1, tzinfo=datetime.UTC))  # fmt: skip
    real_worker.send("rmo_portal.tasks.export_run", job.pk)
    real_worker.wait_for(ExportJob, job.pk, ExportJob.Status.DONE)
    job = ExportJob.objects.select_related("result").get(pk=job.pk)
    assert job.result.original_name.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(read_bytes(job.result))).active
    surnames = {str(c).split(" ")[0] for row in sheet.iter_rows(values_only=True) for c in row if c}
    assert {f"Выгрузкина{n}" for n in range(3)} <= surnames
