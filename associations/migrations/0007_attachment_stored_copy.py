"""Existing order attachments become StoredFile rows (their bytes stay where they are)."""

import hashlib
import mimetypes
from pathlib import PurePath

from django.core.files.storage import default_storage
from django.db import migrations


def copy_files(apps, schema_editor):
    StoredFile = apps.get_model("rmo_portal", "StoredFile")
    OrderAttachment = apps.get_model("associations", "OrderAttachment")
    for attachment in OrderAttachment.objects.all():
        size, digest = 0, ""
        if attachment.file and default_storage.exists(attachment.file.name):
            with default_storage.open(attachment.file.name, "rb") as handle:
                content = handle.read()
            size, digest = len(content), hashlib.sha256(content).hexdigest()
        attachment.stored = StoredFile.objects.create(
            file=attachment.file.name,
            original_name=PurePath(attachment.file.name).name,
            content_type=mimetypes.guess_type(attachment.file.name)[0] or "application/octet-stream",
            size=size,
            sha256=digest,
        )
        attachment.save(update_fields=["stored"])


class Migration(migrations.Migration):
    dependencies = [
        ("associations", "0006_attachment_stored_add"),
        ("rmo_portal", "0002_stored_file"),
    ]

    operations = [migrations.RunPython(copy_files, migrations.RunPython.noop)]
