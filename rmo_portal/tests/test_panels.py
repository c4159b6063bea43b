"""The start-page panel registry: apps register panels; a page shows those the user may see, in order."""

import datetime

import pytest
from django.test import RequestFactory

from members.tests.factories import UserFactory, methodist
from rmo_portal import panels

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 24)


@pytest.fixture
def registry(monkeypatch):
    """An empty registry for the test; the apps' own panels come back after it."""
    monkeypatch.setattr(panels, "_panels", {page: {} for page in panels.PAGES})


def _request(user):
    request = RequestFactory().get("/start/")
    request.user = user
    return request


def test_panels_come_in_their_order_whatever_the_order_of_registration(registry):
    panels.register("teacher", key="late", template="late.html", order=30)
    panels.register("teacher", key="early", template="early.html", order=10)
    shown = panels.shown_panels("teacher", _request(UserFactory()), TODAY)
    assert [p.key for p in shown] == ["early", "late"]


def test_a_panel_needs_its_permission(registry):
    panels.register("teacher", key="service", template="s.html", permission="members.view_district", order=1)
    panels.register("teacher", key="everyone", template="e.html", order=2)
    assert [p.key for p in panels.shown_panels("teacher", _request(UserFactory()), TODAY)] == ["everyone"]
    assert [p.key for p in panels.shown_panels("teacher", _request(methodist()), TODAY)] == ["service", "everyone"]


def test_a_panel_gets_the_request_and_the_day_and_hides_when_it_has_nothing(registry):
    seen = []

    def context(request, today):
        seen.append((request.user.username, today))
        return {"n": 3}

    panels.register("teacher", key="some", template="s.html", context=context)
    panels.register("teacher", key="nothing", template="n.html", context=lambda request, today: None)
    user = UserFactory(username="elkina")
    shown = panels.shown_panels("teacher", _request(user), TODAY)
    assert [(p.key, p.context) for p in shown] == [("some", {"n": 3})]
    assert seen == [("elkina", TODAY)]


def test_registering_a_key_again_replaces_it_and_one_call_can_serve_several_pages(registry):
    panels.register(("teacher", "secretary"), key="k", template="old.html")
    panels.register("teacher", key="k", template="new.html")
    assert [p.template for p in panels.panels_of("teacher")] == ["new.html"]
    assert [p.template for p in panels.panels_of("secretary")] == ["old.html"]


def test_an_unknown_page_is_refused(registry):
    with pytest.raises(ValueError, match="Unknown start page"):
        panels.register("nowhere", key="k", template="k.html")


def test_the_apps_register_their_panels_on_every_start_page():
    keys = {page: [p.key for p in panels.panels_of(page)] for page in panels.PAGES}
    assert keys["head"][0] == "orders_to_sign"
    assert keys["leader"][:3] == ["review_waiting", "led_associations", "deadlines"]
    assert {"own_confirmation", "returned_requests", "pending_requests", "my_associations"} <= set(keys["teacher"])
    assert {"my_associations", "returned_requests"} <= set(keys["secretary"])
    assert {"review_waiting", "orders_in_hand", "curated", "refresh_shares"} <= set(keys["methodist"])
    assert {"counts", "system_health"} <= set(keys["admin"])
    assert keys["home"] == ["district"]
