"""The profile's history, read from django-simple-history: who changed what, and when."""

from dataclasses import dataclass
from datetime import datetime

from .models import Achievement, Education, Employment, Teacher, TrainingCourse

ACTIONS = {"+": "добавлено", "~": "изменено", "-": "удалено"}


@dataclass
class HistoryEntry:
    when: datetime
    who: object
    what: str
    action: str
    changes: list[tuple[str, str, str]]


def _label(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name


def _entries(records, model, title) -> list[HistoryEntry]:
    entries = []
    previous_by_id: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        changes = []
        previous = previous_by_id.get(record.id)
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [(_label(model, c.field), _text(c.old), _text(c.new)) for c in delta.changes]
            if not changes:
                previous_by_id[record.id] = record
                continue
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                what=title(record),
                action=ACTIONS.get(record.history_type, record.history_type),
                changes=changes,
            )
        )
        previous_by_id[record.id] = record
    return entries


def _text(value) -> str:
    if value in (None, ""):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return str(value)


def profile_history(teacher: Teacher) -> list[HistoryEntry]:
    """Every change to the profile and its rows, newest first."""
    sources = [
        (teacher.history.select_related("history_user"), Teacher, lambda r: "Профиль"),
        (
            Employment.history.filter(teacher_id=teacher.pk).select_related("history_user"),
            Employment,
            lambda r: f"Место работы: {r.position}",
        ),
        (
            Education.history.filter(teacher_id=teacher.pk).select_related("history_user"),
            Education,
            lambda r: f"Образование: {r.institution}",
        ),
        (
            TrainingCourse.history.filter(teacher_id=teacher.pk).select_related("history_user"),
            TrainingCourse,
            lambda r: f"Курс: {r.topic}",
        ),
        (
            Achievement.history.filter(teacher_id=teacher.pk).select_related("history_user"),
            Achievement,
            lambda r: f"Достижение: {r.title}",
        ),
    ]
    entries: list[HistoryEntry] = []
    for records, model, title in sources:
        entries.extend(_entries(list(records), model, title))
    return sorted(entries, key=lambda e: e.when, reverse=True)
