"""Obligations follow their association: editing the regulation in the admin, moving the association to another
regulation, an order that creates or dissolves an association recompute the open obligations at once (after the
commit, through rmo_portal.changes), never touching fulfilled ones; the day's reminders go with it, once."""

from html.parser import HTMLParser

import pytest
import time_machine
from django.apps import apps
from django.urls import reverse

from associations.models import Association, DocumentRule, Order, Regulation
from associations.presets import presets_load
from associations.services import order_sign, order_submit, orders_apply_due
from meetings.models import Meeting
from meetings.tests.factories import MeetingFactory
from members.models import Role, User
from members.tests.factories import methodist, portal_admin
from reports.models import Obligation, Reminder
from reports.tests.test_deadlines import D, at, sweep
from rmo_portal import changes
from rmo_portal.workflow import history_of

pytestmark = pytest.mark.django_db


class FormFields(HTMLParser):
    """The fields a browser would send from the page's forms: inputs, checked boxes, selected options, textareas."""

    def __init__(self):
        super().__init__()
        self.data: dict[str, object] = {}
        self._select = self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio"):
                if "checked" in a:
                    self.data[name] = a.get("value", "on")
            else:
                self.data[name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select] = a.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data


def admin_form(client, url: str) -> dict:
    parser = FormFields()
    parser.feed(client.get(url).content.decode())
    return {k: v for k, v in parser.data.items() if v is not None}


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` the changes inside commit as in production: what waits for the commit (the
    announcements and their recomputation) runs when the block ends."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def admin_client(client):
    client.force_login(portal_admin(username="admin"))
    return client


def test_editing_the_regulation_in_the_admin_moves_open_dates_and_keeps_fulfilled_ones(
    pechora, admin_client, committed
):
    association = pechora["association"]
    MeetingFactory(association=association, academic_year=2026, starts_at=at(D(2026, 10, 5), 15),
                   status=Meeting.Status.HELD)  # fmt: skip
    sweep(D(2026, 10, 6))
    held = Obligation.objects.get(kind="meeting", period_key="2026-term-1")
    assert held.status == Obligation.Status.FULFILLED_ON_TIME
    report = Obligation.objects.get(document="annual_report")
    assert report.due == D(2027, 6, 10)
    regulation = association.regulation
    url = reverse("admin:associations_regulation_change", args=[regulation.pk])
    rule = DocumentRule.objects.get(regulation=regulation, document="annual_report")
    with time_machine.travel(at(D(2026, 10, 7)), tick=False):
        data = admin_form(admin_client, url)
        prefix = next(k for k, v in data.items() if k.endswith("-id") and v == str(rule.pk)).removesuffix("-id")
        data[f"{prefix}-day"] = "20"
        # The terms' rule is deleted: the open terms' obligations go, the held one stays fulfilled.
        meeting_rule = regulation.meeting_rules.get()
        meeting_prefix = next(
            k for k, v in data.items() if k.endswith("-id") and v == str(meeting_rule.pk) and k.startswith("meeting")
        ).removesuffix("-id")
        data[f"{meeting_prefix}-DELETE"] = "on"
        with committed():
            page = admin_client.post(url, data)
    assert page.status_code == 302, page.content.decode()[:3000]
    report.refresh_from_db()
    assert report.due == D(2027, 6, 20)
    held.refresh_from_db()
    assert held.status == Obligation.Status.FULFILLED_ON_TIME
    terms = Obligation.objects.filter(kind="meeting").exclude(pk=held.pk)
    assert terms and all(o.status == Obligation.Status.WAIVED for o in terms)
    assert history_of(terms[0])[-1].comment == "Правило положения больше не действует для объединения."
    # The day's letters go with the recomputation; the next sweep of the same day sends nothing again.
    made = Reminder.objects.count()
    assert sweep(D(2026, 10, 7))["reminders"] == {} and Reminder.objects.count() == made


def test_moving_the_association_to_another_regulation_gives_that_regulations_obligations(
    pechora, admin_client, committed
):
    association = pechora["association"]
    sweep(D(2026, 9, 2))
    assert Obligation.objects.filter(kind="meeting", period_key__contains="term").count() == 4
    vilyuisk_rules = Regulation.objects.get(code="vilyuisk-umo")
    url = reverse("admin:associations_association_change", args=[association.pk])
    with time_machine.travel(at(D(2026, 9, 3)), tick=False):
        data = admin_form(admin_client, url)
        data["regulation"] = str(vilyuisk_rules.pk)
        with committed():
            assert admin_client.post(url, data).status_code == 302
    open_meetings = Obligation.objects.open().filter(kind="meeting")
    assert sorted(o.period_key for o in open_meetings) == ["2026-half_year-1", "2026-half_year-2"]
    assert Obligation.objects.open().filter(kind="database").exists()  # Вилюйский: the database by 25 September


def test_an_order_creating_an_association_gives_it_its_obligations_the_day_it_takes_effect(head, committed):
    presets_load(apps)
    drafter = methodist(username="drafter")
    regulation = Regulation.objects.get(code="pechora-rmo")
    with time_machine.travel(at(D(2026, 9, 1)), tick=False):
        order = Order.objects.create(
            kind=Order.Kind.CREATE_ASSOCIATION, title="О создании РМО учителей музыки", drafted_by=drafter,
            new_name="РМО учителей музыки", new_regulation=regulation, effective_date=D(2026, 9, 10),
        )  # fmt: skip
        order_submit(order=order, by=drafter)
        order_sign(order=order, by=head, today=D(2026, 9, 1))
    assert not Obligation.objects.exists()
    with time_machine.travel(at(D(2026, 9, 10), 6), tick=False), committed():
        orders_apply_due(today=D(2026, 9, 10))
    association = Association.objects.get(name="РМО учителей музыки")
    assert Obligation.objects.filter(association=association, kind="meeting").count() == 4
    assert Obligation.objects.get(association=association, document="work_plan").due == D(2026, 9, 15)


def test_a_dissolving_order_waives_the_open_obligations_and_keeps_the_fulfilled(pechora, committed):
    association = pechora["association"]
    MeetingFactory(association=association, academic_year=2026, starts_at=at(D(2026, 10, 5), 15),
                   status=Meeting.Status.HELD)  # fmt: skip
    sweep(D(2026, 10, 6))
    drafter = pechora["curator"]
    chief = User.objects.get(role=Role.DISTRICT_HEAD)
    with time_machine.travel(at(D(2026, 10, 7)), tick=False):
        order = Order.objects.create(kind=Order.Kind.DISSOLVE_ASSOCIATION, title="Об упразднении",
                                     drafted_by=drafter, association=association,
                                     effective_date=D(2026, 10, 8))  # fmt: skip
        order_submit(order=order, by=drafter)
        order_sign(order=order, by=chief, today=D(2026, 10, 7))
    with time_machine.travel(at(D(2026, 10, 8), 6), tick=False), committed():
        orders_apply_due(today=D(2026, 10, 8))
    assert not Obligation.objects.open().exists()
    assert Obligation.objects.get(period_key="2026-term-1").status == Obligation.Status.FULFILLED_ON_TIME
    assert Obligation.objects.filter(status=Obligation.Status.WAIVED).count() >= 4


def test_an_announcement_reaches_the_listener_only_after_commit(django_capture_on_commit_callbacks):
    heard = []

    def listener(*, ids):
        heard.append(ids)

    changes.listen("associations", listener)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            changes.announce("associations", ids=[3, 1, 3, None])
        assert heard == [] and callbacks
        for callback in callbacks:
            callback()
        assert [3, 1] not in heard and [1, 3] in heard
    finally:
        changes._LISTENERS["associations"].remove(listener)
    with pytest.raises(ValueError):
        changes.announce("nobody", ids=[1])


def test_the_reports_listener_is_registered():
    from reports.deadlines import obligations_recompute

    assert obligations_recompute in changes.listeners_of("associations")


def test_an_association_created_in_november_owes_nothing_due_before_it_existed(head, committed):
    presets_load(apps)
    drafter = methodist(username="drafter")
    regulation = Regulation.objects.get(code="pechora-rmo")
    with time_machine.travel(at(D(2026, 11, 4)), tick=False):
        order = Order.objects.create(
            kind=Order.Kind.CREATE_ASSOCIATION, title="О создании РМО учителей ОБЖ", drafted_by=drafter,
            new_name="РМО учителей ОБЖ", new_regulation=regulation, effective_date=D(2026, 11, 4),
        )  # fmt: skip
        order_submit(order=order, by=drafter)
        with committed():
            order_sign(order=order, by=head, today=D(2026, 11, 4))
    association = Association.objects.get(name="РМО учителей ОБЖ")
    meetings = Obligation.objects.filter(association=association, kind="meeting")
    periods = sorted(meetings.values_list("period_key", flat=True))
    assert periods == ["2026-term-2", "2026-term-3", "2026-term-4"]  # the first term ended on 31 October
    assert not Obligation.objects.filter(association=association, document="work_plan", due__lt=D(2026, 11, 4))
    assert not Reminder.objects.filter(obligation__association=association, step__in=["methodist", "head"]).exists()
