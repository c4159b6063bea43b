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
