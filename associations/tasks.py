from celery import shared_task

from .services import orders_apply_due


@shared_task
def apply_orders(today: str | None = None) -> int:
    """Apply the orders whose effective date has come; returns how many were applied."""
    import datetime

    return orders_apply_due(today=datetime.date.fromisoformat(today) if today else None)
