"""Letters the workflow's notifiers send about orders, after the move commits: returned and signed."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail
from django.test import override_settings

from associations.models import Order
from associations.services import order_return, order_sign, order_submit
from members.tests.factories import district_head, methodist

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 11, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False), override_settings(SITE_URL="https://rmo.example.ru"):
        yield


@pytest.fixture
def order():
    drafter = methodist(username="drafter", email="smirnova@example.ru")
    order = Order.objects.create(
        kind=Order.Kind.OTHER, title="О методической неделе", text="Провести неделю.",
        effective_date=datetime.date(2027, 4, 1), drafted_by=drafter,
    )  # fmt: skip
    return order_submit(order=order, by=drafter)


def test_the_drafter_hears_that_the_head_returned_the_order_with_her_comment(order, django_capture_on_commit_callbacks):
    head = district_head(username="head")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_return(order=order, by=head, comment="Уточнить даты недели")
    assert mail.outbox == []  # nothing before the commit
    # The notifier makes the notification; its letter is queued after that commit in turn.
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    [letter] = mail.outbox
    assert letter.to == ["smirnova@example.ru"]
    assert letter.subject == "Приказ возвращён на доработку: О методической неделе"
    assert f"{head.full_name} возвращает" in letter.body and "Что исправить: Уточнить даты недели" in letter.body
    assert f"https://rmo.example.ru{order.get_absolute_url()}" in letter.body


def test_the_drafter_hears_that_the_order_is_signed_with_its_number_and_date(order, django_capture_on_commit_callbacks):
    head = district_head(username="head")
    with django_capture_on_commit_callbacks(execute=True):
        signed = order_sign(order=order, by=head, today=NOW.date())
    [letter] = mail.outbox
    assert letter.subject == f"Приказ подписан: № {signed.number} от 10 марта 2027 г."
    assert "Вступает в силу 1 апреля 2027 г." in letter.body
    assert f"https://rmo.example.ru{order.get_absolute_url()}" in letter.body
    for code in ("signed", "awaiting"):
        assert code not in letter.body


def test_submitting_sends_no_letter(django_capture_on_commit_callbacks):
    drafter = methodist(username="drafter")
    order = Order.objects.create(
        kind=Order.Kind.OTHER, title="О неделе", text="—", effective_date=NOW.date(), drafted_by=drafter
    )
    with django_capture_on_commit_callbacks(execute=True):
        order_submit(order=order, by=drafter)
    assert mail.outbox == []
