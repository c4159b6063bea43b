"""What happens to meetings and protocols: planning the year, the agenda, attendance, decisions, signing.

Every function here checks what the regulation and the workflow allow, writes in one transaction and raises
`MeetingError` with a Russian message (beside `field` when it names one) when something is refused.
"""

import datetime
import difflib
import hashlib
import itertools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from associations.models import Association, Membership, Order, ProtocolRule
from members.models import Consent, User
from rmo_portal import calendar, workflow
from rmo_portal.files import stored_file_create
from rmo_portal.notifications import notify
from rmo_portal.signatures import SignatureError, password_confirms, signature_create, signatures_of, text_hash
from rmo_portal.text import count_ru, date_ru, plural_ru

from .models import (
    AgendaItem,
    AgendaMaterial,
    Attendance,
    Decision,
    Guest,
    Meeting,
    Protocol,
    ProtocolVersion,
    Schedule,
)


class MeetingError(workflow.TransitionRefused):
    """A change the rules do not allow; the message is for the user, beside `field` of the form when it names one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.field = field


# --- the year's schedule ---------------------------------------------------------------------------------


@dataclass
class PeriodCheck:
    """One period of the regulation's meeting rule against the meetings of the schedule."""

    period: calendar.Period
    required: int
    planned: int
    held: int
    meetings: list

    @property
    def missing(self) -> int:
        return max(0, self.required - self.planned - self.held)

    @property
    def satisfied(self) -> bool:
        return self.missing == 0

    @property
    def state_label(self) -> str:
        parts = []
        if self.held:
            parts.append(f"проведено {self.held}")
        if self.planned:
            parts.append(f"запланировано {self.planned}")
        if self.missing:
            parts.append(f"не хватает {self.missing}")
        return ", ".join(parts) or "нет заседаний"


def publishes_schedule(association: Association) -> bool:
    """The regulation says meetings follow a published schedule (Вилюйский preset)."""
    regulation = association.regulation
    return bool(regulation and any(rule.by_published_schedule for rule in regulation.meeting_rules.all()))


def schedule_get(*, association: Association, academic_year: int) -> Schedule:
    schedule, _ = Schedule.objects.get_or_create(association=association, academic_year=academic_year)
    return schedule


def schedule_check(*, association: Association, academic_year: int, meetings: list[Meeting]) -> list[PeriodCheck]:
    """Per period of each meeting rule of the regulation (from the calendar): required, planned, held."""
    regulation = association.regulation
    if regulation is None:
        return []
    checks = []
    for rule in regulation.meeting_rules.all():
        for period in calendar.periods(rule.period, academic_year):
            inside = [m for m in meetings if m.status != Meeting.Status.CANCELLED and m.day in period]
            checks.append(
                PeriodCheck(
                    period=period,
                    required=rule.min_count,
                    planned=sum(1 for m in inside if m.status == Meeting.Status.PLANNED),
                    held=sum(1 for m in inside if m.status == Meeting.Status.HELD),
                    meetings=inside,
                )
            )
    return checks


def schedule_problems(checks: list[PeriodCheck], *, today: datetime.date) -> list[str]:
    """What the schedule lacks against the regulation: «II полугодие 2026/27: не хватает 1 заседания»."""
    problems = []
    for check in checks:
        if check.missing:
            late = " (период уже прошёл)" if check.period.ends_on < today else ""
            problems.append(
                f"{check.period.label}: не хватает {check.missing} "
                f"{plural_ru(check.missing, ('заседания', 'заседаний', 'заседаний'))}{late}"
            )
    return problems


def _meeting_fields_check(*, starts_at: datetime.datetime, topic: str, online_url: str, place: str) -> None:
    if not topic.strip():
        raise MeetingError("Укажите тему заседания.", field="topic")
    if not (place.strip() or online_url.strip()):
        raise MeetingError("Укажите место проведения или ссылку на онлайн-заседание.", field="place")
    if timezone.is_naive(starts_at):
        raise MeetingError("Укажите дату и время заседания.", field="starts_at")


def _schedule_published_flag(association: Association, academic_year: int) -> bool:
    if not publishes_schedule(association):
        return False
    return Schedule.objects.filter(
        association=association, academic_year=academic_year, status=Schedule.Status.APPROVED
    ).exists()


@transaction.atomic
def meeting_plan(
    *, association: Association, by: User, starts_at: datetime.datetime, topic: str, place: str = "",
    online_url: str = "", off_site: bool = False, duration_minutes: int = 90,
) -> Meeting:  # fmt: skip
    """Put a meeting on the association's schedule for the academic year its day falls in."""
    _meeting_fields_check(starts_at=starts_at, topic=topic, online_url=online_url, place=place)
    if association.status != Association.Status.ACTIVE:
        raise MeetingError("Объединение упразднено: заседания не планируются.")
    day = timezone.localtime(starts_at).date()
    year = calendar.academic_year_of(day)
    schedule_get(association=association, academic_year=year)
    meeting = Meeting(
        association=association, academic_year=year, starts_at=starts_at, topic=topic.strip(),
        place=place.strip(), online_url=online_url.strip(), off_site=off_site, duration_minutes=duration_minutes,
        created_by=by, schedule_published=_schedule_published_flag(association, year),
    )  # fmt: skip
    meeting._change_reason = "Запланировано"
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: User, starts_at: datetime.datetime, topic: str, place: str = "", online_url: str = "",
    off_site: bool = False, duration_minutes: int = 90, reason: str = "",
) -> Meeting:  # fmt: skip
    """Change a planned meeting; after the schedule is approved the change is kept in its history with a reason."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError("Изменить можно только запланированное заседание.")
    _meeting_fields_check(starts_at=starts_at, topic=topic, online_url=online_url, place=place)
    year = calendar.academic_year_of(timezone.localtime(starts_at).date())
    if year != meeting.academic_year:
        raise MeetingError("Заседание переносится в пределах того же учебного года.", field="starts_at")
    if meeting.schedule_published and not reason.strip():
        raise MeetingError("График утверждён и опубликован: укажите причину изменения.", field="reason")
    meeting.starts_at, meeting.topic, meeting.place = starts_at, topic.strip(), place.strip()
    meeting.online_url, meeting.off_site, meeting.duration_minutes = online_url.strip(), off_site, duration_minutes
    meeting._change_reason = reason.strip() or "Изменено"
    meeting.save()
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """Cancel a planned meeting with a reason (kept; the meeting stays on the schedule as cancelled)."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not reason.strip():
        raise MeetingError("Укажите причину отмены.", field="reason")
    meeting._change_reason = f"Отменено: {reason.strip()}"
    workflow.transition(
        meeting, Meeting.Status.CANCELLED, by=by, comment=reason.strip(), error=MeetingError,
        extra_fields={"cancel_reason": reason.strip()},
    )  # fmt: skip
    return meeting


@transaction.atomic
def schedule_approve(*, schedule: Schedule, by: User) -> Schedule:
    """The leader approves the year's schedule; where the regulation publishes it, its meetings become public."""
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    meetings = list(Meeting.objects.filter(association=schedule.association, academic_year=schedule.academic_year))
    if not meetings:
        raise MeetingError("В графике нет ни одного заседания.")
    workflow.transition(
        schedule, Schedule.Status.APPROVED, by=by, error=MeetingError, refused="График уже утверждён.",
        extra_fields={"approved_at": timezone.now(), "approved_by": by},
    )  # fmt: skip
    if publishes_schedule(schedule.association):
        Meeting.objects.filter(pk__in=[m.pk for m in meetings]).update(schedule_published=True)
    return schedule


SCHEDULE_FIELDS = {"starts_at": "дата и время", "topic": "тема", "place": "место", "online_url": "ссылка",
                   "off_site": "выездное", "status": "состояние"}  # fmt: skip


@dataclass
class ScheduleChange:
    """A change of a meeting on an approved schedule, as the public reads it."""

    at: datetime.datetime
    by: User | None
    topic: str
    changes: list[str]
    reason: str


def _field_label(field: str, value) -> str:
    if field == "starts_at" and value:
        local = timezone.localtime(value)
        return f"{date_ru(local)}, {local:%H:%M}"
    if field == "status":
        return Meeting.Status(value).label.lower()
    if field == "off_site":
        return "да" if value else "нет"
    return str(value or "—")


def schedule_changes_after_approval(schedule: Schedule) -> list[ScheduleChange]:
    """The meetings of the year moved, renamed, relocated or cancelled after the schedule's approval, newest
    first (holding a meeting is not a change of the schedule)."""
    if not schedule.approved_at:
        return []
    # Every version of the year's meetings in one query; each change is compared with the one before it (by
    # history id: two saves in the same second are still in order).
    rows = list(
        Meeting.history.filter(association_id=schedule.association_id, academic_year=schedule.academic_year)
        .select_related("history_user")
        .order_by("id", "history_id")
    )
    changes = []
    for row in rows:  # a meeting added to the schedule after it was approved
        if row.history_type == "+" and row.history_date > schedule.approved_at:
            when = _field_label("starts_at", row.starts_at)
            changes.append(ScheduleChange(at=row.history_date, by=row.history_user, topic=row.topic,
                                          changes=[f"добавлено заседание: {when}"], reason=""))  # fmt: skip
    for previous, row in itertools.pairwise(rows):
        if row.id != previous.id or row.history_type != "~" or row.history_date < schedule.approved_at:
            continue
        delta = row.diff_against(previous, included_fields=list(SCHEDULE_FIELDS))
        described = [
            f"{SCHEDULE_FIELDS[c.field]}: {_field_label(c.field, c.old)} → {_field_label(c.field, c.new)}"
            for c in delta.changes
            if not (c.field == "status" and c.new == Meeting.Status.HELD)
        ]
        if described:
            changes.append(
                ScheduleChange(at=row.history_date, by=row.history_user, topic=row.topic, changes=described,
                               reason=row.history_change_reason or "")
            )  # fmt: skip
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes


def meeting_members(meeting: Meeting) -> list[User]:
    """The members of the association on the meeting's day, by name."""
    return list(
        User.objects.filter(
            pk__in=Membership.objects.current(on=meeting.day).filter(association=meeting.association).values("user")
        ).order_by("sort_key", "pk")
    )


def meeting_invite(*, meeting: Meeting, by: User) -> int:
    """Invite the members (rmo_portal.notifications: under the bell and by mail, as each prefers; the portal shows
    coming meetings on their start pages anyway). Returns how many members were invited."""
    if meeting.status != Meeting.Status.PLANNED:
        raise MeetingError("Приглашения рассылаются только на запланированное заседание.")
    made = notify(
        recipients=meeting_members(meeting),
        subject=f"Заседание {meeting.association}: {meeting.when_label}",
        text=(
            f"Приглашаем на заседание {meeting.association}.\n\n"
            f"Когда: {meeting.when_label}\nГде: {meeting.where_label}\n"
            + (f"Ссылка: {meeting.online_url}\n" if meeting.online_url else "")
            + f"Тема: {meeting.topic}\n\nПовестка и материалы — на странице заседания."
        ),
        link=meeting.get_absolute_url(),
        kind="meeting",
    )
    Meeting.objects.filter(pk=meeting.pk).update(invited_at=timezone.now())
    return len(made)


# --- the agenda --------------------------------------------------------------------------------------------


def _agenda_editable(meeting: Meeting) -> None:
    protocol = Protocol.objects.filter(meeting=meeting).first()
    if protocol and protocol.status not in Protocol.EDITABLE:
        raise MeetingError("Протокол уже отправлен на подпись: повестку меняют через исправление протокола.")
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError("Заседание отменено.")


@transaction.atomic
def agenda_item_save(
    *, meeting: Meeting, by: User, title: str, speaker: User | None = None, speaker_name: str = "",
    duration_minutes: int | None = None, item: AgendaItem | None = None,
) -> AgendaItem:  # fmt: skip
    """Add an item at the end of the agenda, or change one; a speaker is a member or a guest by name."""
    _agenda_editable(meeting)
    if not title.strip():
        raise MeetingError("Укажите вопрос повестки.", field="title")
    if speaker is not None and speaker.pk not in {u.pk for u in meeting_members(meeting)}:
        raise MeetingError("Докладчик из списка — член объединения; гостя впишите по имени.", field="speaker")
    if item is None:
        last = meeting.items.aggregate(n=Max("position"))["n"] or 0
        item = AgendaItem(meeting=meeting, position=last + 1)
    item.title, item.speaker, item.duration_minutes = title.strip(), speaker, duration_minutes
    item.speaker_name = "" if speaker else speaker_name.strip()
    item.save()
    return item


@transaction.atomic
def agenda_item_delete(*, item: AgendaItem, by: User) -> None:
    _agenda_editable(item.meeting)
    meeting = item.meeting
    item.delete()
    for position, other in enumerate(meeting.items.order_by("position", "pk"), start=1):
        if other.position != position:
            AgendaItem.objects.filter(pk=other.pk).update(position=position)


@transaction.atomic
def agenda_item_move(*, item: AgendaItem, by: User, up: bool) -> None:
    """Swap an item with its neighbour above (or below)."""
    _agenda_editable(item.meeting)
    items = list(item.meeting.items.order_by("position", "pk"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    other = index - 1 if up else index + 1
    if not 0 <= other < len(items):
        return
    items[index], items[other] = items[other], items[index]
    for position, each in enumerate(items, start=1):
        AgendaItem.objects.filter(pk=each.pk).update(position=position)


@transaction.atomic
def agenda_material_add(*, item: AgendaItem, upload, title: str, by: User) -> AgendaMaterial:
    try:
        stored = stored_file_create(upload=upload, use="document", by=by)
    except ValidationError as error:
        raise MeetingError(" ".join(error.messages), field="file") from error
    return AgendaMaterial.objects.create(item=item, file=stored, title=title.strip())


# --- attendance -----------------------------------------------------------------------------------------------


@dataclass
class AttendanceSummary:
    members: int
    present: int
    absent: int
    excused: int
    guests: int
    quorum: int | None

    @property
    def label(self) -> str:
        """«Присутствовали 12 из 15 членов объединения, гостей: 2»."""
        text = f"Присутствовали {self.present} из {count_ru(self.members, ('члена', 'членов', 'членов'))} объединения"
        if self.guests:
            text += f", {count_ru(self.guests, ('гость', 'гостя', 'гостей'))}"
        return text

    @property
    def quorum_met(self) -> bool | None:
        return None if self.quorum is None else self.present >= self.quorum


def attendance_summary(meeting: Meeting, *, marks: list[Attendance], guests: list[Guest]) -> AttendanceSummary:
    counts = {status: 0 for status in Attendance.Status.values}
    for mark in marks:
        counts[mark.status] += 1
    return AttendanceSummary(
        members=len(marks),
        present=counts[Attendance.Status.PRESENT],
        absent=counts[Attendance.Status.ABSENT],
        excused=counts[Attendance.Status.EXCUSED],
        guests=len(guests),
        quorum=None,  # no preset names a quorum; a regulation field can add it when a district asks
    )


@transaction.atomic
def attendance_save(
    *, meeting: Meeting, by: User, marks: dict[int, tuple[str, str]], today: datetime.date | None = None
) -> Meeting:
    """Mark every member on the meeting's day: `marks` maps a user id to (status, reason); the meeting is held.

    A member left out of `marks` counts as present (the «all present» button sends none).
    """
    today = today or calendar.today()
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.day > today:
        raise MeetingError(f"Присутствие отмечают в день заседания ({meeting.day_label}) или позже.")
    if meeting.status == Meeting.Status.CANCELLED:
        raise MeetingError("Заседание отменено.")
    protocol = Protocol.objects.filter(meeting=meeting).first()
    if protocol and protocol.status not in Protocol.EDITABLE:
        raise MeetingError("Протокол уже отправлен на подпись: присутствие меняют через исправление протокола.")
    members = meeting_members(meeting)
    ids = {u.pk for u in members}
    unknown = set(marks) - ids
    if unknown:
        raise MeetingError("В отметках есть человек, который не состоит в объединении на день заседания.")
    for user_id, (status, reason) in marks.items():
        if status not in Attendance.Status.values:
            raise MeetingError("Неизвестная отметка присутствия.")
        if status == Attendance.Status.EXCUSED and not reason.strip():
            raise MeetingError("Для отсутствия по уважительной причине укажите причину.", field=f"reason_{user_id}")
    existing = {a.user_id: a for a in Attendance.objects.filter(meeting=meeting)}
    for user in members:
        status, reason = marks.get(user.pk, (Attendance.Status.PRESENT, ""))
        reason = reason.strip() if status != Attendance.Status.PRESENT else ""
        mark = existing.pop(user.pk, None)
        if mark is None:
            Attendance.objects.create(meeting=meeting, user=user, status=status, reason=reason)
        elif (mark.status, mark.reason) != (status, reason):
            mark.status, mark.reason = status, reason
            mark.save(update_fields=["status", "reason"])
    Attendance.objects.filter(pk__in=[a.pk for a in existing.values()]).delete()
    if meeting.status == Meeting.Status.PLANNED:
        meeting._change_reason = "Проведено"
        workflow.transition(meeting, Meeting.Status.HELD, by=by, error=MeetingError)
    return meeting


@transaction.atomic
def guest_add(*, meeting: Meeting, by: User, name: str, organisation: str = "") -> Guest:
    if not name.strip():
        raise MeetingError("Укажите ФИО гостя.", field="name")
    return Guest.objects.create(meeting=meeting, name=name.strip(), organisation=organisation.strip())


@transaction.atomic
def guest_remove(*, guest: Guest, by: User) -> None:
    guest.delete()


# --- decisions ------------------------------------------------------------------------------------------------


@transaction.atomic
def decision_add(
    *, item: AgendaItem, by: User, text: str, responsible: User | None = None, due_on: datetime.date | None = None
) -> Decision:
    if not text.strip():
        raise MeetingError("Впишите текст решения.", field="text")
    if due_on and due_on < item.meeting.day:
        raise MeetingError("Срок исполнения не может быть раньше дня заседания.", field="due_on")
    return Decision.objects.create(item=item, text=text.strip(), responsible=responsible, due_on=due_on)


@transaction.atomic
def decision_done(*, decision: Decision, by: User) -> Decision:
    decision = Decision.objects.select_for_update().get(pk=decision.pk)
    if decision.done_at:
        raise MeetingError(f"Уже отмечено выполненным {date_ru(decision.done_at)}.")
    decision.done_at, decision.done_by = timezone.now(), by
    decision.save(update_fields=["done_at", "done_by"])
    return decision


@transaction.atomic
def decision_propose_binding(*, decision: Decision, by: User, today: datetime.date | None = None) -> Order:
    """Draft the order «О придании решению обязательной силы» for the curating methodist; it links back here."""
    today = today or calendar.today()
    decision = Decision.objects.select_for_update().select_related("item__meeting__association").get(pk=decision.pk)
    if decision.binding_order_id:
        raise MeetingError("Проект приказа по этому решению уже подготовлен.")
    meeting = decision.item.meeting
    association = meeting.association
    curator = association.curators.order_by("sort_key", "pk").first()
    if curator is None:
        raise MeetingError("У объединения нет куратора-методиста: предложить приказ некому.")
    order = Order.objects.create(
        kind=Order.Kind.MAKE_BINDING,
        title=f"О придании обязательной силы решению {association}",
        text=(
            f"Придать обязательную силу для образовательных организаций района решению заседания {association} "
            f"от {meeting.day_label} по вопросу «{decision.item.title}»:\n{decision.text}"
        ),
        effective_date=today,
        association=association,
        drafted_by=curator,
        origin_title=f"Решение заседания {association} от {meeting.day_label}, вопрос {decision.item.position}",
        origin_url=meeting.get_absolute_url(),
    )
    decision.binding_order = order
    decision.save(update_fields=["binding_order"])
    return order


# --- the protocol -----------------------------------------------------------------------------------------------

ROLE_LABELS = {
    Membership.Role.LEADER: "Председатель (руководитель объединения)",
    Membership.Role.SECRETARY: "Секретарь",
}


def protocol_rule(association: Association) -> ProtocolRule | None:
    regulation = association.regulation
    if regulation is None:
        return None
    return ProtocolRule.objects.filter(regulation=regulation).first()


def protocol_required_roles(association: Association) -> list[str]:
    """Who signs, as the regulation says (the leader alone where it says nothing)."""
    rule = protocol_rule(association)
    if rule is None:
        return [Membership.Role.LEADER]
    roles = [r for r, on in ((Membership.Role.LEADER, rule.signed_by_leader),
                             (Membership.Role.SECRETARY, rule.signed_by_secretary)) if on]  # fmt: skip
    return roles or [Membership.Role.LEADER]


def _role_holders(association: Association, role: str, *, on: datetime.date) -> list[User]:
    return list(
        User.objects.filter(
            pk__in=Membership.objects.current(on=on).filter(association=association, role=role).values("user")
        )
    )


def protocol_signatures(protocol: Protocol) -> list:
    return signatures_of(protocol.document_key, protocol.version)


def protocol_signer_roles(*, protocol: Protocol, user: User) -> list[str]:
    """The roles in which this person still has to sign the protocol's current version."""
    if protocol.status != Protocol.Status.SIGNING:
        return []
    signed = {(s.signer_id, s.role_label) for s in protocol_signatures(protocol)}
    today = calendar.today()
    return [
        role
        for role in protocol_required_roles(protocol.association)
        if (user.pk, ROLE_LABELS[role]) not in signed
        and any(u.pk == user.pk for u in _role_holders(protocol.association, role, on=today))
    ]


def protocol_missing_roles(protocol: Protocol) -> list[str]:
    """The roles whose signature the current version still lacks."""
    signed = {s.role_label for s in protocol_signatures(protocol)}
    return [role for role in protocol_required_roles(protocol.association) if ROLE_LABELS[role] not in signed]


@transaction.atomic
def protocol_start(*, meeting: Meeting, by: User) -> Protocol:
    """Open the protocol of a held meeting, numbered in the association's academic year."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    existing = Protocol.objects.filter(meeting=meeting).first()
    if existing:
        return existing
    if meeting.status != Meeting.Status.HELD:
        raise MeetingError("Протокол оформляют после заседания: сначала отметьте присутствующих.")
    rule = protocol_rule(meeting.association)
    # One number at a time per association: two protocols opened at once never draw the same number.
    Association.objects.select_for_update().filter(pk=meeting.association_id).first()
    last = (
        Protocol.objects.filter(association=meeting.association, academic_year=meeting.academic_year).aggregate(
            n=Max("number")
        )["n"]
        or 0
    )
    leader = _role_holders(meeting.association, Membership.Role.LEADER, on=meeting.day)
    secretary = _role_holders(meeting.association, Membership.Role.SECRETARY, on=meeting.day)
    try:
        with transaction.atomic():
            return Protocol.objects.create(
                meeting=meeting,
                association=meeting.association,
                academic_year=meeting.academic_year,
                number=last + 1,
                place=meeting.place or ("онлайн" if meeting.online_url else ""),
                chair_name=leader[0].get_full_name() if leader else "",
                secretary_name=secretary[0].get_full_name() if secretary else "",
                due_on=calendar.days_after(meeting.day, rule.days_after_meeting)
                if rule and rule.days_after_meeting
                else None,
            )
    except IntegrityError:
        raise MeetingError(
            "Протокол этого заседания только что открыл другой пользователь: обновите страницу."
        ) from None


@transaction.atomic
def protocol_save(
    *, protocol: Protocol, by: User, revision: int, place: str, chair_name: str, secretary_name: str,
    items: dict[int, dict],
) -> Protocol:  # fmt: skip
    """Save the draft; `items` maps an agenda item id to heard/spoke/decided and the votes.

    A form sent from an older revision (someone saved in between) is refused as a conflict: nothing is
    overwritten, and the view keeps the user's text on the page.
    """
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if protocol.status not in Protocol.EDITABLE:
        raise MeetingError(f"Протокол — «{protocol.get_status_display()}»: его текст сейчас не меняется.")
    if revision != protocol.revision:
        raise MeetingError(
            "Пока вы редактировали, протокол сохранил другой пользователь. Ваш текст остался в форме: "
            "откройте протокол в новой вкладке, сравните и перенесите свои правки."
        )
    present = Attendance.objects.filter(meeting_id=protocol.meeting_id, status=Attendance.Status.PRESENT).count()
    agenda = {item.pk: item for item in AgendaItem.objects.filter(meeting_id=protocol.meeting_id)}
    for item_id, values in items.items():
        item = agenda.get(item_id)
        if item is None:
            raise MeetingError("Вопроса нет в повестке этого заседания.")
        votes = [values.get(k) for k in ("votes_for", "votes_against", "votes_abstained")]
        if any(v is not None for v in votes) and sum(v or 0 for v in votes) > present:
            raise MeetingError(
                f"Вопрос {item.position}: голосов ({sum(v or 0 for v in votes)}) больше, чем присутствовало "
                f"({present}).",
                field=f"item_{item_id}_votes_for",
            )
        for key in ("heard", "spoke", "decided"):
            setattr(item, key, (values.get(key) or "").strip())
        item.votes_for, item.votes_against, item.votes_abstained = votes
        item.save(update_fields=["heard", "spoke", "decided", "votes_for", "votes_against", "votes_abstained"])
    protocol.place, protocol.chair_name, protocol.secretary_name = (
        place.strip(),
        chair_name.strip(),
        secretary_name.strip(),
    )
    protocol.revision += 1
    protocol.save(update_fields=["place", "chair_name", "secretary_name", "revision", "updated_at"])
    return protocol


def protocol_content(protocol: Protocol) -> dict:
    """What the protocol says, as data (the PDF and the page render it; the frozen version keeps it)."""
    meeting = protocol.meeting
    marks = list(Attendance.objects.filter(meeting=meeting).select_related("user"))
    guests = list(Guest.objects.filter(meeting=meeting))
    items = list(AgendaItem.objects.filter(meeting=meeting).select_related("speaker").prefetch_related("decisions"))
    present = [m.user.get_full_name() for m in marks if m.status == Attendance.Status.PRESENT]
    absent = [
        m.user.get_full_name() + (f" ({m.reason})" if m.reason else "")
        for m in marks
        if m.status != Attendance.Status.PRESENT
    ]
    return {
        "association": str(protocol.association),
        "number": protocol.number,
        "date": meeting.day_label,
        "time": f"{meeting.local_start:%H:%M}",
        "place": protocol.place,
        "topic": meeting.topic,
        "chair": protocol.chair_name,
        "secretary": protocol.secretary_name,
        "present": present,
        "absent": absent,
        "guests": [str(g) for g in guests],
        "items": [
            {
                "position": item.position,
                "title": item.title,
                "speaker": item.speaker_label,
                "heard": item.heard,
                "spoke": item.spoke,
                "decided": item.decided,
                "vote": item.vote_label,
                "decisions": [_decision_content(d) for d in item.decisions.all()],
            }
            for item in items
        ],
    }


def _decision_content(decision: Decision) -> dict:
    responsible = decision.responsible.get_full_name() if decision.responsible else ""
    return {"text": decision.text, "due": date_ru(decision.due_on), "responsible": responsible}


def protocol_text(content: dict) -> str:
    """The canonical plain text of a protocol: what is hashed, signed, compared between versions."""
    lines = [
        content["association"],
        f"ПРОТОКОЛ № {content['number']}",
        f"от {content['date']}",
        f"Место проведения: {content['place']}",
        f"Председатель: {content['chair']}",
        f"Секретарь: {content['secretary']}",
        f"Присутствовали: {count_ru(len(content['present']), ('человек', 'человека', 'человек'))}: "
        + ", ".join(content["present"]),
    ]
    if content["absent"]:
        lines.append("Отсутствовали: " + ", ".join(content["absent"]))
    if content["guests"]:
        lines.append("Приглашённые: " + ", ".join(content["guests"]))
    lines.append("Повестка дня:")
    lines += [f"{item['position']}. {item['title']}" + (f" ({item['speaker']})" if item["speaker"] else "")
              for item in content["items"]]  # fmt: skip
    for item in content["items"]:
        lines.append(f"{item['position']}. {item['title']}")
        for label, key in (("СЛУШАЛИ", "heard"), ("ВЫСТУПИЛИ", "spoke"), ("РЕШИЛИ", "decided")):
            if item[key]:
                lines.append(f"{label}: {item[key]}")
        if item["vote"]:
            lines.append(item["vote"])
    return "\n".join(lines)


def _protocol_move(protocol: Protocol, to: str, *, by: User | None, comment: str = "", extra_fields=()) -> None:
    """The one transition (rmo_portal.workflow): checks, saves `status` and `extra_fields`, records, notifies."""
    workflow.transition(protocol, to, by=by, comment=comment, error=MeetingError, extra_fields=extra_fields)


@transaction.atomic
def protocol_submit(*, protocol: Protocol, by: User) -> Protocol:
    """Freeze the text as a new version and ask the signatures the regulation names."""
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    meeting = protocol.meeting
    if not Attendance.objects.filter(meeting=meeting).exists():
        raise MeetingError("Отметьте присутствующих на заседании.")
    items = list(AgendaItem.objects.filter(meeting=meeting))
    if not items:
        raise MeetingError("В повестке нет ни одного вопроса.")
    undecided = [str(item.position) for item in items if not item.decided.strip()]
    if undecided:
        raise MeetingError(f"Заполните «РЕШИЛИ» по вопросам: {', '.join(undecided)}.")
    today = calendar.today()
    for role in protocol_required_roles(protocol.association):
        if not _role_holders(protocol.association, role, on=today):
            raise MeetingError(
                f"Положение требует подписи: {ROLE_LABELS[role].lower()}, но в объединении его нет. "
                "Назначьте его в составе объединения."
            )
    content = protocol_content(protocol)
    text = protocol_text(content)
    previous = protocol.versions.order_by("-number").first()
    reason = ""
    if previous:
        last_back = protocol.status_changes.filter(
            to_status__in=[Protocol.Status.DRAFT, Protocol.Status.RETURNED]
        ).last()
        reason = last_back.comment if last_back else ""
    number = (previous.number if previous else 0) + 1
    ProtocolVersion.objects.create(
        protocol=protocol, number=number, text=text, data=content, sha256=text_hash(text), reason=reason,
        created_by=by,
    )  # fmt: skip
    _protocol_move(protocol, Protocol.Status.SIGNING, by=by, extra_fields={"version": number})
    return protocol


@transaction.atomic
def protocol_withdraw(*, protocol: Protocol, by: User, comment: str = "") -> Protocol:
    """Take the protocol back from signature to change it (signatures given so far stay with that version)."""
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if protocol.status != Protocol.Status.SIGNING:
        raise MeetingError("Протокол не на подписи.")
    _protocol_move(protocol, Protocol.Status.DRAFT, by=by, comment=comment.strip() or "Возвращён для правки")
    return protocol


@transaction.atomic
def protocol_sign(*, protocol: Protocol, by: User, password: str, request=None) -> Protocol:
    """Sign the current version after the password is entered again; the last signature freezes the text.

    Once all the regulation's signatures are there the protocol is signed (late if past its term), and where
    the regulation publishes protocols it becomes public.
    """
    protocol = Protocol.objects.select_for_update().select_related("association").get(pk=protocol.pk)
    if protocol.status != Protocol.Status.SIGNING:
        raise MeetingError(f"Протокол — «{protocol.get_status_display()}»: сейчас его не подписывают.")
    roles = protocol_signer_roles(protocol=protocol, user=by)
    if not roles:
        raise MeetingError("Ваша подпись под этим протоколом не требуется или уже поставлена.")
    if not password_confirms(by, password, request=request):
        raise MeetingError("Неверный пароль. Подпись не поставлена.", field="password")
    version = protocol.versions.get(number=protocol.version)
    for role in roles:
        try:
            signature_create(
                document_key=protocol.document_key, document_version=protocol.version, document_title=str(protocol),
                document_url=protocol.get_absolute_url(), text=version.text, signer=by, role_label=ROLE_LABELS[role],
            )  # fmt: skip
        except SignatureError as error:
            raise MeetingError(str(error)) from error
    if not protocol_missing_roles(protocol):
        rule = protocol_rule(protocol.association)
        _protocol_move(
            protocol, Protocol.Status.SIGNED, by=by,
            extra_fields={"signed_at": timezone.now(), "published": bool(rule and rule.scan_published)},
        )  # fmt: skip
    return protocol


@transaction.atomic
def protocol_return(*, protocol: Protocol, by: User, comment: str) -> Protocol:
    """The curating methodist returns a signed protocol with a comment; it is corrected and signed again."""
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if not comment.strip():
        raise MeetingError("Напишите, что исправить.", field="comment")
    _protocol_move(
        protocol, Protocol.Status.RETURNED, by=by, comment=comment.strip(), extra_fields={"published": False}
    )
    return protocol


def protocol_notify(protocol: Protocol, old: str, new: str, by: User | None, comment: str) -> None:
    """The workflow's notifier of protocols (registered in MeetingsConfig.ready()), after the move commits: when
    the methodist returns a protocol, its secretary and the leader get her comment and a link."""
    if new != Protocol.Status.RETURNED:
        return
    today = calendar.today()
    people = {
        u.pk: u for role in (Membership.Role.SECRETARY, Membership.Role.LEADER)
        for u in _role_holders(protocol.association, role, on=today)
    }  # fmt: skip
    who = by.full_name if by else "Методист"
    notify(
        recipients=sorted(people.values(), key=lambda u: (u.sort_key, u.pk)),
        subject=f"Протокол № {protocol.number} возвращён на доработку",
        text=(
            f"{who} возвращает на доработку протокол № {protocol.number} заседания {protocol.association} "
            f"от {date_ru(protocol.meeting.day)}.\n\nЧто исправить: {comment}\n\n"
            "Исправьте протокол и снова отправьте его на подпись."
        ),
        link=protocol.get_absolute_url(),
        kind="workflow",
    )


@transaction.atomic
def protocol_accept(*, protocol: Protocol, by: User, comment: str = "") -> Protocol:
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    _protocol_move(protocol, Protocol.Status.ACCEPTED, by=by, comment=comment.strip())
    return protocol


@transaction.atomic
def protocol_correct(*, protocol: Protocol, by: User, reason: str) -> Protocol:
    """Open a signed protocol for a correction: the signed version stays, readable; the next needs signatures."""
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if protocol.status not in Protocol.FINAL:
        raise MeetingError("Исправление открывают у подписанного протокола; черновик правят прямо в форме.")
    if not reason.strip():
        raise MeetingError("Укажите причину исправления.", field="reason")
    _protocol_move(protocol, Protocol.Status.DRAFT, by=by, comment=reason.strip(), extra_fields={"published": False})
    return protocol


@transaction.atomic
def protocol_attach_scan(*, protocol: Protocol, by: User, upload) -> Protocol:
    """Attach the scan of the signed paper (PDF, JPEG, PNG; checked by content)."""
    protocol = Protocol.objects.select_for_update().get(pk=protocol.pk)
    if protocol.status not in Protocol.FINAL:
        raise MeetingError("Скан прикладывают к подписанному протоколу.")
    try:
        stored = stored_file_create(upload=upload, use="evidence", by=by)
    except ValidationError as error:
        raise MeetingError(" ".join(error.messages), field="scan") from error
    protocol.scan = stored
    protocol.save(update_fields=["scan"])
    return protocol


def version_diff(older: ProtocolVersion, newer: ProtocolVersion) -> list[tuple[str, str]]:
    """Line by line: ("-", removed), ("+", added), (" ", the same) — the differences a reader sees."""
    rows = []
    for line in difflib.ndiff(older.text.splitlines(), newer.text.splitlines()):
        if line.startswith("? "):
            continue
        rows.append((line[0], line[2:]))
    return rows


def consent_stamp(protocol: Protocol) -> str:
    """Changes whenever a consent of the meeting's people is given or withdrawn (for the public PDF's cache)."""
    from django.db.models import Max

    ids = Attendance.objects.filter(meeting_id=protocol.meeting_id).values("user")
    stamp = Consent.objects.filter(user__in=ids).aggregate(given=Max("given_at"), withdrawn=Max("withdrawn_at"))
    # Hashed: a cache key holds no spaces or colons of the timestamps.
    return hashlib.sha1(f"{stamp['given']}/{stamp['withdrawn']}".encode()).hexdigest()[:16]


def publishable_ids(user_ids: set[int]) -> set[int]:
    """Those of these people whose current consent allows their name on public pages."""
    return set(
        Consent.objects.filter(user_id__in=user_ids, withdrawn_at__isnull=True, publish_allowed=True).values_list(
            "user_id", flat=True
        )
    )


def public_content(protocol: Protocol, content: dict) -> dict:
    """The protocol as the public reads it: members who did not consent to publication are counted, not named,
    and their names are taken out of the text too. The chair and the secretary sign it in office and stay named."""
    marks = list(Attendance.objects.filter(meeting_id=protocol.meeting_id).select_related("user"))
    speakers = list(
        AgendaItem.objects.filter(meeting_id=protocol.meeting_id, speaker__isnull=False).select_related("speaker")
    )
    people = {m.user for m in marks} | {item.speaker for item in speakers}
    allowed = publishable_ids({u.pk for u in people})
    hidden = sorted(
        {name for u in people if u.pk not in allowed for name in (u.get_full_name(), u.short_name) if name},
        key=len, reverse=True,
    )  # fmt: skip

    def mask(text: str) -> str:
        for name in hidden:
            text = text.replace(name, "член объединения")
        return text

    def named(names: list[str]) -> list[str]:
        shown = [n for n in names if not any(n.startswith(h) for h in hidden)]
        others = len(names) - len(shown)
        if others:
            shown.append(f"{'и ещё ' if shown else ''}{count_ru(others, ('член', 'члена', 'членов'))} объединения")
        return shown

    masked = dict(content)
    masked["present"] = named(content["present"])
    masked["present_count"] = len(content["present"])
    # Reasons of absence are the members' own business; guests gave no consent at all: counted, not named.
    masked["absent"] = named([name.split(" (")[0] for name in content["absent"]])
    masked["guests"] = [count_ru(len(content["guests"]), ("гость", "гостя", "гостей"))] if content["guests"] else []
    masked["items"] = [
        dict(item, speaker=mask(item["speaker"]), heard=mask(item["heard"]), spoke=mask(item["spoke"]),
             decided=mask(item["decided"]),
             decisions=[dict(d, responsible=mask(d["responsible"])) for d in item["decisions"]])
        for item in content["items"]
    ]  # fmt: skip
    return masked
