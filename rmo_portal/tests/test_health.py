import datetime

import pytest
from django.utils import timezone

from rmo_portal.services import broker_check, heartbeat_record

pytestmark = pytest.mark.django_db


def test_healthz_is_green_when_database_broker_and_beat_are_fine(client):
    heartbeat_record()
    response = client.get("/healthz")
    data = response.json()
    assert response.status_code == 200, data
    assert data["ok"] is True
    assert data["database"]["ok"] and data["broker"]["ok"] and data["beat"]["ok"]
    assert data["beat"]["last_tick"]


def test_healthz_is_503_before_the_first_beat_tick(client):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"] == {"ok": False, "last_tick": None, "error": "планировщик ещё не присылал сигнала"}


def test_healthz_is_503_when_the_last_tick_is_stale(client, settings):
    settings.HEALTH_BEAT_MAX_AGE = 300
    heartbeat_record(now=timezone.now() - datetime.timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["beat"]["ok"] is False
    assert response.json()["database"]["ok"] is True


def test_unreachable_broker_is_reported_not_raised():
    result = broker_check(url="redis://127.0.0.1:1/0")
    assert result["ok"] is False
    assert result["error"]
