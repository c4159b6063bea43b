"""A protocol's history moves from ProtocolEvent to the portal's one StatusChange table (rmo_portal.workflow)."""

from django.db import migrations

from rmo_portal.migrations._history import move_history


class Migration(migrations.Migration):
    dependencies = [
        ("meetings", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("rmo_portal", "0006_status_change"),
    ]

    operations = [move_history(event_model="meetings.ProtocolEvent", fk="protocol", target="meetings.protocol")]
