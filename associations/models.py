import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone

from members.models import Category
from rmo_portal import calendar
from rmo_portal.calendar import PeriodKind, Requirement, day_month_label
from rmo_portal.permissions import allowed
from rmo_portal.text import plural_ru


def validate_day_month(value: str) -> None:
    """«25.09»: a day and month that exists every year (no 31.02, no 29.02)."""
    try:
        calendar.parse_day_month(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None


DAYS_LIST = RegexValidator(r"^\d+(,\s*\d+)*$", "Перечислите дни через запятую: 14,7,1")
# A leader's minimum category and the categories that meet it («педагог-методист» and «-наставник» are above «высшая»).
LEADER_CATEGORY_CHOICES = [(Category.FIRST, "первая или высшая"), (Category.HIGHEST, "высшая")]
LEADER_CATEGORY_RANKS = {
    Category.FIRST: {Category.FIRST, Category.HIGHEST, Category.METHODIST, Category.MENTOR},
    Category.HIGHEST: {Category.HIGHEST, Category.METHODIST, Category.MENTOR},
}


class Experience(models.TextChoices):
    """Which experience a leader's minimum years count."""

    PEDAGOGICAL = "pedagogical", "педагогический стаж"
    TOTAL = "total", "стаж работы в системе образования (общий)"


class Regulation(models.Model):
    """A district's rulebook (положение): its rules are the rows below, edited without a deploy."""

    class BodyKind(models.TextChoices):
        ASSOCIATION = "association", "Методическое объединение"
        SERVICE = "service", "Методическая служба"

    class Appointment(models.TextChoices):
        ORDER = "order", "назначается приказом"
        ELECTION = "election", "избирается членами объединения или назначается, утверждается приказом"

    code = models.SlugField("код", max_length=50, unique=True)
    title = models.CharField("название", max_length=300)
    district = models.CharField("район", max_length=200)
    body_kind = models.CharField("о ком", max_length=20, choices=BodyKind.choices, default=BodyKind.ASSOCIATION)
    source = models.CharField("источник", max_length=200, blank=True, help_text="Документ, из которого взяты правила")
    summary = models.TextField("кратко", blank=True)
    copied_from = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name="копия положения"
    )
    # The teacher database (seed 004 §6.10).
    teacher_database_due = models.CharField(
        "срок обновления базы педагогов (ДД.ММ)",
        max_length=5,
        blank=True,
        validators=[validate_day_month],
        help_text="Например, 25.09 — к 25 сентября каждого года (положение Вилюйского УМО, п. 6.10)",
    )
    teacher_database_share = models.PositiveSmallIntegerField(
        "доля подтверждённых профилей, %", default=90, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    # Who may lead (seeds 000 §2, 003 §3.3, 004 §5).
    leader_min_category = models.CharField(
        "категория руководителя не ниже", max_length=20, choices=LEADER_CATEGORY_CHOICES, blank=True
    )
    leader_min_years = models.PositiveSmallIntegerField("стаж руководителя не менее, лет", default=0)
    leader_experience = models.CharField(
        "какой стаж", max_length=20, choices=Experience.choices, default=Experience.PEDAGOGICAL
    )
    leader_subject_teacher = models.BooleanField(
        "руководитель — учитель предмета объединения", default=False,
        help_text="Положение Вилюйского УМО, п. 1.4: из числа учителей-предметников",
    )  # fmt: skip
    leader_higher_pedagogical = models.BooleanField(
        "руководителю нужно высшее педагогическое образование", default=False
    )
    leader_appointment = models.CharField(
        "как назначается руководитель", max_length=20, choices=Appointment.choices, default=Appointment.ORDER
    )
    leader_replace_after_months = models.PositiveSmallIntegerField(
        "руководителя можно заменить после стольких месяцев невыполнения обязанностей", null=True, blank=True
    )
    composition_by_order = models.BooleanField("состав объединения утверждается приказом", default=False)
    # Reminders (defaults, not from the seeds).
    reminder_days = models.CharField(
        "напоминать за (дней до срока)", max_length=50, default="14,7,1", validators=[DAYS_LIST]
    )
    escalate_to_methodist_after = models.PositiveSmallIntegerField(
        "сообщать методисту через, дней после срока", default=3
    )
    escalate_to_head_after = models.PositiveSmallIntegerField("сообщать начальнику через, дней после срока", default=10)
    teacher_database_clause = models.CharField("пункт положения о базе педагогов", max_length=300, blank=True)

    class Meta:
        verbose_name = "положение"
        verbose_name_plural = "положения"
        ordering = ["district", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(escalate_to_head_after__gte=models.F("escalate_to_methodist_after")),
                name="regulation_escalation_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.district})"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("associations:regulation_detail", args=[self.pk])

    @property
    def reminder_offsets(self) -> list[int]:
        return sorted({int(x) for x in self.reminder_days.split(",") if x.strip()}, reverse=True)

    @property
    def reminder_days_label(self) -> str:
        """«за 14, 7 и 1 день»."""
        offsets = self.reminder_offsets
        if not offsets:
            return "без напоминаний"
        numbers = ", ".join(map(str, offsets[:-1])) + (" и " if len(offsets) > 1 else "") + str(offsets[-1])
        return f"за {numbers} {plural_ru(offsets[-1], ('день', 'дня', 'дней'))}"

    def teacher_database_deadline(self, academic_year: int) -> datetime.date | None:
        """The day the teacher database must be refreshed by in an academic year."""
        if not self.teacher_database_due:
            return None
        day, month = calendar.parse_day_month(self.teacher_database_due)
        return calendar.day_in_year(academic_year, month, day)

    def requirements(self, academic_year: int) -> list[Requirement]:
        """Everything this regulation asks of an association in an academic year, dated, in date order.

        The one answer for every page and, later, the deadline engine: meetings per period, documents (with the
        year each covers), publication windows, the teacher-database refresh.
        """
        found: list[Requirement] = []
        for rule in self.meeting_rules.all():
            found += rule.requirements(academic_year)
        for rule in self.document_rules.all():
            found += rule.requirements(academic_year)
        for rule in self.publication_windows.all():
            found += rule.requirements(academic_year)
        deadline = self.teacher_database_deadline(academic_year)
        if deadline:
            found.append(
                Requirement(
                    what="база педагогов проверена и обновлена "
                    f"(не менее {self.teacher_database_share}\u00a0% профилей)",
                    kind="database", due=deadline, for_year=academic_year, rule=self,
                    clause=self.teacher_database_clause,
                )
            )  # fmt: skip
        return sorted(found, key=lambda r: (r.due, r.starts_on or r.due, r.what))

    def requirements_covering(self, academic_year: int) -> list[Requirement]:
        """What concerns the documents *of* an academic year, wherever its date falls.

        The Вилюйский plan for 2026/27 was due on 20 June 2026, in the year before: a district that starts
        using the portal in 2026/27 still owes (or has filed) the plan of its current year.
        """
        found = self.requirements(academic_year - 1) + self.requirements(academic_year)
        return sorted((r for r in found if r.for_year == academic_year), key=lambda r: (r.due, r.what))

    def leader_problems(self, teacher, *, on: datetime.date, subject_area: str = "") -> list[str]:
        """The unmet leader requirements of this regulation, in Russian; empty when the candidate is eligible."""
        problems = []
        if self.leader_min_category:
            allowed = LEADER_CATEGORY_RANKS[self.leader_min_category]
            if teacher is None or teacher.category not in allowed:
                label = dict(LEADER_CATEGORY_CHOICES)[self.leader_min_category]
                problems.append(f"требуется {label} квалификационная категория")
        if self.leader_min_years:
            total = self.leader_experience == Experience.TOTAL
            years = (teacher.total_years(on) if total else teacher.pedagogical_years(on)) if teacher else None
            if years is None or years < self.leader_min_years:
                have = "стаж не указан" if years is None else f"стаж {years} {plural_ru(years, ('год', 'года', 'лет'))}"
                need = plural_ru(self.leader_min_years, ("года", "лет", "лет"))
                what = "стаж работы в системе образования" if total else "педагогический стаж"
                problems.append(f"требуется {what} не менее {self.leader_min_years} {need} ({have})")
        if self.leader_higher_pedagogical:
            has = teacher is not None and any(
                e.level == "higher" and e.is_pedagogical for e in teacher.educations.all()
            )
            if not has:
                problems.append("требуется высшее педагогическое образование")
        if self.leader_subject_teacher and subject_area:
            from rmo_portal.search import fold

            area = fold(subject_area)
            subjects = [fold(s.name) for s in teacher.subjects.all()] if teacher else []
            if not any(s and (s in area or area in s) for s in subjects):
                problems.append(f"руководитель должен быть учителем предмета объединения ({subject_area})")
        return problems


class MeetingRule(models.Model):
    """At least N meetings in each period (school term, half-year, quarter, academic year)."""

    class Period(models.TextChoices):
        TERM = "term", "четверть"
        HALF_YEAR = "half_year", "полугодие"
        QUARTER = "quarter", "квартал"
        YEAR = "year", "учебный год"

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="meeting_rules")
    period = models.CharField("период", max_length=20, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField("не менее заседаний", default=1, validators=[MinValueValidator(1)])
    by_published_schedule = models.BooleanField("по опубликованному графику", default=False)
    note = models.CharField("пункт положения", max_length=300, blank=True)

    class Meta:
        verbose_name = "правило: заседания"
        verbose_name_plural = "правила: заседания"
        constraints = [
            # Two rules for one period would make two obligations of the same meetings.
            models.UniqueConstraint(fields=["regulation", "period"], name="meeting_rule_one_per_period"),
        ]

    def __str__(self) -> str:
        return f"не менее {self.count_label} за {PeriodKind.EACH[self.period]}"

    @property
    def count_label(self) -> str:
        return f"{self.min_count} {plural_ru(self.min_count, ('заседания', 'заседаний', 'заседаний'))}"

    def requirements(self, academic_year: int) -> list[Requirement]:
        """At least N meetings in each period of the year, due by the period's last day."""
        what = f"не менее {self.count_label}" + (" по опубликованному графику" if self.by_published_schedule else "")
        return [
            Requirement(what=what, kind="meeting", due=period.ends_on, for_year=academic_year, rule=self,
                        period=period, starts_on=None, clause=self.note)
            for period in calendar.periods(self.period, academic_year)
        ]  # fmt: skip


class ProtocolRule(models.Model):
    """How a meeting's protocol is kept: within N days, who signs, whether a scan is published."""

    regulation = models.OneToOneField(Regulation, on_delete=models.CASCADE, related_name="protocol_rule")
    days_after_meeting = models.PositiveSmallIntegerField("оформить в течение, дней", null=True, blank=True)
    kept_by_secretary = models.BooleanField("ведёт секретарь", default=True)
    signed_by_leader = models.BooleanField("подписывает руководитель", default=True)
    signed_by_secretary = models.BooleanField("подписывает секретарь", default=False)
    scan_published = models.BooleanField("скан публикуется", default=False)
    note = models.CharField("пункт положения", max_length=300, blank=True)

    class Meta:
        verbose_name = "правило: протокол"
        verbose_name_plural = "правила: протокол"

    def __str__(self) -> str:
        signers = [
            n for n, on in (("руководитель", self.signed_by_leader), ("секретарь", self.signed_by_secretary)) if on
        ]
        days = (
            f"в течение {self.days_after_meeting} {plural_ru(self.days_after_meeting, ('дня', 'дней', 'дней'))}, "
            if self.days_after_meeting
            else ""
        )
        return f"протокол: {days}подписывают {' и '.join(signers) or 'не указано'}"


class Document(models.TextChoices):
    """Documents an association owes."""

    PLAN_DRAFT = "plan_draft", "проект плана работы"
    WORK_PLAN = "work_plan", "план работы"
    ANNUAL_REPORT = "annual_report", "анализ (отчёт) о деятельности за год"
    QUARTERLY_NOTE = "quarterly_note", "аналитическая записка за квартал"
    PORTFOLIO = "portfolio", "портфолио объединения"
    SELF_ASSESSMENT = "self_assessment", "самооценка качества работы"


class DocumentRule(models.Model):
    """A document owed by a date rule: a fixed day, day N of each quarter's last month, or N days into the year."""

    class DateRule(models.TextChoices):
        FIXED_DAY = "fixed_day", "к фиксированному дню учебного года"
        QUARTER_END = "quarter_end", "к N-му числу последнего месяца каждого квартала"
        AFTER_YEAR_START = "after_start", "через N дней после начала учебного года"
        PERIOD = "period", "в течение периода (с — по)"

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="document_rules")
    document = models.CharField("документ", max_length=30, choices=Document.choices)
    date_rule = models.CharField("срок", max_length=20, choices=DateRule.choices)
    start_month = models.PositiveSmallIntegerField(
        "с месяца", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text="Только для периода: его первый день.",
    )  # fmt: skip
    start_day = models.PositiveSmallIntegerField(
        "с числа", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    month = models.PositiveSmallIntegerField(
        "месяц", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    day = models.PositiveSmallIntegerField(
        "число", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    days = models.PositiveSmallIntegerField("дней после начала года", null=True, blank=True)
    covers_next_year = models.BooleanField(
        "документ на следующий учебный год", default=False,
        help_text="Например, план, который утверждают в июне на следующий учебный год.",
    )  # fmt: skip
    date_assumed = models.BooleanField(
        "срок принят порталом: положение его не устанавливает",
        default=False,
        help_text="Такой срок даёт напоминания только руководителю, без сообщений методисту и начальнику, "
        "пока администратор его не подтвердит.",
    )
    date_confirmed = models.BooleanField("принятый срок подтверждён администратором", default=False)
    recipient = models.CharField("кому", max_length=100, blank=True)
    discussion_and_vote = models.BooleanField("обсуждение и голосование перед утверждением", default=False)
    note = models.CharField("пункт положения", max_length=300, blank=True)

    class Meta:
        verbose_name = "правило: документ к сроку"
        verbose_name_plural = "правила: документы к сроку"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(date_rule="fixed_day", month__isnull=False, day__isnull=False)
                    | Q(date_rule="quarter_end", day__isnull=False)
                    | Q(date_rule="after_start", days__isnull=False)
                    | Q(date_rule="period", start_month__isnull=False, start_day__isnull=False, month__isnull=False,
                        day__isnull=False)
                ),
                name="document_rule_has_its_parameters",
            ),
            # Two deadlines for one document would make two obligations for it.
            models.UniqueConstraint(fields=["regulation", "document"], name="document_rule_one_per_document"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.get_document_display()}: {self.describe()}"

    def describe(self) -> str:
        """The rule as the regulation says it: «до 20 июня», «с 1 мая по 30 июня»."""
        if self.date_rule == self.DateRule.FIXED_DAY:
            text = f"до {day_month_label(self.day, self.month)}"
        elif self.date_rule == self.DateRule.QUARTER_END:
            text = f"до {self.day}-го числа последнего месяца каждого квартала"
        elif self.date_rule == self.DateRule.PERIOD:
            text = f"с {day_month_label(self.start_day, self.start_month)} по {day_month_label(self.day, self.month)}"
        else:
            text = f"в течение {self.days} {plural_ru(self.days, ('дня', 'дней', 'дней'))} после начала учебного года"
        if self.covers_next_year:
            text += " (на следующий учебный год)"
        return text

    @property
    def assumed_label(self) -> str:
        """What a page says beside an assumed date."""
        if not self.date_assumed:
            return ""
        return "срок положением не установлен; принят порталом" + (
            " и подтверждён администратором" if self.date_confirmed else ""
        )

    def clean(self):
        required = {
            self.DateRule.FIXED_DAY: (("month", "day"), "Для фиксированного дня укажите число и месяц."),
            self.DateRule.QUARTER_END: (("day",), "Укажите число последнего месяца квартала."),
            self.DateRule.AFTER_YEAR_START: (("days",), "Укажите, через сколько дней после начала года."),
            self.DateRule.PERIOD: (("start_month", "start_day", "month", "day"), "Укажите начало и конец периода."),
        }
        names, message = required.get(self.date_rule, ((), ""))
        if any(getattr(self, n) is None for n in names):
            raise ValidationError(message)
        try:
            if self.date_rule in (self.DateRule.FIXED_DAY, self.DateRule.PERIOD):
                calendar.check_day_month(self.day, self.month)
            if self.date_rule == self.DateRule.PERIOD:
                calendar.check_day_month(self.start_day, self.start_month)
        except ValueError as error:
            raise ValidationError(str(error)) from None
        if self.date_rule == self.DateRule.QUARTER_END and not 1 <= self.day <= 30:
            raise ValidationError("Число последнего месяца квартала — от 1 до 30 (в сентябре и июне 30 дней).")

    def due_dates(self, academic_year: int) -> list[datetime.date]:
        """The due dates of this document in an academic year (the one its work happens in)."""
        return [r.due for r in self.requirements(academic_year)]

    def requirements(self, academic_year: int) -> list[Requirement]:
        """The document's deadlines in an academic year, each saying which academic year the document covers."""
        common = {
            "what": self.get_document_display(), "kind": "document", "rule": self,
            "for_year": academic_year + 1 if self.covers_next_year else academic_year,
            "assumed": self.date_assumed, "confirmed": self.date_confirmed, "recipient": self.recipient,
            "clause": self.note,
        }  # fmt: skip
        if self.date_rule == self.DateRule.FIXED_DAY:
            return [Requirement(due=calendar.day_in_year(academic_year, self.month, self.day), **common)]
        if self.date_rule == self.DateRule.PERIOD:
            return [
                Requirement(
                    due=calendar.day_in_year(academic_year, self.month, self.day),
                    starts_on=calendar.day_in_year(academic_year, self.start_month, self.start_day), **common,
                )
            ]  # fmt: skip
        if self.date_rule == self.DateRule.QUARTER_END:
            return [
                Requirement(
                    due=period.ends_on.replace(day=min(self.day, period.ends_on.day)), period=period,
                    **{**common, "what": f"{common['what']} ({period.label})"},
                )
                for period in calendar.periods(PeriodKind.QUARTER, academic_year)
            ]  # fmt: skip
        start, _ = calendar.year_bounds(academic_year)
        return [Requirement(due=start + datetime.timedelta(days=self.days), **common)]


class PublicationWindow(models.Model):
    """When a document is published: from one day to another of the academic year."""

    regulation = models.ForeignKey(Regulation, on_delete=models.CASCADE, related_name="publication_windows")
    document = models.CharField("документ", max_length=30, choices=Document.choices)
    from_day = models.CharField("с (ДД.ММ)", max_length=5, validators=[validate_day_month])
    to_day = models.CharField("по (ДД.ММ)", max_length=5, validators=[validate_day_month])
    covers_next_year = models.BooleanField("документ на следующий учебный год", default=False)
    note = models.CharField("пункт положения", max_length=300, blank=True)

    class Meta:
        verbose_name = "правило: публикация"
        verbose_name_plural = "правила: публикация"
        constraints = [
            models.UniqueConstraint(fields=["regulation", "document"], name="publication_window_one_per_document"),
        ]

    def __str__(self) -> str:
        start, end = (calendar.parse_day_month(d) for d in (self.from_day, self.to_day))
        return f"{Document(self.document).label}: публикуется с {day_month_label(*start)} по {day_month_label(*end)}"

    def window(self, academic_year: int) -> tuple[datetime.date, datetime.date]:
        (d1, m1), (d2, m2) = (calendar.parse_day_month(d) for d in (self.from_day, self.to_day))
        return calendar.day_in_year(academic_year, m1, d1), calendar.day_in_year(academic_year, m2, d2)

    def requirements(self, academic_year: int) -> list[Requirement]:
        starts_on, due = self.window(academic_year)
        return [
            Requirement(
                what=f"публикация на сайте: {Document(self.document).label}", kind="publication", due=due,
                starts_on=starts_on, rule=self, clause=self.note,
                for_year=academic_year + 1 if self.covers_next_year else academic_year,
            )
        ]  # fmt: skip


class AcademicYear(models.Model):
    """An academic year of the district (1 September – 31 August by default) with its school terms."""

    start_year = models.PositiveSmallIntegerField("первый год", unique=True)
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")

    class Meta:
        verbose_name = "учебный год"
        verbose_name_plural = "учебные годы"
        ordering = ["-start_year"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gt=models.F("starts_on")), name="academic_year_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.start_year}/{str(self.start_year + 1)[-2:]} учебный год"


DEFAULT_TERMS = calendar.DEFAULT_TERMS


class SchoolTerm(models.Model):
    """A school term (четверть) of an academic year; editable per year."""

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    number = models.PositiveSmallIntegerField("номер", validators=[MinValueValidator(1), MaxValueValidator(4)])
    starts_on = models.DateField("начало")
    ends_on = models.DateField("окончание")

    class Meta:
        verbose_name = "четверть"
        verbose_name_plural = "четверти"
        ordering = ["academic_year", "number"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "number"], name="term_unique_number"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="term_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.number} четверть {self.academic_year.start_year}/{str(self.academic_year.start_year + 1)[-2:]}"


class AssociationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Association.Status.ACTIVE)

    def visible_to(self, user):
        """Active associations are public; dissolved ones only to the service."""
        if user.is_authenticated and allowed(user, "members.view_district"):
            return self.all()
        return self.active()

    def curated_by(self, user):
        return self.filter(curators=user)

    def led_by(self, user, *, on: datetime.date):
        return self.filter(
            pk__in=Membership.objects.current(on=on)
            .filter(user=user, role=Membership.Role.LEADER)
            .values("association")
        )

    def with_refresh(self, *, academic_year: int, on: datetime.date):
        """How many current members confirmed their profile this academic year, and how many were checked."""
        this_year = {"user__teacher__confirmations__academic_year": academic_year}
        return self.annotate(
            confirmed_count=_members_counted(
                on=on, **this_year, user__teacher__confirmations__confirmed_at__isnull=False
            ),
            checked_count=_members_counted(on=on, **this_year, user__teacher__confirmations__checked_at__isnull=False),
        )

    def with_people(self, *, on: datetime.date):
        """Member counts and current leaders in a fixed number of queries, however many rows.

        Counts come from a subquery per association shown, not from a join of every membership.
        """
        return (
            self.annotate(member_count=_members_counted(on=on))
            .order_by(Lower("name"))
            .prefetch_related(
                models.Prefetch(
                    "memberships",
                    queryset=Membership.objects.current(on=on)
                    .filter(role=Membership.Role.LEADER)
                    .select_related("user")
                    .order_by("user__sort_key", "user_id"),  # not Meta.ordering: no sort by every association's name
                    to_attr="current_leader_memberships",
                )
            )
        )


def _members_counted(*, on: datetime.date, **conditions):
    """The number of distinct people with a current membership of the outer association (and `conditions`)."""
    counted = (
        Membership.objects.current(on=on)
        .filter(association=models.OuterRef("pk"), **conditions)
        .order_by()
        .values("association")
        .annotate(n=models.Count("user", distinct=True))
        .values("n")
    )
    return Coalesce(models.Subquery(counted, output_field=models.IntegerField()), 0)


class Association(models.Model):
    """A subject community of teachers of the district (РМО, УМО, ММО, творческая группа)."""

    class Kind(models.TextChoices):
        RMO = "rmo", "РМО"
        UMO = "umo", "УМО"
        MMO = "mmo", "ММО"
        CREATIVE_GROUP = "creative", "Творческая группа"
        PROBLEM_GROUP = "problem", "Проблемная группа"

    class Status(models.TextChoices):
        ACTIVE = "active", "Действует"
        DISSOLVED = "dissolved", "Упразднено"

    name = models.CharField("название", max_length=300, unique=True)
    kind = models.CharField("вид", max_length=20, choices=Kind.choices, default=Kind.RMO)
    subject_area = models.CharField("предметная область", max_length=200, blank=True)
    regulation = models.ForeignKey(
        Regulation, on_delete=models.PROTECT, related_name="associations", verbose_name="положение"
    )
    curators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="curated_associations",
        verbose_name="курирующие методисты",
    )
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.ACTIVE)
    created_by_order = models.ForeignKey(
        "Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="создано приказом"
    )

    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = "объединение"
        verbose_name_plural = "объединения"
        ordering = [Lower("name")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["active", "dissolved"]), name="association_status_valid"),
        ]
        # The lists' order, read from an index: the first 50 of a region's 1 000 without sorting them all.
        indexes = [models.Index(Lower("name"), name="association_name_lower")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("associations:detail", args=[self.pk])

    @property
    def leaders(self) -> list:
        """Current leaders, from `with_people()`'s prefetch."""
        return [m.user for m in getattr(self, "current_leader_memberships", [])]


class MembershipQuerySet(models.QuerySet):
    def current(self, *, on: datetime.date):
        return self.filter(start_date__lte=on).filter(Q(end_date__isnull=True) | Q(end_date__gte=on))


class Membership(models.Model):
    """A person's role in one association for a period; the role gives rights there only."""

    class Role(models.TextChoices):
        LEADER = "leader", "Руководитель"
        SECRETARY = "secretary", "Секретарь"
        MEMBER = "member", "Член объединения"

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="memberships", verbose_name="объединение"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name="педагог"
    )
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.MEMBER)
    start_date = models.DateField("с")
    end_date = models.DateField("по", null=True, blank=True)
    order = models.ForeignKey(
        "Order", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="по приказу"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "участие в объединении"
        verbose_name_plural = "участие в объединениях"
        ordering = ["association", "role", "user"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role__in=["leader", "secretary", "member"]), name="membership_role_valid"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="membership_dates_ordered",
            ),
            models.UniqueConstraint(
                fields=["association", "user", "role", "start_date"], name="membership_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.association}"


class Order(models.Model):
    """An order (приказ) of the district head: drafted by a methodist, signed, in force on its effective date."""

    class Kind(models.TextChoices):
        CREATE_ASSOCIATION = "create", "О создании объединения"
        CREATE_MANY = "create_many", "О создании объединений и назначении руководителей"
        DISSOLVE_ASSOCIATION = "dissolve", "Об упразднении объединения"
        APPOINT_LEADER = "appoint", "О назначении руководителя"
        DISMISS_LEADER = "dismiss", "Об освобождении руководителя"
        APPROVE_COMPOSITION = "composition", "Об утверждении состава"
        MAKE_BINDING = "binding", "О придании решению обязательной силы"
        OTHER = "other", "Иное"

    class Status(models.TextChoices):
        DRAFT = "draft", "Проект"
        AWAITING = "awaiting", "На подписи"
        RETURNED = "returned", "Возвращён на доработку"
        SIGNED = "signed", "Подписан"
        REVOKED = "revoked", "Отменён"

    # The allowed moves; only associations.services changes `status`.
    TRANSITIONS = {
        Status.DRAFT: {Status.AWAITING},
        Status.RETURNED: {Status.AWAITING},
        Status.AWAITING: {Status.SIGNED, Status.RETURNED},
        Status.SIGNED: {Status.REVOKED},
        Status.REVOKED: set(),
    }
    STATUS_BADGE = {Status.SIGNED: "success", Status.AWAITING: "warning", Status.RETURNED: "danger"}
    EDITABLE = {Status.DRAFT, Status.RETURNED}

    kind = models.CharField("вид", max_length=20, choices=Kind.choices)
    title = models.CharField("заголовок", max_length=500)
    text = models.TextField("текст приказа")
    effective_date = models.DateField("вступает в силу")
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.DRAFT)
    # What the order acts on.
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="orders", verbose_name="объединение"
    )
    candidate = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="руководитель (кандидат)",
    )  # fmt: skip
    new_name = models.CharField("название нового объединения", max_length=300, blank=True)
    new_kind = models.CharField("вид нового объединения", max_length=20, choices=Association.Kind.choices, blank=True)
    new_subject_area = models.CharField("предметная область", max_length=200, blank=True)
    new_regulation = models.ForeignKey(
        Regulation, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="положение"
    )
    # Who and when.
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="drafted_orders", verbose_name="подготовил"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="signed_orders",
        verbose_name="подписал",
    )  # fmt: skip
    number = models.PositiveIntegerField("номер", null=True, blank=True)
    number_year = models.PositiveSmallIntegerField("год нумерации", null=True, blank=True)
    signed_on = models.DateField("дата приказа", null=True, blank=True)
    override_reason = models.TextField("основание подписать вопреки требованиям положения", blank=True)
    # Where the order comes from when another part of the portal proposed it (a meeting's decision): a title and
    # an address to go back to; the kernel of orders knows no app above it.
    origin_title = models.CharField("основание (документ портала)", max_length=300, blank=True)
    origin_url = models.CharField("адрес основания", max_length=300, blank=True)
    applied_at = models.DateTimeField("действие применено", null=True, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    # Its moves (rmo_portal.workflow.history_of); deleted with it.
    status_changes = GenericRelation("rmo_portal.StatusChange")

    class Meta:
        verbose_name = "приказ"
        verbose_name_plural = "приказы"
        ordering = ["-number_year", "-number", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["draft", "awaiting", "returned", "signed", "revoked"]),
                name="order_status_valid",
            ),
            models.UniqueConstraint(fields=["number_year", "number"], name="order_number_unique_in_year"),
            models.CheckConstraint(
                condition=Q(status__in=["draft", "awaiting", "returned"])
                | Q(number__isnull=False, signed_on__isnull=False),
                name="signed_order_has_number_and_date",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"Приказ № {self.number} от {self.signed_on:%d.%m.%Y}" if self.number else f"Проект приказа: {self.title}"
        )

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("associations:order_detail", args=[self.pk])

    @property
    def number_label(self) -> str:
        return f"№ {self.number}" if self.number else "без номера"

    def regulation_for_leader(self) -> Regulation | None:
        """The regulation whose leader rules the candidate must meet."""
        if self.kind == self.Kind.CREATE_ASSOCIATION:
            return self.new_regulation
        return self.association.regulation if self.association_id else None

    def is_in_force(self, on: datetime.date) -> bool:
        return self.status == self.Status.SIGNED and self.effective_date <= on

    @property
    def is_signed(self) -> bool:
        return self.status == self.Status.SIGNED

    @property
    def is_pending_effect(self) -> bool:
        """Signed, its effect not yet applied (it waits for its effective date)."""
        return self.status == self.Status.SIGNED and self.applied_at is None


class OrderAttachment(models.Model):
    """A file attached to an order (a list of members, a protocol of the election…)."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="attachments")
    file = models.ForeignKey("rmo_portal.StoredFile", on_delete=models.PROTECT, related_name="+", verbose_name="файл")
    title = models.CharField("название", max_length=300, blank=True)

    class Meta:
        verbose_name = "приложение к приказу"
        verbose_name_plural = "приложения к приказам"

    def __str__(self) -> str:
        return self.title or self.file.original_name


class OrderMember(models.Model):
    """A person in the composition an order approves."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="педагог"
    )
    role = models.CharField("роль", max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    leaves = models.BooleanField("выходит из состава", default=False)

    class Meta:
        verbose_name = "состав по приказу"
        verbose_name_plural = "состав по приказу"
        constraints = [models.UniqueConstraint(fields=["order", "user"], name="order_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {'выходит из состава' if self.leaves else self.get_role_display().lower()}"


class OrderLine(models.Model):
    """One association an order «О создании объединений и назначении руководителей» creates, with its leader."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    number = models.PositiveSmallIntegerField("№")
    name = models.CharField("название", max_length=300)
    kind = models.CharField("вид", max_length=20, choices=Association.Kind.choices)
    subject_area = models.CharField("предметная область", max_length=200, blank=True)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="руководитель"
    )
    curator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="курирующий методист"
    )
    regulation = models.ForeignKey(Regulation, on_delete=models.PROTECT, related_name="+", verbose_name="положение")
    # Set when the order comes into force.
    association = models.ForeignKey(
        Association, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="объединение"
    )

    class Meta:
        verbose_name = "строка приказа о создании объединений"
        verbose_name_plural = "строки приказов о создании объединений"
        ordering = ["order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_line_unique_number"),
            models.UniqueConstraint(fields=["order", "name"], name="order_line_unique_name"),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.name}"


class OrderCounter(models.Model):
    """The last order number of a year; locked while a number is given, so that two signings never collide."""

    year = models.PositiveSmallIntegerField("год", unique=True)
    last = models.PositiveIntegerField("последний номер", default=0)

    class Meta:
        verbose_name = "нумератор приказов"
        verbose_name_plural = "нумераторы приказов"

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class AssociationEventQuerySet(models.QuerySet):
    def visible_to(self, user, association):
        """Lines that name members are for those who may see the people (152-ФЗ); the rest is public."""
        if allowed(user, "associations.view_people", association):
            return self
        return self.filter(names_members=False)


class AssociationEvent(models.Model):
    """The association's history: which order did what, and when."""

    association = models.ForeignKey(Association, on_delete=models.CASCADE, related_name="events")
    order = models.ForeignKey(Order, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    on = models.DateField("дата")
    text = models.CharField("что произошло", max_length=500)
    # Set by the services that write a member's name (not the leader's: that one is public).
    names_members = models.BooleanField("называет членов объединения", default=False)

    objects = AssociationEventQuerySet.as_manager()

    class Meta:
        verbose_name = "событие объединения"
        verbose_name_plural = "история объединений"
        ordering = ["-on", "-pk"]

    def __str__(self) -> str:
        return f"{self.on:%d.%m.%Y}: {self.text}"


class MembershipInvitationQuerySet(models.QuerySet):
    def open(self):
        return self.filter(decision="")


class MembershipInvitation(models.Model):
    """A leader's invitation into an association; the membership starts only once the teacher accepts it
    or the curating methodist approves it, so a leader never widens her own access to a profile by a click."""

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", "принято педагогом"
        DECLINED = "declined", "отклонено педагогом"
        APPROVED = "approved", "одобрено методистом"

    association = models.ForeignKey(
        Association, on_delete=models.CASCADE, related_name="invitations", verbose_name="объединение"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations", verbose_name="педагог"
    )
    role = models.CharField("роль", max_length=20, choices=Membership.Role.choices, default=Membership.Role.MEMBER)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="пригласил(а)"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    decision = models.CharField("решение", max_length=20, choices=Decision.choices, blank=True)
    decided_at = models.DateTimeField("когда решено", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="кто решил",
    )  # fmt: skip

    objects = MembershipInvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "приглашение в объединение"
        verbose_name_plural = "приглашения в объединения"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["association", "user"], condition=Q(decision=""), name="invitation_one_open"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["", "accepted", "declined", "approved"]), name="invitation_decision_valid"
            ),
            models.CheckConstraint(
                condition=Q(decision="", decided_at__isnull=True)
                | (~Q(decision="") & Q(decided_at__isnull=False, decided_by__isnull=False)),
                name="invitation_decided_with_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.association}"

    @property
    def is_open(self) -> bool:
        return not self.decision

    @property
    def created_on(self) -> datetime.date:
        """The day in the district's zone (a UTC timestamp near midnight would show the wrong day)."""
        return timezone.localdate(self.created_at)

    @property
    def decided_on(self) -> datetime.date | None:
        return timezone.localdate(self.decided_at) if self.decided_at else None
