"""The profile's history, read from django-simple-history: who changed what, and when."""

import datetime
from dataclasses import dataclass

from django.db import models

from .models import Achievement, Education, Employment, Teacher, TrainingCourse, User

ACTIONS = {"+": "добавлено", "~": "изменено", "-": "удалено"}


@dataclass
class HistoryEntry:
    when: datetime.datetime
    who: object
    what: str
    action: str
    changes: list[tuple[str, str, str]]


def _label(model, field_name: str) -> str:
    try:
        return str(model._meta.get_field(field_name).verbose_name)
    except Exception:
        return field_name


def _entries(records, model, title, *, names: "_Names", fields: list[str] | None = None) -> list[HistoryEntry]:
    entries = []
    previous_by_id: dict = {}
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        changes = []
        previous = previous_by_id.get(record.id)
        if fields is not None and previous is None:
            previous_by_id[record.id] = record  # the account before any change: nothing to compare with
            continue
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous, included_fields=fields)
            changes = [
                (_label(model, c.field), names.text(model, c.field, c.old), names.text(model, c.field, c.new))
                for c in delta.changes
            ]
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


class _Names:
    """Turns stored values into what a person reads: labels of choices, names of related rows, dates.

    Related rows are looked up once per model, however many history rows name them.
    """

    def __init__(self):
        self._related: dict = {}

    def _name(self, related_model, pk) -> str:
        if related_model not in self._related:
            self._related[related_model] = {}
        known = self._related[related_model]
        if pk not in known:
            row = related_model._default_manager.filter(pk=pk).first()
            known[pk] = str(row) if row is not None else "удалено"
        return known[pk]

    def text(self, model, field_name: str, value) -> str:
        try:
            field = model._meta.get_field(field_name)
        except Exception:
            field = None
        if isinstance(field, models.ManyToManyField):
            # simple-history keeps m2m rows as [{"teacher": 3, "subject": 1}, …]
            target = field.m2m_reverse_field_name()
            names = sorted(self._name(field.related_model, row.get(target)) for row in value or [])
            return ", ".join(names) or "—"
        if value in (None, ""):
            return "—"
        if isinstance(field, models.ForeignKey):
            return self._name(field.related_model, value)
        if field is not None and field.choices:
            return str(dict(field.flatchoices).get(value, value))
        if isinstance(value, bool):
            return "да" if value else "нет"
        if isinstance(value, datetime.datetime):
            return f"{value:%d.%m.%Y %H:%M}"
        if isinstance(value, datetime.date):
            return f"{value:%d.%m.%Y}"
        return str(value)


# What of the account belongs to the profile's history: the name and the e-mail (a password never).
USER_FIELDS = ["last_name", "first_name", "patronymic", "email"]


def profile_history(teacher: Teacher) -> list[HistoryEntry]:
    """Every change to the profile and its rows, newest first."""
    names = _Names()
    sources = [
        (teacher.history.select_related("history_user"), Teacher, lambda r: "Профиль"),
        (
            Employment.history.filter(teacher_id=teacher.pk).select_related("history_user"),
            Employment,
            lambda r: f"Место работы: {names.text(Employment, 'school', r.school_id)}, {r.position}",
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
        entries.extend(_entries(list(records), model, title, names=names))
    account = User.history.filter(id=teacher.user_id).select_related("history_user")
    entries.extend(_entries(list(account), User, lambda r: "Учётная запись", names=names, fields=USER_FIELDS))
    return sorted(entries, key=lambda e: e.when, reverse=True)
