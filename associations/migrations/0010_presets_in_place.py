"""The presets checked against the seeds clause by clause: which year each document covers, assumed dates,
periods for doing, the right clauses; rules updated in place."""

from django.db import migrations

from associations.presets import presets_load


def load(apps, schema_editor):
    presets_load(apps)


class Migration(migrations.Migration):
    dependencies = [("associations", "0009_calendar_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
