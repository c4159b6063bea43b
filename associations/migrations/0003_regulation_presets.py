from django.db import migrations

from associations.migrations._presets_v1 import presets_load


def load(apps, schema_editor):
    presets_load(apps)


class Migration(migrations.Migration):
    dependencies = [("associations", "0002_regulation_rules")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
