"""The one transition kernel: a status moves only along the declared moves, with the app's error."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.template import Context, Template

from associations.models import Order
from meetings.models import Meeting, Protocol, Schedule
from members.models import ChangeRequest, ImportJob
from members.tests.factories import district_head, methodist
from rmo_portal import workflow
from rmo_portal.models import ExportJob, StatusChange


class Refused(Exception):
    pass


def test_a_declared_move_sets_the_status_and_returns_the_old_one():
    order = Order(status=Order.Status.DRAFT)
    assert workflow.move(order, Order.Status.AWAITING) == Order.Status.DRAFT
    assert order.status == Order.Status.AWAITING


def test_an_undeclared_move_is_refused_with_the_apps_error_and_a_russian_message():
    order = Order(status=Order.Status.REVOKED)
    with pytest.raises(Refused, match="Нельзя перевести из состояния «Отменён» в «Подписан»"):
        workflow.move(order, Order.Status.SIGNED, error=Refused)
    assert order.status == Order.Status.REVOKED


@pytest.mark.parametrize("model", [Order, Protocol, Meeting, Schedule, ChangeRequest, ImportJob, ExportJob])
def test_every_workflow_model_declares_its_moves_between_its_own_statuses(model):
    statuses = set(model.Status.values)
    assert set(model.TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in map(set, model.TRANSITIONS.values()))
    assert set(getattr(model, "STATUS_BADGE", {})) <= statuses


# --- transition(): check, save, record, notify after commit --------------------------------------------------

NOW = datetime.datetime(2027, 3, 10, 11, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def order(db):
    return Order.objects.create(
        kind=Order.Kind.OTHER, title="О методической неделе", text="Провести неделю.",
        effective_date=datetime.date(2027, 4, 1), drafted_by=methodist(username="drafter"),
    )  # fmt: skip


@pytest.fixture
def heard(monkeypatch):
    """A notifier of orders in place of the app's own, recording what it was called with."""
    calls = []
    monkeypatch.setitem(workflow._NOTIFIERS, "associations.order", [lambda *args: calls.append(args)])
    return calls


def test_transition_saves_records_and_notifies_after_commit(frozen, order, heard, django_capture_on_commit_callbacks):
    head = district_head(username="head")
    with django_capture_on_commit_callbacks() as callbacks:
        old = workflow.transition(
            order, Order.Status.AWAITING, by=head, comment="Срочно", extra_fields={"title": "О неделе"}
        )
    assert old == Order.Status.DRAFT
    saved = Order.objects.get(pk=order.pk)
    assert (saved.status, saved.title) == (Order.Status.AWAITING, "О неделе")
    change = StatusChange.objects.get()
    assert (change.content_object, change.by, change.from_status, change.to_status, change.comment) == (
        saved,
        head,
        "draft",
        "awaiting",
        "Срочно",
    )
    assert change.at == NOW
    assert heard == [] and len(callbacks) == 1  # nothing is sent before the commit
    callbacks[0]()
    assert heard == [(order, "draft", "awaiting", head, "Срочно")]


def test_transition_saves_the_fields_the_caller_set(order):
    order.text = "Провести неделю в апреле."
    workflow.transition(order, Order.Status.AWAITING, by=None, save_fields=["text"])
    assert Order.objects.get(pk=order.pk).text == "Провести неделю в апреле."


def test_a_refused_transition_raises_the_russian_message_and_writes_nothing(
    order, heard, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(Refused, match="Нельзя перевести из состояния «Проект» в «Подписан»"),
    ):
        workflow.transition(order, Order.Status.SIGNED, by=None, error=Refused, extra_fields={"title": "—"})
    assert order.status == Order.Status.DRAFT and order.title == "О методической неделе"
    assert Order.objects.get(pk=order.pk).status == Order.Status.DRAFT
    assert not StatusChange.objects.exists() and callbacks == [] and heard == []


def test_the_apps_domain_errors_are_transition_refused():
    from associations.services import WorkflowError
    from meetings.services import MeetingError
    from members.services import ProfileError

    assert all(issubclass(e, workflow.TransitionRefused) for e in (WorkflowError, MeetingError, ProfileError))


def test_history_of_lists_the_moves_in_order_with_russian_labels(order):
    head = district_head(username="head")
    with time_machine.travel(NOW, tick=False):
        workflow.transition(order, Order.Status.AWAITING, by=order.drafted_by)
    with time_machine.travel(NOW + datetime.timedelta(hours=1), tick=False):
        workflow.transition(order, Order.Status.RETURNED, by=head, comment="Уточнить даты")
    other = Order.objects.create(
        kind=Order.Kind.OTHER, title="Другой", text="—", effective_date=NOW.date(), drafted_by=order.drafted_by
    )
    workflow.transition(other, Order.Status.AWAITING, by=None)
    history = workflow.history_of(order)
    assert [(c.from_status_label, c.to_status_label, c.comment) for c in history] == [
        ("Проект", "На подписи", ""),
        ("На подписи", "Возвращён на доработку", "Уточнить даты"),
    ]
    assert history[1].by == head and history[0].at < history[1].at


def test_registering_a_notifier_twice_calls_it_once(monkeypatch):
    monkeypatch.setattr(workflow, "_NOTIFIERS", {})

    def fn(*args):
        pass

    workflow.register_notifier(Order, fn)
    workflow.register_notifier("associations.Order", fn)
    assert workflow.notifiers_of(Order) == [fn]


@pytest.mark.parametrize(
    "status, colour, label",
    [("signed", "success", "Подписан"), ("awaiting", "warning", "На подписи"), ("returned", "danger", "Возвращён на "
     "доработку"), ("draft", "secondary", "Проект"), ("revoked", "secondary", "Отменён")],
)  # fmt: skip
def test_status_badge_takes_its_colour_from_the_model_and_its_label_from_the_status(status, colour, label):
    html = Template("{% status_badge order %}").render(Context({"order": Order(status=status)}))
    assert html == f'<span class="badge text-bg-{colour}">{label}</span>'


def test_status_badge_of_a_meeting_keeps_its_blue_for_planned():
    html = Template("{% status_badge m %}").render(Context({"m": Meeting(status="planned")}))
    assert html == '<span class="badge text-bg-primary">Запланировано</span>'
