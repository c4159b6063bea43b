"""Existing scans become StoredFile rows (their bytes stay where they are; the name is kept for download)."""

import hashlib
import mimetypes
from pathlib import PurePath

from django.core.files.storage import default_storage
from django.db import migrations

FIELDS = [
    # (model, old file field, new foreign key)
    ("TrainingCourse", "certificate", "certificate_file"),
    ("HistoricalTrainingCourse", "certificate", "certificate_file"),
    ("Achievement", "document", "document_file"),
    ("HistoricalAchievement", "document", "document_file"),
    ("ChangeRequest", "evidence", "evidence_file"),
]


def copy_files(apps, schema_editor):
    StoredFile = apps.get_model("rmo_portal", "StoredFile")
    made: dict[str, int] = {}

    def stored_for(path: str) -> int:
        if path not in made:
            size, digest = 0, ""
            if default_storage.exists(path):
                with default_storage.open(path, "rb") as handle:
                    content = handle.read()
                size, digest = len(content), hashlib.sha256(content).hexdigest()
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            made[path] = StoredFile.objects.create(
                file=path, original_name=PurePath(path).name, content_type=content_type, size=size, sha256=digest
            ).pk
        return made[path]

    for model_name, old, new in FIELDS:
        model = apps.get_model("members", model_name)
        pk = "history_id" if model_name.startswith("Historical") else "pk"
        for row_pk, path in model.objects.exclude(**{old: ""}).values_list(pk, old):
            model.objects.filter(**{pk: row_pk}).update(**{f"{new}_id": stored_for(path)})


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0004_stored_files_add"),
        ("rmo_portal", "0002_stored_file"),
    ]

    operations = [migrations.RunPython(copy_files, migrations.RunPython.noop)]
