from django.db import migrations

RENAMES = [
    ("trainingcourse", "certificate"),
    ("historicaltrainingcourse", "certificate"),
    ("achievement", "document"),
    ("historicalachievement", "document"),
    ("changerequest", "evidence"),
]


class Migration(migrations.Migration):
    dependencies = [("members", "0005_stored_files_copy")]

    operations = [
        op
        for model, field in RENAMES
        for op in (
            migrations.RemoveField(model_name=model, name=field),
            migrations.RenameField(model_name=model, old_name=f"{field}_file", new_name=field),
        )
    ]
