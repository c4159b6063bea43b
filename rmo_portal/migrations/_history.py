"""Moving an app's own history table into the one StatusChange table (rmo_portal.workflow); used by the apps'
data migrations. Works on historical models only, in batches, on SQLite and PostgreSQL alike; `at` is kept.

Not a migration itself (the loader skips modules starting with «_»); frozen like one: change it never, copy it.
"""

BATCH = 2000


def _content_type(apps, alias: str, app_label: str, model: str):
    # Content types are made after `migrate` (post_migrate); on a fresh database this runs before that.
    ContentType = apps.get_model("contenttypes", "ContentType")
    return ContentType.objects.using(alias).get_or_create(app_label=app_label, model=model)[0]


def events_to_status_changes(apps, schema_editor, *, event_model: str, fk: str, target: str) -> int:
    """Copy every row of `event_model` («app.Model», fields at, by, from_status, to_status, comment, `fk` → the
    document) into StatusChange for the `target` model («app.model»); returns how many."""
    alias = schema_editor.connection.alias
    Event = apps.get_model(event_model)
    StatusChange = apps.get_model("rmo_portal", "StatusChange")
    ct = _content_type(apps, alias, *target.lower().split("."))
    copied, batch = 0, []
    for e in Event.objects.using(alias).order_by("pk").iterator(chunk_size=BATCH):
        batch.append(
            StatusChange(
                content_type_id=ct.pk, object_id=getattr(e, f"{fk}_id"), at=e.at, by_id=e.by_id,
                from_status=e.from_status, to_status=e.to_status, comment=e.comment,
            )
        )  # fmt: skip
        if len(batch) >= BATCH:
            StatusChange.objects.using(alias).bulk_create(batch)
            copied, batch = copied + len(batch), []
    StatusChange.objects.using(alias).bulk_create(batch)
    return copied + len(batch)


def status_changes_to_events(apps, schema_editor, *, event_model: str, fk: str, target: str) -> int:
    """The way back: the target's StatusChange rows become `event_model` rows again (and leave StatusChange)."""
    alias = schema_editor.connection.alias
    Event = apps.get_model(event_model)
    StatusChange = apps.get_model("rmo_portal", "StatusChange")
    ct = _content_type(apps, alias, *target.lower().split("."))
    rows = StatusChange.objects.using(alias).filter(content_type_id=ct.pk).order_by("at", "pk")
    copied = 0
    for change in rows.iterator(chunk_size=BATCH):
        event = Event.objects.using(alias).create(
            **{f"{fk}_id": change.object_id}, by_id=change.by_id, from_status=change.from_status,
            to_status=change.to_status, comment=change.comment,
        )  # fmt: skip
        # The old column is auto_now_add: the time is put back after the insert.
        Event.objects.using(alias).filter(pk=event.pk).update(at=change.at)
        copied += 1
    rows.delete()
    return copied


def move_history(*, event_model: str, fk: str, target: str):
    """The RunPython operation of an app's data migration: its history into StatusChange, and back on reversal."""
    from django.db import migrations

    args = {"event_model": event_model, "fk": fk, "target": target}

    def forwards(apps, schema_editor):
        events_to_status_changes(apps, schema_editor, **args)

    def backwards(apps, schema_editor):
        status_changes_to_events(apps, schema_editor, **args)

    return migrations.RunPython(forwards, backwards, elidable=False)
