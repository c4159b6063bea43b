"""Tasks of the portal itself; the schedule is CELERY_BEAT_SCHEDULE in settings.py."""

from celery import shared_task
from django.core import management

from .services import heartbeat_record


@shared_task
def heartbeat() -> str:
    """Proves that beat schedules and a worker runs: /healthz reads the time."""
    return heartbeat_record().isoformat()


@shared_task
def clear_sessions() -> str:
    management.call_command("clearsessions")
    return "ok"


@shared_task
def export_run(job_id: int) -> str:
    """Build a background file (an export, a schedule, a long PDF) for its owner."""
    from .exports import export_job_run

    return export_job_run(job_id=job_id)


@shared_task
def purge_exports() -> int:
    """Delete background files kept longer than EXPORT_KEEP_HOURS."""
    from .exports import export_jobs_purge

    return export_jobs_purge()
