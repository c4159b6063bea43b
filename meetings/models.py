"""Meetings of an association, their agenda, attendance, decisions and protocols; the district's events."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from associations.models import Association, Membership, Order
from members.models import Role, Subject, Teacher
from rmo_portal import calendar
from rmo_portal.text import date_ru, plural_ru

SERVICE_ROLES = (Role.DISTRICT_HEAD, Role.METHODIST, Role.ADMIN)


def _is_service(user) -> bool:
    return user.is_authenticated and (user.role in SERVICE_ROLES or user.is_superuser)


def _status_check(name: str, values: list[str]) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(status__in=values), name=name)


# --- the year's schedule ------------------------------------------------------------------------------


class Schedule(models.Model):
    """An association's schedule of meetings for an academic year (график заседаний); approved where published."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Проект"
        APPROVED = "approved", "Утверждён"

    TRANSITIONS = {Status.DRAFT: {Status.APPROVED}, Status.APPROVED: set()}
    STATUS_BADGE = {Status.APPROVED: "success", Status.DRAFT: "secondary"}

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="schedules", verbose_name="объединение"
    )
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)")
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_at = models.DateTimeField("утверждён", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="утвердил",
    )  # fmt: skip
    # Its moves (rmo_portal.workflow.history_of); deleted with it.
    status_changes = GenericRelation("rmo_portal.StatusChange")

    class Meta:
        verbose_name = "график заседаний"
        verbose_name_plural = "графики заседаний"
        constraints = [
            models.UniqueConstraint(fields=["association", "academic_year"], name="schedule_one_per_year"),
            _status_check("schedule_status_valid", ["draft", "approved"]),
        ]

    def __str__(self) -> str:
        return f"График заседаний {self.association} на {self.year_label} учебный год"

    def get_absolute_url(self) -> str:
        return reverse("meetings:schedule", args=[self.association_id, self.academic_year])

    @property
    def year_label(self) -> str:
        return calendar.academic_year_label(self.academic_year)

    @property
    def schedule_published(self) -> bool:
        """Approved, and the regulation publishes schedules (the rule «по опубликованному графику»)."""
        regulation = self.association.regulation
        return self.status == self.Status.APPROVED and bool(
            regulation and regulation.meeting_rules.filter(by_published_schedule=True).exists()
        )


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The public sees meetings of published schedules; members and the service see their associations'."""
        published = Q(schedule_published=True)
        if not user.is_authenticated:
            return self.filter(published)
        if _is_service(user):
            return self
        mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
        return self.filter(published | Q(association__in=mine))

    def coming(self, *, on: datetime.date):
        return self.filter(status=Meeting.Status.PLANNED, starts_at__date__gte=on).order_by("starts_at", "pk")

    def of_member(self, user, *, on: datetime.date):
        mine = Membership.objects.current(on=on).filter(user=user).values("association")
        return self.filter(association__in=mine)


class Meeting(models.Model):
    """A meeting (заседание) of an association: when, where, on what; planned, held or cancelled."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Запланировано"
        HELD = "held", "Проведено"
        CANCELLED = "cancelled", "Отменено"

    TRANSITIONS = {
        Status.PLANNED: {Status.HELD, Status.CANCELLED},
        Status.HELD: set(),
        Status.CANCELLED: {Status.PLANNED},
    }
    STATUS_BADGE = {Status.PLANNED: "primary", Status.HELD: "success", Status.CANCELLED: "danger"}

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="meetings", verbose_name="объединение"
    )
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)", db_index=True)
    starts_at = models.DateTimeField("дата и время")
    duration_minutes = models.PositiveSmallIntegerField("продолжительность, минут", default=90)
    topic = models.CharField("тема", max_length=500)
    place = models.CharField("место", max_length=300, blank=True)
    online_url = models.URLField("ссылка на онлайн-заседание", max_length=500, blank=True)
    off_site = models.BooleanField("выездное", default=False)
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.PLANNED)
    # A copy of «the schedule is published» (the regulation's rule and the schedule's approval), kept by the
    # services so that the public list is one indexed filter.
    schedule_published = models.BooleanField("в опубликованном графике", default=False)
    invited_at = models.DateTimeField("приглашения отправлены", null=True, blank=True)
    cancel_reason = models.CharField("причина отмены", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="запланировал"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)

    history = HistoricalRecords(verbose_name="история заседания", excluded_fields=["invited_at"])
    # Its moves (rmo_portal.workflow.history_of); deleted with it.
    status_changes = GenericRelation("rmo_portal.StatusChange")
    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = "заседание"
        verbose_name_plural = "заседания"
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["association", "starts_at"], name="meeting_assoc_start")]
        constraints = [_status_check("meeting_status_valid", ["planned", "held", "cancelled"])]

    def __str__(self) -> str:
        return f"Заседание {self.association}: {self.day_label}, {self.topic}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def is_held(self) -> bool:
        return self.status == self.Status.HELD

    @property
    def local_start(self) -> datetime.datetime:
        return timezone.localtime(self.starts_at)

    @property
    def day(self) -> datetime.date:
        return self.local_start.date()

    @property
    def day_label(self) -> str:
        return date_ru(self.day)

    @property
    def when_label(self) -> str:
        """«12 ноября 2026 г., 15:00»."""
        return f"{self.day_label}, {self.local_start:%H:%M}"

    @property
    def ends_at(self) -> datetime.datetime:
        return self.starts_at + datetime.timedelta(minutes=self.duration_minutes)

    @property
    def where_label(self) -> str:
        parts = [self.place] if self.place else []
        if self.online_url:
            parts.append("онлайн")
        if self.off_site:
            parts.append("выездное")
        return ", ".join(parts) or "место не указано"


class AgendaItem(models.Model):
    """An item of a meeting's agenda, in order; what was heard, said and decided on it goes into the protocol."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items", verbose_name="заседание")
    position = models.PositiveSmallIntegerField("№ п/п", default=1)
    title = models.CharField("вопрос", max_length=500)
    speaker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="докладчик (член объединения)",
    )  # fmt: skip
    speaker_name = models.CharField("докладчик (гость)", max_length=300, blank=True)
    duration_minutes = models.PositiveSmallIntegerField("минут", null=True, blank=True)
    heard = models.TextField("СЛУШАЛИ", blank=True)
    spoke = models.TextField("ВЫСТУПИЛИ", blank=True)
    decided = models.TextField("РЕШИЛИ", blank=True)
    votes_for = models.PositiveSmallIntegerField("за", null=True, blank=True)
    votes_against = models.PositiveSmallIntegerField("против", null=True, blank=True)
    votes_abstained = models.PositiveSmallIntegerField("воздержались", null=True, blank=True)

    class Meta:
        verbose_name = "вопрос повестки"
        verbose_name_plural = "повестка дня"
        ordering = ["meeting", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"

    @property
    def speaker_label(self) -> str:
        if self.speaker_id:
            return self.speaker.get_full_name()
        return self.speaker_name

    @property
    def voted(self) -> bool:
        return any(v is not None for v in (self.votes_for, self.votes_against, self.votes_abstained))

    @property
    def vote_label(self) -> str:
        """«Голосовали: за — 12, против — 0, воздержались — 1»."""
        if not self.voted:
            return ""
        return (
            f"Голосовали: за — {self.votes_for or 0}, против — {self.votes_against or 0}, "
            f"воздержались — {self.votes_abstained or 0}"
        )


class AgendaMaterial(models.Model):
    """A file for an agenda item (a presentation, a handout), stored through the files module."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="materials", verbose_name="вопрос")
    file = models.ForeignKey("rmo_portal.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name="файл")
    title = models.CharField("название", max_length=300, blank=True)

    class Meta:
        verbose_name = "материал к вопросу"
        verbose_name_plural = "материалы к вопросам"

    def __str__(self) -> str:
        return self.title or self.file.original_name


class Attendance(models.Model):
    """Whether a member attended a meeting: present, absent, or excused with a reason."""

    class Status(models.TextChoices):
        PRESENT = "present", "Присутствовал(а)"
        ABSENT = "absent", "Отсутствовал(а)"
        EXCUSED = "excused", "Отсутствовал(а) по уважительной причине"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance", verbose_name="заседание")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="член")
    status = models.CharField("отметка", max_length=20, choices=Status.choices, default=Status.PRESENT)
    reason = models.CharField("причина", max_length=300, blank=True)

    class Meta:
        verbose_name = "отметка о присутствии"
        verbose_name_plural = "присутствие"
        ordering = ["meeting", "user__sort_key", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="attendance_once"),
            _status_check("attendance_status_valid", ["present", "absent", "excused"]),
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_status_display()}"


class Guest(models.Model):
    """A guest of a meeting, by name and organisation (not a portal user)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests", verbose_name="заседание")
    name = models.CharField("ФИО", max_length=300)
    organisation = models.CharField("организация", max_length=300, blank=True)

    class Meta:
        verbose_name = "гость заседания"
        verbose_name_plural = "гости заседания"
        ordering = ["meeting", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})" if self.organisation else self.name


class DecisionQuerySet(models.QuerySet):
    def open_for(self, user):
        return self.filter(responsible=user, done_at__isnull=True, due_on__isnull=False)


class Decision(models.Model):
    """A decision on an agenda item: what, who is responsible, by when; done when marked so."""

    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions", verbose_name="вопрос")
    text = models.TextField("решение")
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="ответственный",
    )  # fmt: skip
    due_on = models.DateField("срок", null=True, blank=True)
    done_at = models.DateTimeField("выполнено", null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="отметил выполнение",
    )  # fmt: skip
    binding_order = models.ForeignKey(
        Order, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="приказ о придании обязательной силы",
    )  # fmt: skip

    objects = DecisionQuerySet.as_manager()

    class Meta:
        verbose_name = "решение"
        verbose_name_plural = "решения"
        ordering = ["item", "pk"]
        indexes = [models.Index(fields=["responsible", "due_on"], name="decision_responsible_due")]

    def __str__(self) -> str:
        return self.text[:100]

    def is_overdue(self, on: datetime.date) -> bool:
        return self.done_at is None and self.due_on is not None and self.due_on < on


# --- the protocol ------------------------------------------------------------------------------------


class ProtocolQuerySet(models.QuerySet):
    def visible_to(self, user):
        published = Q(published=True)
        if not user.is_authenticated:
            return self.filter(published)
        if _is_service(user):
            return self
        mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
        return self.filter(published | Q(association__in=mine))


class Protocol(models.Model):
    """The protocol of a meeting: drafted, signed by those the regulation names, reviewed by the methodist."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SIGNING = "signing", "На подписи"
        SIGNED = "signed", "Подписан"
        RETURNED = "returned", "Возвращён на доработку"
        ACCEPTED = "accepted", "Принят методистом"

    # The allowed moves; only meetings.services changes `status`.
    TRANSITIONS = {
        Status.DRAFT: {Status.SIGNING},
        Status.SIGNING: {Status.SIGNED, Status.DRAFT},
        Status.SIGNED: {Status.ACCEPTED, Status.RETURNED, Status.DRAFT},
        Status.RETURNED: {Status.SIGNING},
        Status.ACCEPTED: {Status.DRAFT},
    }
    STATUS_BADGE = {
        Status.DRAFT: "secondary", Status.SIGNING: "warning", Status.SIGNED: "success", Status.RETURNED: "danger",
        Status.ACCEPTED: "success",
    }  # fmt: skip
    EDITABLE = {Status.DRAFT, Status.RETURNED}
    FINAL = {Status.SIGNED, Status.ACCEPTED}

    meeting = models.OneToOneField(Meeting, on_delete=models.CASCADE, related_name="protocol", verbose_name="заседание")
    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="protocols", verbose_name="объединение"
    )
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)")
    number = models.PositiveSmallIntegerField("номер")
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.DRAFT)
    place = models.CharField("место проведения", max_length=300, blank=True)
    chair_name = models.CharField("председатель", max_length=300, blank=True)
    secretary_name = models.CharField("секретарь", max_length=300, blank=True)
    # Bumped by each save: a form sent with an older revision is a conflict, not an overwrite.
    revision = models.PositiveIntegerField("редакция", default=1)
    version = models.PositiveSmallIntegerField("версия", default=1)
    signed_at = models.DateTimeField("подписан всеми", null=True, blank=True)
    due_on = models.DateField("оформить до", null=True, blank=True)
    published = models.BooleanField("опубликован", default=False)
    scan = models.ForeignKey(
        "rmo_portal.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="скан подписанного протокола",
    )  # fmt: skip
    updated_at = models.DateTimeField("изменён", auto_now=True)
    # Its moves (rmo_portal.workflow.history_of); deleted with it.
    status_changes = GenericRelation("rmo_portal.StatusChange")

    objects = ProtocolQuerySet.as_manager()

    class Meta:
        verbose_name = "протокол заседания"
        verbose_name_plural = "протоколы заседаний"
        ordering = ["association", "academic_year", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "academic_year", "number"], name="protocol_number_unique_in_year"
            ),
            _status_check("protocol_status_valid", ["draft", "signing", "signed", "returned", "accepted"]),
        ]

    def __str__(self) -> str:
        return f"Протокол № {self.number} заседания {self.association} от {date_ru(self.meeting.day)}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:protocol", args=[self.pk])

    @property
    def document_key(self) -> str:
        return f"meetings.protocol:{self.pk}"

    @property
    def is_final(self) -> bool:
        """Signed by all, or accepted by the methodist: the text is frozen."""
        return self.status in self.FINAL

    @property
    def is_returned(self) -> bool:
        return self.status == self.Status.RETURNED

    def days_late(self) -> int | None:
        """Days past the regulation's term at the last signature (None: on time, unsigned or no term)."""
        if not (self.signed_at and self.due_on):
            return None
        late = (timezone.localdate(self.signed_at) - self.due_on).days
        return late if late > 0 else None

    def late_label(self) -> str:
        late = self.days_late()
        return f"подписан с опозданием на {late} {plural_ru(late, ('день', 'дня', 'дней'))}" if late else ""


class ProtocolVersion(models.Model):
    """A frozen text of a protocol sent for signature: what was signed, kept when a correction follows."""

    protocol = models.ForeignKey(Protocol, on_delete=models.CASCADE, related_name="versions", verbose_name="протокол")
    number = models.PositiveSmallIntegerField("версия")
    text = models.TextField("текст")
    data = models.JSONField("содержание", default=dict)
    sha256 = models.CharField("SHA-256 текста", max_length=64)
    reason = models.TextField("причина исправления", blank=True)
    created_at = models.DateTimeField("создана", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="кем"
    )

    class Meta:
        verbose_name = "версия протокола"
        verbose_name_plural = "версии протокола"
        ordering = ["protocol", "number"]
        constraints = [models.UniqueConstraint(fields=["protocol", "number"], name="protocol_version_unique")]

    def __str__(self) -> str:
        return f"{self.protocol}, версия {self.number}"


# --- personal calendar feed ------------------------------------------------------------------------------


class CalendarFeed(models.Model):
    """A person's secret iCalendar address: their meetings and the district's events, for a calendar app."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name="пользователь"
    )
    token = models.CharField("секретный ключ", max_length=64, unique=True)
    created_at = models.DateTimeField("выдан", auto_now=True)

    class Meta:
        verbose_name = "календарь (iCalendar)"
        verbose_name_plural = "календари (iCalendar)"

    def __str__(self) -> str:
        return f"Календарь: {self.user}"


# --- events of the district ------------------------------------------------------------------------------


class EventQuerySet(models.QuerySet):
    def visible_to(self, user):
        if _is_service(user):
            return self
        if user.is_authenticated:
            mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
            return self.filter(Q(published=True) | Q(organisers__in=mine) | Q(created_by=user)).distinct()
        return self.filter(published=True)


class Event(models.Model):
    """A district event: a seminar, a contest, an olympiad stage, an open lesson…; its participants' results."""

    class Kind(models.TextChoices):
        SEMINAR = "seminar", "Семинар"
        MASTER_CLASS = "master_class", "Мастер-класс"
        WORKSHOP = "workshop", "Практикум"
        CONTEST = "contest", "Конкурс профессионального мастерства"
        OLYMPIAD_SCHOOL = "olympiad_school", "Олимпиада (школьный этап)"
        OLYMPIAD_DISTRICT = "olympiad_district", "Олимпиада (муниципальный этап)"
        CONFERENCE = "conference", "Конференция"
        READINGS = "readings", "Педагогические чтения"
        OPEN_LESSON = "open_lesson", "Открытый урок"

    kind = models.CharField("вид", max_length=30, choices=Kind.choices)
    title = models.CharField("название", max_length=500)
    description = models.TextField("описание", blank=True)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание", null=True, blank=True)
    place = models.CharField("место", max_length=300, blank=True)
    organisers = models.ManyToManyField(
        Association, blank=True, related_name="organised_events", verbose_name="организаторы (объединения)"
    )
    by_service = models.BooleanField("организует методическая служба", default=False)
    subject = models.ForeignKey(
        Subject, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="предмет"
    )
    published = models.BooleanField("опубликовано", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="создал"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        verbose_name = "мероприятие"
        verbose_name_plural = "мероприятия"
        ordering = ["starts_on", "pk"]
        indexes = [models.Index(fields=["published", "starts_on"], name="event_published_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="event_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("meetings:event_detail", args=[self.pk])

    @property
    def last_day(self) -> datetime.date:
        return self.ends_on or self.starts_on

    @property
    def dates_label(self) -> str:
        if not self.ends_on or self.ends_on == self.starts_on:
            return date_ru(self.starts_on)
        return f"{date_ru(self.starts_on)} — {date_ru(self.ends_on)}"


class EventMaterial(models.Model):
    """A file of an event (a programme, a collection of theses), through the files module."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="materials", verbose_name="мероприятие")
    file = models.ForeignKey("rmo_portal.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name="файл")
    title = models.CharField("название", max_length=300, blank=True)

    class Meta:
        verbose_name = "материал мероприятия"
        verbose_name_plural = "материалы мероприятий"

    def __str__(self) -> str:
        return self.title or self.file.original_name


class EventParticipant(models.Model):
    """A participant of an event and the result (участник, призёр, победитель); a teacher's result is on the profile."""

    class Result(models.TextChoices):
        PARTICIPANT = "participant", "участник"
        PRIZE = "prize", "призёр"
        WINNER = "winner", "победитель"

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="participants", verbose_name="мероприятие")
    teacher = models.ForeignKey(
        Teacher, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name="педагог"
    )
    name = models.CharField("ФИО", max_length=300)
    organisation = models.CharField("организация", max_length=300, blank=True)
    result = models.CharField("результат", max_length=20, choices=Result.choices, default=Result.PARTICIPANT)
    # The achievement on the teacher's profile this row keeps current (members.Achievement, kind «event»).
    achievement = models.OneToOneField(
        "members.Achievement", on_delete=models.SET_NULL, null=True, blank=True, related_name="event_participant",
        verbose_name="достижение в профиле",
    )  # fmt: skip

    class Meta:
        verbose_name = "участник мероприятия"
        verbose_name_plural = "участники мероприятий"
        ordering = ["event", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "teacher"], condition=Q(teacher__isnull=False), name="event_participant_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} — {self.get_result_display()}"
