"""The documents an association files: the work plan, the annual report, quarterly notes, the portfolio and the
self-assessment; their versions, the members' discussion and vote, the methodist's comments, mentorship pairs."""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse

from associations.models import Association, Membership
from associations.models import Document as Kind
from meetings.models import Event, Meeting
from members.models import Role
from rmo_portal import calendar

SERVICE_ROLES = (Role.DISTRICT_HEAD, Role.METHODIST, Role.ADMIN)

# The sections of each kind, in order: (key, title, hint). Prose is sanitised HTML (reports.text).
SECTIONS: dict[str, list[tuple[str, str, str]]] = {
    Kind.WORK_PLAN: [
        ("goal", "Цель", "Цель работы объединения на учебный год."),
        ("tasks", "Задачи", "Задачи на год, списком."),
        ("themes", "Методическая тема", "Тема, над которой объединение работает."),
        (
            "young",
            "Работа с молодыми и вновь прибывшими специалистами",
            "Формы поддержки, наставники (seed 004 §9.12).",
        ),
    ],
    Kind.ANNUAL_REPORT: [
        ("plan", "Выполнение плана работы", "Что сделано по плану; что перенесено или не выполнено и почему."),
        ("meetings", "Заседания", "Проведённые заседания и их темы."),
        ("events", "Мероприятия и результаты", "Семинары, конкурсы, олимпиады, открытые уроки; результаты педагогов."),
        ("growth", "Профессиональный рост педагогов", "Аттестация, курсы повышения квалификации, достижения."),
        ("young", "Работа с молодыми специалистами и наставничество", "Пары наставник — молодой специалист, итоги."),
        ("problems", "Проблемы", ""),
        ("proposals", "Предложения на следующий год", ""),
    ],
    Kind.QUARTERLY_NOTE: [
        ("meetings", "Заседания за квартал", ""),
        ("events", "Мероприятия и результаты за квартал", ""),
        ("growth", "Профессиональный рост педагогов за квартал", ""),
        ("analysis", "Анализ и выводы", ""),
    ],
    Kind.PORTFOLIO: [
        ("intro", "О портфолио", "Что вошло в портфолио объединения за год."),
    ],
    Kind.SELF_ASSESSMENT: [
        ("assessment", "Самоанализ", "Самооценка качества работы объединения за год."),
    ],
}
# Sections that name people by their professional situation: read by the association and the service only.
PRIVATE_SECTIONS = {"young"}
FILED_KINDS = [Kind.WORK_PLAN, Kind.ANNUAL_REPORT, Kind.QUARTERLY_NOTE, Kind.PORTFOLIO, Kind.SELF_ASSESSMENT]


class FilingQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The public reads published documents; members their associations'; the service everything."""
        published = Q(status=Filing.Status.PUBLISHED)
        if not user.is_authenticated:
            return self.filter(published)
        if user.role in SERVICE_ROLES or user.is_superuser:
            return self
        mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
        return self.filter(published | Q(association__in=mine))

    def awaiting_review_by(self, user):
        """Submitted documents of the associations the methodist curates, oldest first."""
        return self.filter(status=Filing.Status.SUBMITTED, association__curators=user).order_by("submitted_at", "pk")


class Filing(models.Model):
    """A document an association files for an academic year (or one quarter of it)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        DISCUSSION = "discussion", "Обсуждение членами объединения"
        SUBMITTED = "submitted", "На проверке у методиста"
        RETURNED = "returned", "Возвращён на доработку"
        ACCEPTED = "accepted", "Принят"
        PUBLISHED = "published", "Опубликован"

    # The allowed moves; only reports.services changes `status`.
    TRANSITIONS = {
        Status.DRAFT: {Status.DISCUSSION, Status.SUBMITTED},
        Status.DISCUSSION: {Status.DRAFT, Status.SUBMITTED},
        Status.SUBMITTED: {Status.RETURNED, Status.ACCEPTED},
        Status.RETURNED: {Status.SUBMITTED, Status.DISCUSSION},
        Status.ACCEPTED: {Status.PUBLISHED},
        Status.PUBLISHED: set(),
    }
    STATUS_BADGE = {
        Status.DRAFT: "secondary", Status.DISCUSSION: "info", Status.SUBMITTED: "warning",
        Status.RETURNED: "danger", Status.ACCEPTED: "success", Status.PUBLISHED: "success",
    }  # fmt: skip
    EDITABLE = {Status.DRAFT, Status.DISCUSSION, Status.RETURNED}

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="filings", verbose_name="объединение"
    )
    kind = models.CharField("документ", max_length=30, choices=Kind.choices)
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)")
    # 1–4 for a quarterly note (the quarters of calendar.periods(QUARTER, year)); 0 for the documents of a year.
    quarter = models.PositiveSmallIntegerField("квартал", default=0)
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.DRAFT)
    body = models.JSONField("текст по разделам", default=dict, blank=True)
    # Where each pre-filled figure comes from: [{"section", "label", "value", "source", "url"}].
    sources = models.JSONField("источники цифр", default=list, blank=True)
    revision = models.PositiveIntegerField("редакция", default=1)
    discussion_until = models.DateField("обсуждение до", null=True, blank=True)
    submitted_at = models.DateTimeField("отправлен на проверку", null=True, blank=True)
    accepted_at = models.DateTimeField("принят", null=True, blank=True)
    publish_on = models.DateField("опубликовать", null=True, blank=True)
    published_at = models.DateTimeField("опубликован", null=True, blank=True)
    # The published text folded (lower case, ё → е), for the public search.
    search_text = models.TextField("текст для поиска", blank=True)
    approved_at_meeting = models.ForeignKey(
        Meeting, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="утверждён на заседании",
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="создал"
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    status_changes = GenericRelation("rmo_portal.StatusChange")
    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = "документ объединения"
        verbose_name_plural = "документы объединений"
        ordering = ["association", "-academic_year", "kind", "quarter"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "kind", "academic_year", "quarter"], name="filing_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "discussion", "submitted", "returned", "accepted", "published"]),
                name="filing_status_valid",
            ),
            models.CheckConstraint(
                condition=(Q(kind="quarterly_note") & Q(quarter__gte=1) & Q(quarter__lte=4))
                | (~Q(kind="quarterly_note") & Q(quarter=0)),
                name="filing_quarter_only_for_notes",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"], name="filing_status_submitted")]

    def __str__(self) -> str:
        return f"{self.title}: {self.association}"

    def get_absolute_url(self) -> str:
        return reverse("reports:detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        return Kind(self.kind).label

    @property
    def period(self) -> calendar.Period | None:
        if self.kind != Kind.QUARTERLY_NOTE:
            return None
        return calendar.periods(calendar.PeriodKind.QUARTER, self.academic_year)[self.quarter - 1]

    @property
    def title(self) -> str:
        """«План работы на 2027/28 учебный год», «Аналитическая записка за IV квартал 2026»."""
        year = calendar.academic_year_label(self.academic_year)
        if self.kind == Kind.QUARTERLY_NOTE:
            return f"Аналитическая записка за {self.period.label}"
        names = {
            Kind.WORK_PLAN: f"План работы на {year} учебный год",
            Kind.ANNUAL_REPORT: f"Анализ деятельности за {year} учебный год",
            Kind.PORTFOLIO: f"Портфолио объединения за {year} учебный год",
            Kind.SELF_ASSESSMENT: f"Самоанализ (самооценка качества работы) за {year} учебный год",
        }
        return names.get(self.kind, f"{self.kind_label} за {year} учебный год")

    @property
    def sections(self) -> list[dict]:
        return [
            {"key": key, "title": title, "hint": hint, "html": self.body.get(key, "")}
            for key, title, hint in SECTIONS.get(self.kind, [])
        ]

    def is_discussion_open(self, on: datetime.date) -> bool:
        return self.status == self.Status.DISCUSSION and (self.discussion_until is None or on <= self.discussion_until)


class PlanItem(models.Model):
    """A line of a work plan: what, when (a month or a date), the form, who is responsible, the expected result."""

    class Form(models.TextChoices):
        MEETING = "meeting", "заседание"
        SEMINAR = "seminar", "семинар"
        MASTER_CLASS = "master_class", "мастер-класс"
        CONTEST = "contest", "конкурс"
        OPEN_LESSON = "open_lesson", "открытый урок"
        OLYMPIAD = "olympiad", "олимпиада"
        CONSULTATION = "consultation", "консультация"
        OTHER = "other", "другое"

    class Outcome(models.TextChoices):
        PLANNED = "planned", "запланировано"
        DONE = "done", "выполнено"
        MOVED = "moved", "перенесено"
        NOT_DONE = "not_done", "не выполнено"

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="items", verbose_name="план")
    position = models.PositiveSmallIntegerField("№ п/п", default=1)
    what = models.CharField("мероприятие", max_length=500)
    month = models.PositiveSmallIntegerField("месяц", null=True, blank=True)
    date = models.DateField("дата", null=True, blank=True)
    form = models.CharField("форма", max_length=20, choices=Form.choices, default=Form.MEETING)
    responsible = models.CharField("ответственный", max_length=300, blank=True)
    expected = models.CharField("ожидаемый результат", max_length=500, blank=True)
    outcome = models.CharField("итог", max_length=20, choices=Outcome.choices, default=Outcome.PLANNED)
    meetings = models.ManyToManyField(Meeting, blank=True, related_name="plan_items", verbose_name="заседания")
    events = models.ManyToManyField(Event, blank=True, related_name="plan_items", verbose_name="мероприятия")

    class Meta:
        verbose_name = "пункт плана"
        verbose_name_plural = "пункты плана"
        ordering = ["filing", "position", "pk"]

    def __str__(self) -> str:
        return self.what

    @property
    def execution(self) -> str:
        """What became of the item, from the meetings and events that carried it out (prefetch them): a held
        meeting or a past event — done; only cancelled meetings — not done; a meeting later than planned —
        moved; nothing linked — what the leader marked."""
        meetings = list(self.meetings.all())
        if any(m.status == "held" for m in meetings) or any(e.last_day < calendar.today() for e in self.events.all()):
            return self.Outcome.DONE
        if meetings and all(m.status == "cancelled" for m in meetings):
            return self.Outcome.NOT_DONE
        planned_month = self.date.month if self.date else self.month
        if planned_month and any(m.day.month != planned_month for m in meetings if m.status == "planned"):
            return self.Outcome.MOVED
        return self.outcome

    @property
    def execution_label(self) -> str:
        return self.Outcome(self.execution).label

    @property
    def when_label(self) -> str:
        from rmo_portal.text import date_ru

        if self.date:
            return date_ru(self.date)
        if self.month:
            return calendar.MONTHS_NOMINATIVE[self.month]
        return "в течение года"


class FilingVersion(models.Model):
    """What was submitted, each time: kept for good, so that any two can be compared."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="versions", verbose_name="документ")
    number = models.PositiveSmallIntegerField("версия")
    body = models.JSONField("текст по разделам", default=dict)
    items = models.JSONField("пункты плана", default=list)
    text = models.TextField("текст для сравнения")
    created_at = models.DateTimeField("отправлена", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name="кем"
    )

    class Meta:
        verbose_name = "версия документа"
        verbose_name_plural = "версии документов"
        ordering = ["filing", "number"]
        constraints = [models.UniqueConstraint(fields=["filing", "number"], name="filing_version_unique")]

    def __str__(self) -> str:
        return f"{self.filing}, версия {self.number}"


class FilingComment(models.Model):
    """A comment on a document: a member's in the discussion, or the methodist's on review, on a section or all."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="comments", verbose_name="документ")
    section = models.CharField("раздел", max_length=30, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="автор"
    )
    text = models.TextField("комментарий")
    review = models.BooleanField("замечание методиста", default=False)
    version = models.PositiveSmallIntegerField("к версии", null=True, blank=True)
    created_at = models.DateTimeField("написан", auto_now_add=True)

    class Meta:
        verbose_name = "комментарий к документу"
        verbose_name_plural = "комментарии к документам"
        ordering = ["filing", "created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:80]


class Vote(models.Model):
    """A member's vote on a draft in discussion: one per member, changeable until the discussion closes."""

    class Choice(models.TextChoices):
        FOR = "for", "за"
        AGAINST = "against", "против"
        ABSTAIN = "abstain", "воздержался(лась)"

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="votes", verbose_name="документ")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    choice = models.CharField("голос", max_length=10, choices=Choice.choices)
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "голос"
        verbose_name_plural = "голоса"
        constraints = [models.UniqueConstraint(fields=["filing", "user"], name="vote_once_per_member")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_choice_display()}"


class Mentorship(models.Model):
    """A mentor and a young or newly arrived specialist of an association for a year (seed 004 §9.12)."""

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="mentorships", verbose_name="объединение"
    )
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)")
    mentee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentors_as_mentee", verbose_name="специалист"
    )
    mentor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentees_as_mentor", verbose_name="наставник"
    )
    newly_arrived = models.BooleanField("вновь прибывший (не молодой) специалист", default=False)
    support = models.TextField("формы поддержки", blank=True)
    result = models.TextField("что получилось", blank=True)

    class Meta:
        verbose_name = "наставничество"
        verbose_name_plural = "наставничество"
        constraints = [
            models.UniqueConstraint(fields=["association", "academic_year", "mentee"], name="mentorship_once"),
            models.CheckConstraint(condition=~Q(mentee=models.F("mentor")), name="mentorship_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.mentor} → {self.mentee}"


# --- the deadline engine (issue 12): obligations and their reminders -------------------------------------------


OBLIGATION_STATUSES = ["upcoming", "due_soon", "overdue", "fulfilled_on_time", "fulfilled_late", "waived"]


class ObligationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=Obligation.OPEN)

    def owned_by(self, user):
        return self.filter(owner=user)

    def visible_to(self, user):
        """The service sees every obligation; a person those of the associations she belongs to; the public none."""
        if not user.is_authenticated:
            return self.none()
        if user.role in SERVICE_ROLES or user.is_superuser:
            return self
        mine = Membership.objects.current(on=calendar.today()).filter(user=user).values("association")
        return self.filter(association__in=mine)


class Obligation(models.Model):
    """One dated thing an association owes under its regulation, fulfilled by what happens in the portal."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "заседание"
        PROTOCOL = "protocol", "протокол"
        DOCUMENT = "document", "документ"
        PUBLICATION = "publication", "публикация"
        DATABASE = "database", "база педагогов"

    class Status(models.TextChoices):
        UPCOMING = "upcoming", "Предстоит"
        DUE_SOON = "due_soon", "Срок скоро"
        OVERDUE = "overdue", "Просрочено"
        FULFILLED_ON_TIME = "fulfilled_on_time", "Выполнено в срок"
        FULFILLED_LATE = "fulfilled_late", "Выполнено с опозданием"
        WAIVED = "waived", "Снято"  # by the curating methodist with a reason, or by the system (see its history)

    OPEN = {Status.UPCOMING, Status.DUE_SOON, Status.OVERDUE}
    # The open states move among themselves (a regulation's date may be edited); fulfilled and waived ones stay.
    TRANSITIONS = {
        Status.UPCOMING: {Status.DUE_SOON, Status.OVERDUE, Status.FULFILLED_ON_TIME, Status.FULFILLED_LATE,
                          Status.WAIVED},
        Status.DUE_SOON: {Status.UPCOMING, Status.OVERDUE, Status.FULFILLED_ON_TIME, Status.FULFILLED_LATE,
                          Status.WAIVED},
        Status.OVERDUE: {Status.UPCOMING, Status.DUE_SOON, Status.FULFILLED_ON_TIME, Status.FULFILLED_LATE,
                         Status.WAIVED},
        Status.FULFILLED_ON_TIME: set(),
        Status.FULFILLED_LATE: set(),
        Status.WAIVED: set(),
    }  # fmt: skip
    STATUS_BADGE = {
        Status.UPCOMING: "secondary", Status.DUE_SOON: "warning", Status.OVERDUE: "danger",
        Status.FULFILLED_ON_TIME: "success", Status.FULFILLED_LATE: "info", Status.WAIVED: "light",
    }  # fmt: skip

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="obligations", verbose_name="объединение"
    )
    # The rule that gives it («associations.meetingrule:5») and its period («2026-half_year-1», «2026», «2026-q3»).
    rule_key = models.CharField("правило", max_length=100)
    period_key = models.CharField("период", max_length=50)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices)
    what = models.CharField("что", max_length=300)
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)")
    # What fulfils it: the document and quarter of a Filing, the meeting of a protocol, the period of meetings.
    document = models.CharField("документ", max_length=30, blank=True)
    quarter = models.PositiveSmallIntegerField("квартал", default=0)
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, null=True, blank=True, related_name="obligations", verbose_name="заседание"
    )
    starts_on = models.DateField("с", null=True, blank=True)
    # The end of this day in the district's time zone (settings.TIME_ZONE).
    due = models.DateField("срок")
    target = models.PositiveSmallIntegerField("не менее (заседаний или % профилей)", default=1)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="obligations",
        verbose_name="ответственный",
    )  # fmt: skip
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="методист",
    )  # fmt: skip
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.UPCOMING)
    fulfilled_at = models.DateTimeField("выполнено", null=True, blank=True)
    waived_reason = models.TextField("почему снято", blank=True)
    # False while the regulation's date is assumed and unconfirmed: reminders to the leader only.
    escalates = models.BooleanField("сообщать методисту и начальнику", default=True)
    assumed = models.BooleanField("срок принят порталом", default=False)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    status_changes = GenericRelation("rmo_portal.StatusChange")
    objects = ObligationQuerySet.as_manager()

    class Meta:
        verbose_name = "обязательство"
        verbose_name_plural = "обязательства"
        ordering = ["due", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "rule_key", "period_key"], name="obligation_one_per_rule_period"
            ),
            models.CheckConstraint(condition=Q(status__in=OBLIGATION_STATUSES), name="obligation_status_valid"),
        ]
        indexes = [models.Index(fields=["status", "due"], name="obligation_status_due")]

    def __str__(self) -> str:
        return f"{self.what}: {self.association}"

    def get_absolute_url(self) -> str:
        return reverse("reports:obligation", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN

    @property
    def due_label(self) -> str:
        """«до 20 июня 2027 г.», «с 20 по 30 августа 2027 г.»."""
        from rmo_portal.text import date_ru

        if self.kind == self.Kind.PUBLICATION and self.starts_on:
            return f"с {date_ru(self.starts_on)} по {date_ru(self.due)}"
        return f"до {date_ru(self.due)}"


class Reminder(models.Model):
    """One letter about an obligation at one step to one person: created once, then queued, sent or failed."""

    obligation = models.ForeignKey(
        Obligation, on_delete=models.CASCADE, related_name="reminders", verbose_name="обязательство"
    )
    # "before_14", "before_7", "before_1", "due", "after", "methodist", "head".
    step = models.CharField("шаг", max_length=20)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="кому"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    # When the reminder became a notification (rmo_portal.notifications), which mails it and records a failure.
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)
    notification = models.OneToOneField(
        "rmo_portal.Notification", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="уведомление",
    )  # fmt: skip

    class Meta:
        verbose_name = "напоминание"
        verbose_name_plural = "напоминания"
        ordering = ["created_at", "pk"]
        constraints = [
            # «Exactly once», even when two sweeps run at once: the second insert fails and sends nothing.
            models.UniqueConstraint(fields=["obligation", "step", "recipient"], name="reminder_once_per_step"),
        ]

    def __str__(self) -> str:
        return f"{self.obligation}: {self.step} → {self.recipient}"
