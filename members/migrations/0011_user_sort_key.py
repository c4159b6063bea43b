from django.db import migrations, models

from rmo_portal.search import fold


def sort_keys_fill(apps, schema_editor):
    """The key of every existing person, as User.refresh_sort_key() writes it from now on."""
    User = apps.get_model("members", "User")
    batch = []
    for user in User.objects.only("pk", "last_name", "first_name", "patronymic").iterator(chunk_size=2000):
        user.sort_key = fold(" ".join(p for p in (user.last_name, user.first_name, user.patronymic) if p))
        batch.append(user)
        if len(batch) == 2000:
            User.objects.bulk_update(batch, ["sort_key"])
            batch = []
    User.objects.bulk_update(batch, ["sort_key"])


def trigram_index_create(apps, schema_editor):
    """On PostgreSQL the search («%елкина%») is served by a trigram index; SQLite keeps the plain column."""
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS user_sort_key_trgm ON members_user USING gin (sort_key gin_trgm_ops)"
    )


def trigram_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS user_sort_key_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("members", "0010_import_job_overwrite"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="sort_key",
            field=models.CharField(blank=True, editable=False, max_length=500, verbose_name="ключ сортировки и поиска"),
        ),
        migrations.AddIndex(
            model_name="user",
            index=models.Index(fields=["sort_key", "id"], name="user_sort_key"),
        ),
        migrations.RunPython(sort_keys_fill, migrations.RunPython.noop),
        migrations.RunPython(trigram_index_create, trigram_index_drop),
    ]
