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


@shared_task(autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=3600, retry_jitter=True, max_retries=8)
def notification_mail(notification_id: int) -> bool:
    """Mail one notification (once: re-checked under a lock); a failure is recorded on the row, then retried."""
    from .notifications import notification_mail_send

    return notification_mail_send(notification_id=notification_id)


@shared_task
def notifications_digest() -> int:
    """The daily digest of held notifications, one letter per person; how many letters went."""
    from .notifications import notifications_digest_send

    return notifications_digest_send()


@shared_task
def backup_nightly() -> str:
    """Back up the database and the files into BACKUP_DIR, then keep only the newest BACKUP_KEEP archives."""
    from .backup import backup_create, backups_rotate

    result = backup_create()
    removed = backups_rotate()
    return f"{result.path.name}; removed {len(removed)}"
