"""Cross-cutting services of the portal itself: the heartbeat and the health report."""

import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Heartbeat

BEAT = "beat"


def heartbeat_record(*, name: str = BEAT, now: datetime.datetime | None = None) -> datetime.datetime:
    """Store that a scheduled task just ran on a worker."""
    now = now or timezone.now()
    Heartbeat.objects.update_or_create(name=name, defaults={"last_seen": now})
    return now


def health_report(*, now: datetime.datetime | None = None) -> dict:
    """State of the database, the broker and the beat; `ok` only when all three are fine."""
    now = now or timezone.now()
    report = {"database": _check_database(), "broker": broker_check()}
    report["beat"] = _check_beat(now) if report["database"]["ok"] else {"ok": False, "error": "нет базы данных"}
    report["ok"] = all(part["ok"] for part in report.values())
    report["time"] = now.isoformat()
    return report


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is the answer, not a crash
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": True, "vendor": connection.vendor}


def broker_check(*, url: str | None = None) -> dict:
    """Can we reach the Celery broker (the configured one, or `url`)?"""
    from .celery import app

    try:
        with app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
            transport = conn.transport_cls
    except Exception as exc:
        return {"ok": False, "error": str(exc)[:200]}
    return {"ok": True, "transport": str(transport)}


def _check_beat(now: datetime.datetime) -> dict:
    beat = Heartbeat.objects.filter(name=BEAT).first()
    if beat is None:
        return {"ok": False, "last_tick": None, "error": "планировщик ещё не присылал сигнала"}
    age = (now - beat.last_seen).total_seconds()
    result = {
        "ok": age <= settings.HEALTH_BEAT_MAX_AGE,
        "last_tick": beat.last_seen.isoformat(),
        "age_seconds": round(age),
    }
    if not result["ok"]:
        result["error"] = f"последний сигнал старше {settings.HEALTH_BEAT_MAX_AGE} с"
    return result
