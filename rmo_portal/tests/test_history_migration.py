"""The data migrations that moved the apps' own history tables (OrderEvent, ProtocolEvent) into StatusChange:
run backwards and forwards on the real schema, the rows and their times survive both ways."""

import datetime
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from associations.models import Order
from members.tests.factories import district_head, methodist
from rmo_portal.models import StatusChange

BEFORE = [("associations", "0013_order_origin")]
AT = datetime.datetime(2025, 1, 20, 9, 30, tzinfo=zoneinfo.ZoneInfo("UTC"))


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.django_db(transaction=True)
def test_order_events_move_into_status_changes_and_back():
    drafter, head = methodist(username="drafter"), district_head(username="head")
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        old_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
        OldOrder, OrderEvent = (
            old_apps.get_model("associations", "Order"),
            old_apps.get_model("associations", "OrderEvent"),
        )
        order = OldOrder.objects.create(
            kind="other", title="О неделе", text="—", effective_date=datetime.date(2025, 2, 1),
            drafted_by_id=drafter.pk, status="returned",
        )  # fmt: skip
        for minutes, (by, old, new, comment) in enumerate(
            [(drafter, "draft", "awaiting", ""), (head, "awaiting", "returned", "Уточнить даты")]
        ):
            event = OrderEvent.objects.create(order=order, by_id=by.pk, from_status=old, to_status=new, comment=comment)
            OrderEvent.objects.filter(pk=event.pk).update(at=AT + datetime.timedelta(minutes=minutes))

        _migrate(latest)
        rows = StatusChange.objects.filter(content_type=ContentType.objects.get_for_model(Order), object_id=order.pk)
        assert [(r.at, r.by_id, r.from_status, r.to_status, r.comment) for r in rows.order_by("at")] == [
            (AT, drafter.pk, "draft", "awaiting", ""),
            (AT + datetime.timedelta(minutes=1), head.pk, "awaiting", "returned", "Уточнить даты"),
        ]
        assert [c.to_status_label for c in Order.objects.get(pk=order.pk).status_changes.all()] == [
            "На подписи", "Возвращён на доработку"
        ]  # fmt: skip

        old_apps = _migrate(BEFORE).loader.project_state(BEFORE).apps
        OrderEvent = old_apps.get_model("associations", "OrderEvent")
        assert list(OrderEvent.objects.order_by("at").values_list("at", "to_status", "comment")) == [
            (AT, "awaiting", ""),
            (AT + datetime.timedelta(minutes=1), "returned", "Уточнить даты"),
        ]
        assert not StatusChange.objects.exists()
    finally:
        _migrate(latest)
