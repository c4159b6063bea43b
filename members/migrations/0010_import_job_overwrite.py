from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0009_change_request_thread"),
    ]

    operations = [
        migrations.AddField(
            model_name="importjob",
            name="overwrite_dates",
            field=models.BooleanField(default=False, verbose_name="заменить более новые даты датами из файла"),
        ),
    ]
