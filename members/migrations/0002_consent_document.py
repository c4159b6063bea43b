import datetime

from django.db import migrations

from members.consent_text import TEXT, TITLE, VERSION




def create(apps, schema_editor):
    ConsentDocument = apps.get_model("members", "ConsentDocument")
    ConsentDocument.objects.get_or_create(
        version=VERSION,
        defaults={
            "title": TITLE,
            "text": TEXT,
            "published_on": datetime.date(2026, 9, 1),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("members", "0001_initial")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
