"""An order's history moves from OrderEvent to the portal's one StatusChange table (rmo_portal.workflow)."""

from django.db import migrations

from rmo_portal.migrations._history import move_history


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0013_order_origin"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("rmo_portal", "0006_status_change"),
    ]

    operations = [move_history(event_model="associations.OrderEvent", fk="order", target="associations.order")]
