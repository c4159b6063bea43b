from django.db import migrations

# The same expression as TeacherQuerySet.with_schedule_facts() writes, so that PostgreSQL's planner matches it:
# the attestation schedule reads its first page and its counts from the index, not from every teacher.
NEXT_ATTESTATION = (
    'COALESCE("next_attestation_year_set", '
    '(EXTRACT(YEAR FROM COALESCE("last_attestation_on", "category_assigned_on")) + 5))'
)


def index_create(apps, schema_editor):
    """PostgreSQL only (like the trigram index of 0011): SQLite computes the year with a Python function."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS teacher_next_attestation ON members_teacher (({NEXT_ATTESTATION}))"
        )


def index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS teacher_next_attestation")


class Migration(migrations.Migration):
    dependencies = [("members", "0012_user_role_sort_key")]

    operations = [migrations.RunPython(index_create, index_drop)]
