import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("members", "0006_stored_files_rename")]

    operations = [
        migrations.RenameModel(old_name="ProfileView", new_name="AccessLog"),
        migrations.AlterModelOptions(
            name="accesslog",
            options={
                "ordering": ["-viewed_at", "-pk"],
                "verbose_name": "запись журнала доступа к ПДн",
                "verbose_name_plural": "журнал доступа к ПДн",
            },
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="teacher",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="access_log",
                to="members.teacher",
                verbose_name="педагог",
            ),
        ),
        migrations.AlterField(
            model_name="accesslog",
            name="viewer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="members.user",
                verbose_name="кто",
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="action",
            field=models.CharField(
                choices=[
                    ("profile", "открыл(а) профиль"),
                    ("history", "открыл(а) историю изменений"),
                    ("file", "открыл(а) скан документа"),
                    ("review", "открыл(а) запрос на изменение профиля"),
                    ("export", "выгрузил(а) список"),
                ],
                default="profile",
                max_length=20,
                verbose_name="что сделал(а)",
            ),
        ),
        migrations.AddField(
            model_name="accesslog",
            name="detail",
            field=models.CharField(blank=True, max_length=500, verbose_name="подробности"),
        ),
        migrations.AddConstraint(
            model_name="accesslog",
            constraint=models.CheckConstraint(
                condition=models.Q(("action__in", ["profile", "history", "file", "review", "export"])),
                name="access_log_action_valid",
            ),
        ),
    ]
