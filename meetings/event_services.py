"""Writes of the district's events: the event itself, its materials, publication, participants and results.

A participant who is a teacher of the database carries the result to the profile: each such row keeps one
members.Achievement (kind «участие в мероприятии», level district) in step — created, updated when the result
or the event changes, deleted with the row. The organiser's list is the evidence: no change request.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from associations.models import Association, Membership
from members import importer
from members.models import Achievement, Consent, Teacher, User
from rmo_portal import calendar
from rmo_portal.files import stored_file_create, stored_file_delete
from rmo_portal.permissions import allowed
from rmo_portal.search import fold

from .models import Event, EventMaterial, EventParticipant


class EventError(Exception):
    """A refused change of an event; the message is for the user."""


# The fields of an event a form may set (organisers go apart: they are a many-to-many).
EVENT_FIELDS = ("kind", "title", "description", "starts_on", "ends_on", "place", "by_service", "subject")


# --- reads -------------------------------------------------------------------------------------------


def overlapping(queryset: QuerySet, *, start: datetime.date | None, end: datetime.date | None) -> QuerySet:
    """Events that take at least one day between start and end (either bound may be open)."""
    if start is not None:
        queryset = queryset.filter(Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start))
    if end is not None:
        queryset = queryset.filter(starts_on__lte=end)
    return queryset


def events_for_feed(user, *, start: datetime.date, end: datetime.date) -> QuerySet:
    """The events a person's calendar feed carries between start and end: the published ones and, published or
    not, those organised by the associations the person belongs to today."""
    mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
    organised = Event.organisers.through.objects.filter(association__in=mine).values("event")
    scope = Q(published=True) | Q(pk__in=organised)
    return overlapping(Event.objects.filter(scope), start=start, end=end).prefetch_related("organisers")


def publishable_user_ids(user_ids: Iterable[int]) -> set[int]:
    """Of these people, those whose active consent allows their name on open pages (152-ФЗ, ст. 10.1)."""
    return set(
        Consent.objects.filter(user_id__in=set(user_ids), publish_allowed=True, withdrawn_at__isnull=True)
        .values_list("user_id", flat=True)
        .distinct()
    )


def _led(user) -> set[int]:
    return set(
        Association.objects.led_by(user, on=calendar.today()).values_list("pk", flat=True)
        if user.is_authenticated
        else []
    )


def _is_service_editor(user) -> bool:
    """A methodist or an administrator: may organise any event on the service's behalf."""
    return allowed(user, "meetings.manage_event")


# --- the event ---------------------------------------------------------------------------------------


def _check_fields(fields: dict) -> None:
    unknown = set(fields) - set(EVENT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown event fields: {sorted(unknown)}")
    starts_on, ends_on = fields.get("starts_on"), fields.get("ends_on")
    if starts_on and ends_on and ends_on < starts_on:
        raise EventError("Дата окончания раньше даты начала.")


def _check_organisers(*, by, before: set[int], after: set[int], by_service: bool) -> None:
    """A leader organises for the associations they lead: they add or remove only those, keep at least one,
    and do not speak for the methodological service."""
    if _is_service_editor(by):
        if not after and not by_service:
            raise EventError("Укажите организатора: объединение или методическую службу.")
        return
    led = _led(by)
    if by_service:
        raise EventError("От имени методической службы мероприятие заводит методист.")
    if (before ^ after) - led:
        raise EventError("Руководитель указывает организаторами только объединения, которыми руководит.")
    if not after & led:
        raise EventError("Среди организаторов должно быть объединение, которым вы руководите.")


def _achievements_refresh(event: Event) -> None:
    for participant in event.participants.select_related("achievement", "teacher"):
        _achievement_sync(participant, event)


@transaction.atomic
def event_create(*, by: User, organisers: Iterable[Association] = (), **fields) -> Event:
    """Create an event (unpublished). Checks: the right to create events; a leader names only associations they
    lead as organisers; the dates in order."""
    if not allowed(by, "meetings.create_event"):
        raise PermissionDenied
    _check_fields(fields)
    organisers = list(organisers)
    _check_organisers(by=by, before=set(), after={a.pk for a in organisers}, by_service=bool(fields.get("by_service")))
    event = Event.objects.create(created_by=by, published=False, **fields)
    event.organisers.set(organisers)
    return event


@transaction.atomic
def event_update(*, event: Event, by: User, organisers: Iterable[Association] | None = None, **fields) -> Event:
    """Change an event; the achievements of its participants follow a new title or last day."""
    if not allowed(by, "meetings.manage_event", event):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    _check_fields({**{"starts_on": event.starts_on, "ends_on": event.ends_on}, **fields})
    before = set(event.organisers.values_list("pk", flat=True))
    after = before if organisers is None else {a.pk for a in organisers}
    _check_organisers(by=by, before=before, after=after, by_service=fields.get("by_service", event.by_service))
    for name, value in fields.items():
        setattr(event, name, value)
    event.save(update_fields=list(fields) or None)
    if organisers is not None:
        event.organisers.set(list(organisers))
    if {"title", "starts_on", "ends_on"} & set(fields):
        _achievements_refresh(event)
    return event


@transaction.atomic
def event_publish(*, event: Event, by: User) -> Event:
    """Open the event to everyone (the calendar, the public page)."""
    if not allowed(by, "meetings.manage_event", event):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if event.published:
        raise EventError("Мероприятие уже опубликовано.")
    event.published = True
    event.save(update_fields=["published"])
    return event


@transaction.atomic
def event_unpublish(*, event: Event, by: User) -> Event:
    """Take the event off the public calendar; its organisers and the service still see it."""
    if not allowed(by, "meetings.manage_event", event):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    if not event.published:
        raise EventError("Мероприятие и так не опубликовано.")
    event.published = False
    event.save(update_fields=["published"])
    return event


@transaction.atomic
def event_material_add(*, event: Event, upload, title: str = "", by: User) -> EventMaterial:
    """Store a file (checked by content through the files module) as a material of the event."""
    if not allowed(by, "meetings.manage_event", event):
        raise PermissionDenied
    try:
        stored = stored_file_create(upload=upload, use="document", by=by)
    except ValidationError as error:
        raise EventError(" ".join(error.messages)) from error
    return EventMaterial.objects.create(event=event, file=stored, title=title.strip())


@transaction.atomic
def event_material_remove(*, material: EventMaterial, by: User) -> None:
    """Remove a material and its stored file (the bytes go when the transaction commits)."""
    if not allowed(by, "meetings.manage_event", material.event):
        raise PermissionDenied
    stored = material.file
    material.delete()
    stored_file_delete(stored)


# --- participants and results ------------------------------------------------------------------------


@dataclass(frozen=True)
class ParticipantInput:
    """One row of the organiser's list: a name (a teacher of the database is found by it), organisation, result.
    `pk` names an existing row of the event that this one replaces."""

    name: str
    organisation: str = ""
    result: str = EventParticipant.Result.PARTICIPANT
    pk: int | None = None


@dataclass
class ParticipantsSaved:
    """What saving the list did, for the organiser's message."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    unmatched: list[str] = field(default_factory=list)  # names kept as names: no (single) teacher of that name


def name_key(name: str) -> str:
    """A full name as User.sort_key holds it: case and ё aside, single spaces («Ёлкина  анна» → «елкина анна»)."""
    return fold(" ".join(str(name or "").split()))


def teachers_by_name(names: Iterable[str]) -> dict[str, Teacher | None]:
    """Folded full name → the one teacher of that name; None where two or more share it (then nobody is guessed)."""
    keys = {name_key(n) for n in names} - {""}
    found: dict[str, Teacher | None] = {}
    for teacher in Teacher.objects.filter(user__sort_key__in=keys).select_related("user"):
        key = teacher.user.sort_key
        found[key] = None if key in found else teacher
    return found


def _achievement_sync(participant: EventParticipant, event: Event) -> None:
    """Bring the participant's achievement in step with the row: a teacher's row has one, a free name none."""
    achievement = participant.achievement
    if participant.teacher_id is None:
        if achievement is not None:
            participant.achievement = None
            participant.save(update_fields=["achievement"])
            achievement.delete()
        return
    wanted = {
        "teacher_id": participant.teacher_id,
        "kind": Achievement.Kind.EVENT,
        "level": Achievement.Level.DISTRICT,
        "title": event.title[: Achievement._meta.get_field("title").max_length],
        "result": participant.get_result_display(),
        "date": event.last_day,
    }
    if achievement is None:
        participant.achievement = Achievement.objects.create(**wanted)
        participant.save(update_fields=["achievement"])
        return
    changed = [name for name, value in wanted.items() if getattr(achievement, name) != value]
    if changed:
        for name in changed:
            setattr(achievement, name, wanted[name])
        achievement.save(update_fields=changed)


def _participant_delete(participant: EventParticipant) -> None:
    achievement = participant.achievement
    participant.delete()
    if achievement is not None:
        achievement.delete()


def _participants_write(*, event: Event, rows: list[ParticipantInput], remove_missing: bool) -> ParticipantsSaved:
    """Write the rows (matching names to teachers), then delete the rows not given if `remove_missing`."""
    existing = {p.pk: p for p in event.participants.select_related("achievement", "teacher__user")}
    matches = teachers_by_name(r.name for r in rows)
    outcome = ParticipantsSaved()
    seen_teachers: dict[int, str] = {}
    kept: set[int] = set()
    valid_results = set(EventParticipant.Result.values)
    for row in rows:
        name = " ".join(row.name.split())
        if not name:
            raise EventError("В каждой строке нужна фамилия, имя и отчество участника.")
        if row.result not in valid_results:
            raise EventError(f"«{name}»: результат не распознан (участник, призёр или победитель).")
        participant = existing.get(row.pk) if row.pk else None
        if row.pk and participant is None:
            raise EventError("Список изменился, пока вы его правили: откройте страницу заново.")
        if participant is not None and participant.teacher_id and name_key(participant.name) == name_key(name):
            teacher = participant.teacher  # the same person as before, even if a namesake has joined since
        else:
            teacher = matches.get(name_key(name))
        if teacher is not None:
            if teacher.pk in seen_teachers:
                raise EventError(f"«{teacher.user.full_name}» указан(а) в списке дважды.")
            seen_teachers[teacher.pk] = name
            name = teacher.user.full_name
        else:
            outcome.unmatched.append(name)
        organisation = " ".join(row.organisation.split())
        if not organisation and teacher is not None and teacher.main_school is not None:
            organisation = teacher.main_school.short_name or teacher.main_school.name
        values = {"teacher": teacher, "name": name, "organisation": organisation[:300], "result": row.result}
        if participant is None:
            participant = EventParticipant(event=event, **values)
            outcome.created += 1
        else:
            if any(getattr(participant, k) != v for k, v in values.items()):
                outcome.updated += 1
            for key, value in values.items():
                setattr(participant, key, value)
            kept.add(participant.pk)
        participant.save()
        _achievement_sync(participant, event)
    if remove_missing:
        for pk, participant in existing.items():
            if pk not in kept:
                _participant_delete(participant)
                outcome.deleted += 1
    return outcome


@transaction.atomic
def event_participants_save(*, event: Event, rows: list[ParticipantInput], by: User) -> ParticipantsSaved:
    """Replace the event's list of participants with `rows` (the organiser's list on one page).

    Names are matched to teachers of the database (case and ё aside); a name that matches nobody, or several
    people, stays a name. Rows left out are removed with the achievements they gave.
    """
    if not allowed(by, "meetings.manage_event", event):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    return _participants_write(event=event, rows=rows, remove_missing=True)


# --- import from Excel -------------------------------------------------------------------------------

IMPORT_HEADERS = {
    "name": ("фио", "ф и о", "фамилия имя отчество", "участник", "педагог"),
    "organisation": ("организация", "оо", "оу", "образовательная организация", "школа", "место работы"),
    "result": ("результат", "итог", "статус"),
}


def _header_key(cell) -> str:
    return " ".join(re.sub(r"[.,:;()\"'«»№\-]+", " ", fold(str(cell or ""))).split())


def parse_result(value) -> str:
    """«Победитель», «призёр», «1 место», «участник» (or nothing) → the Result value; ValueError otherwise."""
    text = _header_key(value)
    if not text or text.startswith("участ"):
        return EventParticipant.Result.PARTICIPANT
    if text.startswith("побед") or re.match(r"^(1|i)\s*(место)?$", text):
        return EventParticipant.Result.WINNER
    if text.startswith("призер") or re.match(r"^(2|3|ii|iii)\s*(место)?$", text):
        return EventParticipant.Result.PRIZE
    raise ValueError(f"результат «{str(value).strip()}» не распознан (участник, призёр или победитель)")


@dataclass
class ImportedRow:
    number: int
    name: str
    organisation: str = ""
    result: str = EventParticipant.Result.PARTICIPANT
    error: str = ""
    teacher: Teacher | None = None

    @property
    def result_label(self) -> str:
        return EventParticipant.Result(self.result).label


@dataclass
class ParticipantsImported:
    """What an import did: the rows read, what was written, and which names found no teacher."""

    rows: list[ImportedRow]
    saved: ParticipantsSaved

    @property
    def rejected(self) -> list[ImportedRow]:
        return [r for r in self.rows if r.error]

    @property
    def unmatched(self) -> list[ImportedRow]:
        return [r for r in self.rows if not r.error and r.teacher is None]


def participants_read(*, name: str, content: bytes) -> list[ImportedRow]:
    """The rows of a list (columns ФИО, Организация, Результат; a title above the header is skipped)."""
    try:
        table = importer.read_table(name, content)
    except importer.ImportFileError as error:
        raise EventError(str(error)) from error
    header_at, columns = -1, {}
    for index, cells in enumerate(table[:20]):
        found = {}
        for col, cell in enumerate(cells):
            key = _header_key(cell)
            column = next((c for c, spellings in IMPORT_HEADERS.items() if key in spellings), None)
            if column and column not in found.values():
                found[col] = column
        if "name" in found.values() and len(found) > len(columns):
            header_at, columns = index, found
    if header_at < 0:
        raise EventError(
            "Не найдена строка заголовков: нужен столбец «ФИО» (и, если есть, «Организация», «Результат»)."
        )
    rows = []
    for number, cells in enumerate(table[header_at + 1 :], start=header_at + 2):
        raw = {column: cells[col] if col < len(cells) else None for col, column in columns.items()}
        if all(importer.clean_text(v) == "" for v in raw.values()):
            continue
        row = ImportedRow(
            number=number,
            name=importer.clean_text(raw.get("name"))[:300],
            organisation=importer.clean_text(raw.get("organisation"))[:300],
        )
        if not row.name:
            row.error = "не указаны ФИО"
        try:
            row.result = parse_result(raw.get("result"))
        except ValueError as error:
            row.error = row.error or str(error)
        rows.append(row)
    return rows


@transaction.atomic
def event_participants_import(*, event: Event, name: str, content: bytes, by: User) -> ParticipantsImported:
    """Add the rows of an Excel (or CSV) list to the event's participants; a person already in the list gets the
    file's result. Rows with errors are not written and are listed back; names that match no teacher are kept as
    names and listed too."""
    if not allowed(by, "meetings.manage_event", event):
        raise PermissionDenied
    event = Event.objects.select_for_update().get(pk=event.pk)
    rows = participants_read(name=name, content=content)
    good = [r for r in rows if not r.error]
    matches = teachers_by_name(r.name for r in good)
    for row in good:
        row.teacher = matches.get(name_key(row.name))
    existing = list(event.participants.all())
    by_teacher = {p.teacher_id: p for p in existing if p.teacher_id}
    by_name = {name_key(p.name): p for p in existing if not p.teacher_id}
    merged: dict[int | None, ParticipantInput] = {}
    new_rows: list[ParticipantInput] = []
    for row in good:
        current = by_teacher.get(row.teacher.pk) if row.teacher else by_name.get(name_key(row.name))
        organisation = row.organisation or (current.organisation if current else "")
        entry = ParticipantInput(name=row.name, organisation=organisation, result=row.result, pk=current and current.pk)
        if current is not None:
            merged[current.pk] = entry
        elif row.teacher is not None and any(r.name and matches.get(name_key(r.name)) == row.teacher for r in new_rows):
            row.error = "этот педагог уже есть в списке выше"
        else:
            new_rows.append(entry)
    untouched = [
        ParticipantInput(name=p.name, organisation=p.organisation, result=p.result, pk=p.pk)
        for p in existing
        if p.pk not in merged
    ]
    saved = _participants_write(event=event, rows=untouched + list(merged.values()) + new_rows, remove_missing=False)
    saved.unmatched = [r.name for r in rows if not r.error and r.teacher is None]
    return ParticipantsImported(rows=rows, saved=saved)
