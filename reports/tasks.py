from celery import shared_task

from .services import filings_publish_due


@shared_task
def publish_documents(today: str | None = None) -> int:
    """Publish the accepted documents whose publication day has come; returns how many were published."""
    import datetime

    return filings_publish_due(today=datetime.date.fromisoformat(today) if today else None)
