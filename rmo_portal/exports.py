"""Files the portal makes in the background: exports, schedules as files, long PDFs (the kernel; STYLE.md §16).

A web request only records what was asked (`export_job_start`: the kind, the filter as parameters, the owner)
and queues `rmo_portal.tasks.export_run`; a worker builds the file (`export_job_run`), the owner watches a
progress page and downloads it; after `EXPORT_KEEP_HOURS` the periodic task `purge_exports` deletes the file.
A web worker never holds a whole district in memory.

An app registers its kinds in its `AppConfig.ready()`:

    exports.register("teachers", label="База педагогов (Excel)", permission="members.view_teacher_list",
                     build=build_teachers)

`build(job, params, progress)` returns `(filename, content)` — bytes or a binary file object — and may call
`progress(done, total)` now and then. It runs in the worker as the job's owner (`job.owner`): it narrows what it
reads with the owner's scope exactly as the page does. The kernel knows no app.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from . import workflow
from .permissions import allowed

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
Build = Callable[..., tuple[str, object]]


class ExportError(Exception):
    """A background file could not be made; the message is Russian, shown on the job's page."""


@dataclass(frozen=True)
class ExportKind:
    code: str
    label: str
    permission: str | None
    build: Build


_kinds: dict[str, ExportKind] = {}


def register(code: str, *, label: str, permission: str | None, build: Build) -> None:
    """Declare a kind of background file. Registering the same code again replaces it."""
    _kinds[code] = ExportKind(code, label, permission, build)


def kind_of(code: str) -> ExportKind | None:
    return _kinds.get(code)


def kinds() -> list[ExportKind]:
    return sorted(_kinds.values(), key=lambda k: k.code)


def keep_for() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EXPORT_KEEP_HOURS)


def may_start(user, code: str) -> bool:
    kind = kind_of(code)
    return kind is not None and user.is_authenticated and (kind.permission is None or allowed(user, kind.permission))


def _move(job, to: str, **fields) -> None:
    # A machine state (queued, running, done…): workflow.move(), no history rows nor notifiers (rmo_portal.workflow).
    workflow.move(
        job, to, error=ExportError, refused=lambda j, _: f"Выгрузка уже в состоянии «{j.get_status_display().lower()}»."
    )
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *fields])


@transaction.atomic
def export_job_start(*, kind: str, title: str, params: dict, by):
    """Record what the user asked for and queue the work; the web request returns at once.

    Checks the kind's permission. The same request still queued or running is not queued again (a double
    click, a reload): that job is returned.
    """
    from . import tasks
    from .models import ExportJob

    if not may_start(by, kind):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied
    waiting = ExportJob.objects.filter(
        owner=by, kind=kind, params=params, status__in=[ExportJob.Status.QUEUED, ExportJob.Status.RUNNING]
    ).first()
    if waiting is not None:
        return waiting
    job = ExportJob.objects.create(
        owner=by, kind=kind, title=title[:300], params=params, expires_at=timezone.now() + keep_for()
    )
    transaction.on_commit(lambda: tasks.export_run.delay(job.pk))
    return job


def _progress_saver(job_id: int) -> Progress:
    from .models import ExportJob

    last = [-1]

    def save(done: int, total: int) -> None:
        value = min(99, 100 * done // max(total, 1))
        if value != last[0]:  # one UPDATE per percent, not per row
            last[0] = value
            ExportJob.objects.filter(pk=job_id).update(progress=value)

    return save


def export_job_run(*, job_id: int) -> str:
    """Build the job's file as its owner and keep it for EXPORT_KEEP_HOURS; a failure is kept with its reason.

    Runs once: a job that is not queued any more (a task delivered twice) is left alone.
    """
    from .files import stored_file_create
    from .models import ExportJob

    with transaction.atomic():
        job = ExportJob.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=job_id).first()
        if job is None or job.status != ExportJob.Status.QUEUED:
            return "skipped"
        _move(job, ExportJob.Status.RUNNING, progress=0)
    kind = kind_of(job.kind)
    try:
        if kind is None:
            raise ExportError("Такой выгрузки в портале больше нет.")
        if kind.permission is not None and not allowed(job.owner, kind.permission):
            raise ExportError("У вас больше нет права на эту выгрузку.")
        filename, content = kind.build(job, job.params, _progress_saver(job.pk))
        upload = _as_upload(filename, content)
        with transaction.atomic():
            stored = stored_file_create(upload=upload, use="export", by=job.owner)
            now = timezone.now()
            job.refresh_from_db(fields=["status"])
            _move(job, ExportJob.Status.DONE, result=stored, progress=100, finished_at=now, expires_at=now + keep_for())
    except Exception as error:  # the owner must learn that it failed, whatever the cause
        log.exception("export job %s (%s) failed", job.pk, job.kind)
        message = str(error) if isinstance(error, ExportError) else "Внутренняя ошибка при подготовке файла."
        job.refresh_from_db(fields=["status"])
        if workflow.can_move(job, ExportJob.Status.FAILED):
            now = timezone.now()
            _move(job, ExportJob.Status.FAILED, error=message[:500], finished_at=now, expires_at=now + keep_for())
    return job.status


def _as_upload(filename: str, content):
    from django.core.files import File
    from django.core.files.uploadedfile import SimpleUploadedFile

    if isinstance(content, bytes | bytearray):
        return SimpleUploadedFile(filename, bytes(content))
    return File(content, name=filename)


def export_jobs_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete the files of jobs kept past `expires_at` (their rows stay, marked expired); returns how many."""
    from .files import stored_file_delete
    from .models import ExportJob

    now = now or timezone.now()
    count = 0
    due = ExportJob.objects.filter(expires_at__lte=now).exclude(status=ExportJob.Status.EXPIRED)
    for job_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            job = ExportJob.objects.select_for_update(of=("self",)).select_related("result").get(pk=job_id)
            if job.status == ExportJob.Status.EXPIRED:
                continue
            stored = job.result
            _move(job, ExportJob.Status.EXPIRED, result=None)
            stored_file_delete(stored)
            count += 1
    return count


def params_from(query, *, drop: tuple[str, ...] = ("page", "format")) -> dict[str, list[str]]:
    """A page's filter (its GET parameters) as a job's parameters: the export keeps the filter."""
    return {key: query.getlist(key) for key in sorted(query) if key not in drop}


def query_of(params: dict[str, list[str]]):
    """The job's parameters as the QueryDict a FilterSet reads, in the worker."""
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, values in params.items():
        query.setlist(key, list(values))
    return query
