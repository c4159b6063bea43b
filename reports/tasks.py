import datetime

from celery import shared_task

from .services import filings_publish_due


@shared_task
def publish_documents(today: str | None = None) -> int:
    """Publish the accepted documents whose publication day has come; returns how many were published."""
    return filings_publish_due(today=datetime.date.fromisoformat(today) if today else None)


@shared_task
def sweep_deadlines(today: str | None = None) -> dict:
    """The daily deadline sweep (reports.deadlines.deadlines_sweep) for a day (default: today); its summary."""
    from .deadlines import deadlines_sweep

    return deadlines_sweep(today=datetime.date.fromisoformat(today) if today else None)


@shared_task
def recompute_obligations(association_ids: list[int]) -> dict:
    """Recompute some associations' obligations after a change (rmo_portal.changes): the day's sweep limited to
    them, so a new association's first reminders go the same day (the next morning's sweep finds them sent)."""
    from .deadlines import deadlines_sweep

    return deadlines_sweep(association_ids=association_ids)


@shared_task(autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=3600, retry_jitter=True, max_retries=8)
def send_reminder(reminder_id: int) -> bool:
    """Turn one reminder into a notification (once: re-checked under a lock); its letter and a failed letter are
    the notification's (rmo_portal.tasks.notification_mail). A failure here (the database) is retried."""
    from .deadlines import reminder_send

    return reminder_send(reminder_id=reminder_id)
