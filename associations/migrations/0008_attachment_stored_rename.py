import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("associations", "0007_attachment_stored_copy")]

    operations = [
        migrations.RemoveField(model_name="orderattachment", name="file"),
        migrations.RenameField(model_name="orderattachment", old_name="stored", new_name="file"),
        migrations.AlterField(
            model_name="orderattachment",
            name="file",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rmo_portal.storedfile",
                verbose_name="файл",
            ),
        ),
    ]
