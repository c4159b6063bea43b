"""The one transition kernel: a status moves only along the declared moves, with the app's error."""

import pytest

from associations.models import Order
from members.models import ChangeRequest, ImportJob
from rmo_portal import workflow
from rmo_portal.models import ExportJob


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


@pytest.mark.parametrize("model", [Order, ChangeRequest, ImportJob, ExportJob])
def test_every_workflow_model_declares_its_moves_between_its_own_statuses(model):
    statuses = set(model.Status.values)
    assert set(model.TRANSITIONS) == statuses
    assert all(targets <= statuses for targets in map(set, model.TRANSITIONS.values()))
