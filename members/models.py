import datetime

from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.fields import GenericRelation
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.functions import Coalesce, ExtractYear, Lower
from django.urls import reverse
from simple_history.models import HistoricalRecords

from rmo_portal import calendar
from rmo_portal.search import fold


class Role(models.TextChoices):
    """Account roles; leader, secretary and member belong to memberships, not accounts."""

    TEACHER = "teacher", "Педагог"
    METHODIST = "methodist", "Методист"
    DISTRICT_HEAD = "district_head", "Начальник управления образования"
    ADMIN = "admin", "Администратор"


def person_sort_key(last_name: str, first_name: str, patronymic: str) -> str:
    """«Ёлкина Анна Петровна» → «елкина анна петровна»: sorts in Russian order (ё with е) and is searched."""
    return fold(" ".join(p for p in (last_name, first_name, patronymic) if p))


class User(AbstractUser):
    """A person who logs in to the portal."""

    patronymic = models.CharField("отчество", max_length=150, blank=True)
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.TEACHER)
    erased_at = models.DateTimeField("персональные данные уничтожены", null=True, blank=True)
    # «фамилия имя отчество» folded (case, ё → е): the lists sort and search people by it, from an index.
    # Whoever writes a name calls refresh_sort_key() (or person_sort_key() when building rows in bulk).
    sort_key = models.CharField("ключ сортировки и поиска", max_length=500, blank=True, editable=False)
    # How the portal's notifications reach the person by mail (rmo_portal.notifications); the bell shows them all.
    email_notifications = models.BooleanField("Присылать уведомления на почту", default=True)
    email_digest = models.BooleanField("Раз в день одним письмом", default=False)

    objects = UserManager()
    history = HistoricalRecords(
        excluded_fields=["password", "last_login", "sort_key", "email_notifications", "email_digest"],
        verbose_name="история учётной записи",
    )

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
        ]
        # On PostgreSQL a trigram index serves the search too (migration 0011, created there only).
        indexes = [
            models.Index(fields=["sort_key", "id"], name="user_sort_key"),
            # Accounts of a role (the methodists of a filter, the head) in name order, without reading every teacher.
            models.Index(fields=["role", "sort_key", "id"], name="user_role_sort_key"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        """«Фамилия Имя Отчество»."""
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self) -> str:
        """«Фамилия И. О.», as names stand in signatures and lists (non-breaking spaces: never split)."""
        initials = "\u00a0".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return "\u00a0".join(p for p in (self.last_name, initials) if p) or self.username

    def get_short_name(self) -> str:
        return self.short_name

    def refresh_sort_key(self) -> None:
        """Bring the stored sort and search key in step with the name (then save the user as usual)."""
        self.sort_key = person_sort_key(self.last_name, self.first_name, self.patronymic)

    def get_full_name(self) -> str:
        return self.full_name


class School(models.Model):
    """An educational organisation (ОУ/ОО) where teachers work."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "Общеобразовательная организация"
        KINDERGARTEN = "kindergarten", "Дошкольная образовательная организация"
        ADDITIONAL = "additional", "Организация дополнительного образования"
        OTHER = "other", "Другая"

    name = models.CharField("полное наименование", max_length=500, unique=True)
    short_name = models.CharField("краткое наименование", max_length=200)
    municipality = models.CharField("муниципальное образование", max_length=200, blank=True)
    kind = models.CharField("тип", max_length=20, choices=Kind.choices, default=Kind.SCHOOL)
    address = models.CharField("адрес", max_length=500, blank=True)
    phone = models.CharField("телефон", max_length=100, blank=True)
    email = models.EmailField("электронная почта", blank=True)

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = [Lower("short_name")]

    def __str__(self) -> str:
        return self.short_name


class Subject(models.Model):
    """A subject taught (русский язык, математика, начальные классы…)."""

    name = models.CharField("предмет", max_length=200, unique=True)

    class Meta:
        verbose_name = "предмет"
        verbose_name_plural = "предметы"
        ordering = [Lower("name")]

    def __str__(self) -> str:
        return self.name


class Category(models.TextChoices):
    """Qualification categories, including the newer «педагог-методист» and «педагог-наставник»."""

    HIGHEST = "highest", "высшая"
    FIRST = "first", "первая"
    COMPLIANCE = "compliance", "соответствие занимаемой должности"
    NONE = "none", "без категории"
    METHODIST = "methodist", "педагог-методист"
    MENTOR = "mentor", "педагог-наставник"


# Years a category is valid: the next attestation is due five years after the last one.
ATTESTATION_PERIOD_YEARS = 5
# A course of further training is owed at least once in three years (273-ФЗ, ст. 47).
TRAINING_PERIOD_YEARS = 3
# A young specialist: the first three years of pedagogical work.
YOUNG_SPECIALIST_YEARS = 3


def years_between(start: datetime.date | None, on: datetime.date) -> int | None:
    """Whole years from `start` to `on` (None without a start)."""
    if start is None:
        return None
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))


# Who else looks after a teacher, registered by higher apps (associations: the leaders of the
# teacher's associations), so that members/ never imports them. Each returns a Q on Teacher.
TEACHER_SCOPES: list = []

SERVICE_ROLES = (Role.METHODIST, Role.DISTRICT_HEAD, Role.ADMIN)


class TeacherQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The service sees every teacher; a teacher sees themself; registered scopes add the rest."""
        if not user.is_authenticated:
            return self.none()
        if user.is_superuser or user.role in SERVICE_ROLES:
            return self.all()
        condition = models.Q(user=user)
        for scope in TEACHER_SCOPES:
            condition |= scope(user)
        return self.filter(pk__in=Teacher.objects.filter(condition).values("pk"))

    def for_export(self):
        """Everything the export prints, in a fixed number of queries, as plain lists (`export_*` attributes).

        Lists, not prefetched managers: Django clones a query for every row of a prefetched manager, and an
        export of 30 000 teachers spent a quarter of its time on 150 000 such clones.
        """
        return self.select_related("user").prefetch_related(
            models.Prefetch(
                "employments", queryset=Employment.objects.select_related("school"), to_attr="export_employments"
            ),
            models.Prefetch("subjects", to_attr="export_subjects"),
            models.Prefetch("courses", queryset=TrainingCourse.objects.order_by("-end_date"), to_attr="export_courses"),
            models.Prefetch("educations", to_attr="export_educations"),
            models.Prefetch("achievements", to_attr="export_achievements"),
        )

    def with_schedule_facts(self, *, on: datetime.date):
        """Annotate the next attestation year and the end of the latest course, for filters and schedules."""
        return self.annotate(
            next_attestation=Coalesce(
                "next_attestation_year_set",
                ExtractYear(Coalesce("last_attestation_on", "category_assigned_on")) + ATTESTATION_PERIOD_YEARS,
            ),
            # A subquery per row shown, not a join of every teacher with every course.
            last_course=models.Subquery(
                TrainingCourse.objects.filter(teacher=models.OuterRef("pk"))
                .order_by("-end_date")
                .values("end_date")[:1]
            ),
        )

    def course_overdue(self, *, on: datetime.date):
        """No course in the last three years (or none at all)."""
        cutoff = on.replace(year=on.year - TRAINING_PERIOD_YEARS)
        return self.exclude(
            models.Exists(TrainingCourse.objects.filter(teacher=models.OuterRef("pk"), end_date__gte=cutoff))
        )

    def at_school(self, school):
        """Working at `school` (main place or not), as EXISTS: no join, no DISTINCT."""
        return self.filter(models.Exists(Employment.objects.filter(teacher=models.OuterRef("pk"), school=school)))

    def teaching(self, subject):
        through = Teacher.subjects.through
        return self.filter(models.Exists(through.objects.filter(teacher=models.OuterRef("pk"), subject=subject)))

    def search(self, text: str):
        """Every word of `text` in the name, case and ё/е aside, from the stored key (trigram index on PostgreSQL)."""
        queryset = self
        for word in fold(text).split():
            queryset = queryset.filter(user__sort_key__contains=word)
        return queryset

    def young_specialists(self, *, on: datetime.date):
        return self.filter(pedagogical_since__gt=on.replace(year=on.year - YOUNG_SPECIALIST_YEARS))

    def ordered(self):
        """Russian alphabetical order on SQLite and PostgreSQL alike (ё sorts with е), from the index on the key."""
        return self.order_by("user__sort_key", "user_id")

    def for_list(self):
        """What a list of teachers shows, in a fixed number of queries however many rows."""
        return self.select_related("user").prefetch_related(
            models.Prefetch("employments", queryset=Employment.objects.select_related("school")),
            "subjects",
            models.Prefetch("courses", queryset=TrainingCourse.objects.order_by("-end_date")),
        )


class Teacher(models.Model):
    """The teacher's profile of a user: the district's one record of them."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="teacher", verbose_name="пользователь")
    phone = models.CharField("телефон", max_length=100, blank=True)
    subjects = models.ManyToManyField(Subject, blank=True, related_name="teachers", verbose_name="предметы")
    pedagogical_since = models.DateField("педагогический стаж с", null=True, blank=True)
    total_since = models.DateField("общий стаж с", null=True, blank=True)
    category = models.CharField(
        "квалификационная категория", max_length=20, choices=Category.choices, default=Category.NONE
    )
    category_assigned_on = models.DateField("категория присвоена", null=True, blank=True)
    category_order = models.CharField("приказ о категории", max_length=200, blank=True)
    last_attestation_on = models.DateField("последняя аттестация", null=True, blank=True)
    next_attestation_year_set = models.PositiveSmallIntegerField(
        "год следующей аттестации (вручную)",
        null=True,
        blank=True,
        help_text="Если пусто — через 5 лет после последней аттестации",
    )
    self_education_topic = models.CharField("тема самообразования", max_length=500, blank=True)

    history = HistoricalRecords(m2m_fields=[subjects], verbose_name="история профиля педагога")
    objects = TeacherQuerySet.as_manager()

    class Meta:
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        ordering = ["user__last_name", "user__first_name", "user__patronymic"]
        constraints = [
            models.CheckConstraint(condition=models.Q(category__in=Category.values), name="teacher_category_valid"),
        ]

    def __str__(self) -> str:
        return self.user.full_name

    def get_absolute_url(self) -> str:
        return reverse("members:teacher_detail", args=[self.pk])

    # Derived facts: they grow by themselves, nobody types them.
    def pedagogical_years(self, on: datetime.date) -> int | None:
        return years_between(self.pedagogical_since, on)

    def total_years(self, on: datetime.date) -> int | None:
        return years_between(self.total_since, on)

    def is_young_specialist(self, on: datetime.date) -> bool:
        years = self.pedagogical_years(on)
        return years is not None and years < YOUNG_SPECIALIST_YEARS

    @property
    def next_attestation_year(self) -> int | None:
        if self.next_attestation_year_set:
            return self.next_attestation_year_set
        last = self.last_attestation_on or self.category_assigned_on
        return last.year + ATTESTATION_PERIOD_YEARS if last else None

    @property
    def last_course_end(self) -> datetime.date | None:
        """The end of the latest course (uses the `courses` prefetch when there is one)."""
        ends = [c.end_date for c in self.courses.all()]
        return max(ends) if ends else None

    def course_due_by(self) -> datetime.date | None:
        """The date by which the next course is owed: three years after the last one."""
        last = self.last_course_end
        return last.replace(year=last.year + TRAINING_PERIOD_YEARS) if last else None

    def is_course_overdue(self, on: datetime.date) -> bool:
        due = self.course_due_by()
        return due is None or due < on

    @property
    def main_employment(self):
        employments = list(self.employments.all())
        return next((e for e in employments if e.is_main), employments[0] if employments else None)

    @property
    def main_school(self):
        employment = self.main_employment
        return employment.school if employment else None


class Employment(models.Model):
    """Where a teacher works, and as whom; one place is the main one."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="employments", verbose_name="педагог")
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="employments", verbose_name="образовательная организация"
    )
    position = models.CharField("должность", max_length=200, default="учитель")
    is_main = models.BooleanField("основное место работы", default=True)

    history = HistoricalRecords(verbose_name="история мест работы")

    class Meta:
        verbose_name = "место работы"
        verbose_name_plural = "места работы"
        ordering = ["-is_main", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["teacher", "school", "position"], name="employment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school}, {self.position}"


class Education(models.Model):
    """A teacher's education: level, institution, year, speciality."""

    class Level(models.TextChoices):
        HIGHER = "higher", "высшее"
        SECONDARY_VOCATIONAL = "secondary_vocational", "среднее профессиональное"
        RETRAINING = "retraining", "профессиональная переподготовка"
        POSTGRADUATE = "postgraduate", "аспирантура"

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="educations", verbose_name="педагог")
    level = models.CharField("уровень", max_length=30, choices=Level.choices, default=Level.HIGHER)
    institution = models.CharField("учебное заведение", max_length=500)
    year = models.PositiveSmallIntegerField("год окончания")
    speciality = models.CharField("специальность", max_length=500, blank=True)
    is_pedagogical = models.BooleanField("педагогическое", default=True)

    history = HistoricalRecords(verbose_name="история образования")

    class Meta:
        verbose_name = "образование"
        verbose_name_plural = "образование"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}, {self.institution}, {self.year}"


class TrainingCourse(models.Model):
    """A course of further training (КПК, ДПО) with its certificate."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="courses", verbose_name="педагог")
    start_date = models.DateField("начало")
    end_date = models.DateField("окончание")
    provider = models.CharField("где (организация)", max_length=500)
    topic = models.CharField("тема", max_length=500)
    hours = models.PositiveSmallIntegerField("часов")
    certificate = models.ForeignKey(
        "rmo_portal.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="удостоверение (скан)",
    )  # fmt: skip

    history = HistoricalRecords(verbose_name="история курсов")

    class Meta:
        verbose_name = "курс повышения квалификации"
        verbose_name_plural = "курсы повышения квалификации"
        ordering = ["-end_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="course_dates_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.topic} ({self.hours} ч.)"


class Achievement(models.Model):
    """A contest result, title, award, publication or participation in a district event."""

    class Kind(models.TextChoices):
        CONTEST = "contest", "конкурс"
        TITLE = "title", "звание"
        AWARD = "award", "награда"
        PUBLICATION = "publication", "публикация"
        EVENT = "event", "участие в мероприятии"

    class Level(models.TextChoices):
        SCHOOL = "school", "уровень ОО"
        DISTRICT = "district", "районный"
        REGIONAL = "regional", "региональный"
        FEDERAL = "federal", "федеральный"
        INTERNATIONAL = "international", "международный"

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="achievements", verbose_name="педагог")
    kind = models.CharField("вид", max_length=20, choices=Kind.choices)
    title = models.CharField("название", max_length=500)
    level = models.CharField("уровень", max_length=20, choices=Level.choices, default=Level.DISTRICT)
    result = models.CharField("результат (место)", max_length=200, blank=True)
    date = models.DateField("дата")
    document = models.ForeignKey(
        "rmo_portal.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="подтверждающий документ",
    )  # fmt: skip

    history = HistoricalRecords(verbose_name="история достижений")

    class Meta:
        verbose_name = "достижение"
        verbose_name_plural = "достижения"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"


# The academic year comes from the one calendar (rmo_portal.calendar); these names stay for the callers here.
academic_year_of = calendar.academic_year_of
academic_year_label = calendar.academic_year_label


class ChangeRequestQuerySet(models.QuerySet):
    def awaiting_review_by(self, user):
        """Pending requests of the teachers `user` looks after, less her own (another reviewer decides those)."""
        pending = self.filter(status=ChangeRequest.Status.PENDING, teacher__in=Teacher.objects.visible_to(user))
        return pending.exclude(teacher__user=user)

    def returned_unanswered(self):
        """Returned requests not yet corrected and sent again."""
        return self.filter(status=ChangeRequest.Status.RETURNED, resubmission__isnull=True)


class ChangeRequest(models.Model):
    """A teacher's request to change a verified fact; it takes effect when a reviewer accepts it."""

    class Kind(models.TextChoices):
        WORK = "work", "Место работы, предметы, стаж"
        CATEGORY = "category", "Квалификационная категория и аттестация"
        EDUCATION = "education", "Образование"
        COURSE = "course", "Курс повышения квалификации"
        ACHIEVEMENT = "achievement", "Достижение, участие в мероприятии"

    class Status(models.TextChoices):
        PENDING = "pending", "На проверке"
        ACCEPTED = "accepted", "Принят"
        RETURNED = "returned", "Возвращён"

    # The allowed moves; only members.services changes `status`.
    TRANSITIONS = {
        Status.PENDING: {Status.ACCEPTED, Status.RETURNED},
        Status.ACCEPTED: set(),
        Status.RETURNED: set(),
    }
    STATUS_BADGE = {Status.PENDING: "warning", Status.ACCEPTED: "success", Status.RETURNED: "danger"}

    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, related_name="change_requests", verbose_name="педагог"
    )
    kind = models.CharField("что меняется", max_length=20, choices=Kind.choices)
    data = models.JSONField("новые сведения", encoder=DjangoJSONEncoder)
    evidence = models.ForeignKey(
        "rmo_portal.StoredFile", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name="подтверждающий документ",
    )  # fmt: skip
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("подан", auto_now_add=True)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="подал")
    decided_at = models.DateTimeField("решение принято", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="кто решил"
    )
    comment = models.TextField("комментарий проверяющего", blank=True)
    # A returned request corrected and sent again: the new version points at the one it answers.
    previous = models.OneToOneField(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="resubmission",
        verbose_name="исправляет запрос",
    )  # fmt: skip
    # Its moves (rmo_portal.workflow.history_of); deleted with it.
    status_changes = GenericRelation("rmo_portal.StatusChange")

    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        verbose_name = "запрос на изменение профиля"
        verbose_name_plural = "запросы на изменение профиля"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["pending", "accepted", "returned"]), name="change_request_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.teacher}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    @property
    def can_be_resubmitted(self) -> bool:
        """Returned, and not yet corrected and sent again."""
        return self.status == self.Status.RETURNED and not ChangeRequest.objects.filter(previous=self).exists()

    def thread(self) -> list["ChangeRequest"]:
        """The earlier versions this request corrects, oldest first, in one query (the teacher's requests of
        this kind, walked back along `previous`)."""
        same_kind = ChangeRequest.objects.filter(teacher_id=self.teacher_id, kind=self.kind)
        versions = {r.pk: r for r in same_kind.select_related("decided_by")}
        earlier, pk = [], self.previous_id
        while pk in versions and len(earlier) < len(versions):
            earlier.append(versions[pk])
            pk = versions[pk].previous_id
        return earlier[::-1]


class ProfileConfirmation(models.Model):
    """The annual refresh of one profile: confirmed by its teacher, checked by a reviewer."""

    teacher = models.ForeignKey(Teacher, on_delete=models.CASCADE, related_name="confirmations", verbose_name="педагог")
    academic_year = models.PositiveSmallIntegerField("учебный год (первый год)")
    confirmed_at = models.DateTimeField("подтверждён педагогом", null=True, blank=True)
    checked_at = models.DateTimeField("проверен", null=True, blank=True)
    checked_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="кто проверил"
    )

    class Meta:
        verbose_name = "ежегодное подтверждение профиля"
        verbose_name_plural = "ежегодные подтверждения профилей"
        constraints = [
            models.UniqueConstraint(fields=["teacher", "academic_year"], name="confirmation_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.teacher}, {academic_year_label(self.academic_year)}"


class ConsentDocument(models.Model):
    """A version of the consent to the processing of personal data (152-ФЗ)."""

    version = models.CharField("редакция", max_length=20, unique=True)
    title = models.CharField("название", max_length=300)
    text = models.TextField("текст")
    published_on = models.DateField("действует с")

    class Meta:
        verbose_name = "текст согласия на обработку ПДн"
        verbose_name_plural = "тексты согласия на обработку ПДн"
        ordering = ["-published_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.title}, ред. {self.version}"

    @classmethod
    def current(cls) -> "ConsentDocument | None":
        return cls.objects.filter(published_on__lte=calendar.today()).first()


class Consent(models.Model):
    """A person's dated consent to one version of the document; withdrawal is dated too."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="consents", verbose_name="пользователь")
    document = models.ForeignKey(ConsentDocument, on_delete=models.PROTECT, verbose_name="текст согласия")
    given_at = models.DateTimeField("дано")
    publish_allowed = models.BooleanField(
        "согласие на распространение (ФИО, ОО, предмет, достижения на открытых страницах)", default=False
    )
    withdrawn_at = models.DateTimeField("отозвано", null=True, blank=True)

    class Meta:
        verbose_name = "согласие на обработку ПДн"
        verbose_name_plural = "согласия на обработку ПДн"
        ordering = ["-given_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "document"], condition=models.Q(withdrawn_at__isnull=True), name="consent_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.document}"


class AccessLog(models.Model):
    """Someone other than the teacher read their personal data, or exported a list of people (152-ФЗ)."""

    class Action(models.TextChoices):
        PROFILE = "profile", "открыл(а) профиль"
        HISTORY = "history", "открыл(а) историю изменений"
        FILE = "file", "открыл(а) скан документа"
        REVIEW = "review", "открыл(а) запрос на изменение профиля"
        EXPORT = "export", "выгрузил(а) список"

    teacher = models.ForeignKey(
        Teacher, on_delete=models.CASCADE, null=True, blank=True, related_name="access_log", verbose_name="педагог"
    )
    viewer = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+", verbose_name="кто")
    action = models.CharField("что сделал(а)", max_length=20, choices=Action.choices, default=Action.PROFILE)
    detail = models.CharField("подробности", max_length=500, blank=True)
    viewed_at = models.DateTimeField("когда", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "запись журнала доступа к ПДн"
        verbose_name_plural = "журнал доступа к ПДн"
        ordering = ["-viewed_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=["profile", "history", "file", "review", "export"]),
                name="access_log_action_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.viewer}: {self.get_action_display()} {self.teacher or self.detail}"


class ImportJob(models.Model):
    """An uploaded list of teachers on its way: read and judged by a worker, confirmed, applied by a worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Файл в очереди на чтение"
        READING = "reading", "Файл читается"
        PREVIEW = "preview", "Предпросмотр готов"
        APPLYING = "applying", "Загружается"
        DONE = "done", "Загружено"
        FAILED = "failed", "Не удалось"

    # The allowed moves; only members.services and members.importer change `status`.
    TRANSITIONS = {
        Status.QUEUED: {Status.READING, Status.FAILED},
        Status.READING: {Status.PREVIEW, Status.FAILED},
        Status.PREVIEW: {Status.APPLYING, Status.FAILED},
        Status.APPLYING: {Status.DONE, Status.FAILED},
        Status.DONE: set(),
        Status.FAILED: set(),
    }
    WORKING = (Status.QUEUED, Status.READING, Status.APPLYING)

    file = models.ForeignKey(
        "rmo_portal.StoredFile", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name="файл",
    )  # fmt: skip
    file_name = models.CharField("имя файла", max_length=255)
    status = models.CharField("состояние", max_length=20, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField("готово, %", default=0)
    error = models.TextField("почему не удалось", blank=True)
    preview = models.JSONField("предпросмотр", null=True, blank=True, encoder=DjangoJSONEncoder)
    result = models.JSONField("итог", null=True, blank=True)
    # The methodist's choice on the preview: an older attestation date in the file replaces the profile's newer one.
    overwrite_dates = models.BooleanField("заменить более новые даты датами из файла", default=False)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+", verbose_name="загрузил(а)")
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    confirmed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name="подтвердил(а)"
    )
    confirmed_at = models.DateTimeField("подтверждён", null=True, blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        verbose_name = "загрузка списка педагогов"
        verbose_name_plural = "загрузки списков педагогов"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["queued", "reading", "preview", "applying", "done", "failed"]),
                name="import_job_status_valid",
            ),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="import_job_progress_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display().lower()})"

    def get_absolute_url(self) -> str:
        return reverse("members:import_job", args=[self.pk])

    @property
    def is_working(self) -> bool:
        return self.status in self.WORKING


class DestructionAct(models.Model):
    """A record that a person's personal data were destroyed (152-ФЗ); it holds no personal data itself."""

    number = models.PositiveIntegerField("номер акта", unique=True)
    done_at = models.DateTimeField("дата уничтожения")
    reason = models.CharField("основание", max_length=300)
    consent_withdrawn_on = models.DateField("согласие отозвано")
    categories = models.TextField("какие сведения уничтожены")
    counts = models.JSONField("сколько записей", default=dict)
    method = models.CharField("способ", max_length=300)

    class Meta:
        verbose_name = "акт об уничтожении персональных данных"
        verbose_name_plural = "акты об уничтожении персональных данных"
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Акт № {self.number} от {self.done_at:%d.%m.%Y}"


class InvitationQuerySet(models.QuerySet):
    def valid(self, *, now: datetime.datetime):
        """Invitations whose link or code may still be used: issued, not accepted, not expired."""
        return self.filter(accepted_at__isnull=True, expires_at__gt=now).exclude(secret_hash="")

    def in_state(self, state: str, *, now: datetime.datetime):
        """Narrow to one of Invitation.State, as the list's filter names them."""
        S = Invitation.State
        conditions = {
            S.JOINED: models.Q(accepted_at__isnull=False),
            S.FAILED: models.Q(accepted_at__isnull=True, failed_at__isnull=False),
            S.EXPIRED: models.Q(accepted_at__isnull=True, failed_at__isnull=True, expires_at__lte=now),
            S.QUEUED: models.Q(accepted_at__isnull=True, failed_at__isnull=True, expires_at__isnull=True),
            S.SENT: models.Q(accepted_at__isnull=True, failed_at__isnull=True, expires_at__gt=now),
        }
        return self.filter(conditions[state]) if state in conditions else self


class Invitation(models.Model):
    """A personal invitation of a teacher who has no password yet: a link by mail or a code on paper."""

    class Kind(models.TextChoices):
        LINK = "link", "Ссылка по почте"
        CODE = "code", "Код на бумаге"

    class State(models.TextChoices):
        QUEUED = "queued", "В очереди"
        SENT = "sent", "Приглашение действует"
        JOINED = "joined", "Вошла в портал"
        FAILED = "failed", "Письмо не доставлено"
        EXPIRED = "expired", "Срок истёк"

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="invitation", verbose_name="педагог")
    kind = models.CharField("способ", max_length=10, choices=Kind.choices, default=Kind.LINK)
    # SHA-256 of the link's token or of the code: the secret itself is only in the letter or on the sheet.
    secret_hash = models.CharField("хэш ссылки или кода", max_length=64, blank=True, db_index=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name="пригласил(а)", null=True, blank=True
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    sent_at = models.DateTimeField("отправлено", null=True, blank=True)
    expires_at = models.DateTimeField("действует до", null=True, blank=True)
    accepted_at = models.DateTimeField("принято", null=True, blank=True)
    failed_at = models.DateTimeField("письмо не принято", null=True, blank=True)
    error = models.TextField("ошибка почтового сервера", blank=True)
    attempts = models.PositiveSmallIntegerField("попыток отправки", default=0)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "приглашение"
        verbose_name_plural = "приглашения"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=["link", "code"]), name="invitation_kind_valid"),
        ]

    def __str__(self) -> str:
        return f"Приглашение: {self.user}"

    def state(self, now: datetime.datetime) -> str:
        """One of State for this row at `now` (the list's filter uses the same rule in SQL)."""
        if self.accepted_at:
            return self.State.JOINED
        if self.failed_at:
            return self.State.FAILED
        if self.expires_at is None:
            return self.State.QUEUED
        return self.State.EXPIRED if self.expires_at <= now else self.State.SENT

    def is_valid(self, now: datetime.datetime) -> bool:
        return (
            bool(self.secret_hash)
            and self.accepted_at is None
            and self.expires_at is not None
            and self.expires_at > now
        )
