"""What a person reads in an order's history: status labels, never the stored codes."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.urls import reverse

from associations.models import Order
from associations.services import order_return, order_submit
from members.tests.factories import district_head, methodist
from rmo_portal.models import StatusChange

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 3, 10, 11, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))


@time_machine.travel(NOW, tick=False)
def test_order_history_names_statuses_in_russian(client):
    drafter, head = methodist(username="m"), district_head(username="h")
    order = Order.objects.create(
        kind=Order.Kind.OTHER, title="О методической неделе", text="Провести неделю.",
        effective_date=datetime.date(2027, 4, 1), drafted_by=drafter,
    )  # fmt: skip
    order_submit(order=order, by=drafter)
    order_return(order=order, by=head, comment="Уточнить даты")
    client.force_login(head)
    page = client.get(reverse("associations:order_detail", args=[order.pk])).content.decode()
    assert "«Проект» → «На подписи»" in page
    assert "«На подписи» → «Возвращён на доработку» — «Уточнить даты»" in page
    for code in (": awaiting", ": returned", "draft →", "awaiting →"):
        assert code not in page
    assert str(StatusChange.objects.last()).endswith("На подписи → Возвращён на доработку")
