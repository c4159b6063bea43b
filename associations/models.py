import datetime

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class Regulation(models.Model):
    """A district's rulebook (положение) that associations follow; its rules grow in later issues."""

    class BodyKind(models.TextChoices):
        ASSOCIATION = "association", "Методическое объединение"
        SERVICE = "service", "Методическая служба"

    code = models.SlugField("код", max_length=50, unique=True)
    title = models.CharField("название", max_length=300)
    district = models.CharField("район", max_length=200)
    body_kind = models.CharField("о ком", max_length=20, choices=BodyKind.choices, default=BodyKind.ASSOCIATION)
    source = models.CharField("источник", max_length=200, blank=True, help_text="Документ, из которого взяты правила")
    summary = models.TextField("кратко", blank=True)
    teacher_database_due = models.CharField(
        "срок обновления базы педагогов (ДД.ММ)",
        max_length=5,
        blank=True,
        validators=[RegexValidator(r"^(0[1-9]|[12]\d|3[01])\.(0[1-9]|1[0-2])$", "Укажите день и месяц: 25.09")],
        help_text="Например, 25.09 — к 25 сентября каждого года (положение Вилюйского УМО, п. 6.10)",
    )

    class Meta:
        verbose_name = "положение"
        verbose_name_plural = "положения"
        ordering = ["district", "title"]

    def __str__(self) -> str:
        return f"{self.title} ({self.district})"

    def teacher_database_deadline(self, academic_year: int) -> datetime.date | None:
        """The day the teacher database must be refreshed by in an academic year (from 1 September)."""
        if not self.teacher_database_due:
            return None
        day, month = map(int, self.teacher_database_due.split("."))
        return datetime.date(academic_year if month >= 9 else academic_year + 1, month, day)


class AssociationQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status=Association.Status.ACTIVE)

    def visible_to(self, user):
        """Active associations are public; dissolved ones only to the service."""
        if user.is_authenticated and user.has_perm("members.view_district"):
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
        current = Q(memberships__start_date__lte=on) & (
            Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=on)
        )
        this_year = current & Q(memberships__user__teacher__confirmations__academic_year=academic_year)
        return self.annotate(
            confirmed_count=models.Count(
                "memberships__user",
                filter=this_year & Q(memberships__user__teacher__confirmations__confirmed_at__isnull=False),
                distinct=True,
            ),
            checked_count=models.Count(
                "memberships__user",
                filter=this_year & Q(memberships__user__teacher__confirmations__checked_at__isnull=False),
                distinct=True,
            ),
        )

    def with_people(self, *, on: datetime.date):
        """Member counts and current leaders in a fixed number of queries, however many rows.

        Ordered by name explicitly: Meta.ordering does not apply to an aggregated query.
        """
        current = Q(memberships__start_date__lte=on) & (
            Q(memberships__end_date__isnull=True) | Q(memberships__end_date__gte=on)
        )
        return (
            self.annotate(member_count=models.Count("memberships__user", filter=current, distinct=True))
            .order_by(Lower("name"))
            .prefetch_related(
                models.Prefetch(
                    "memberships",
                    queryset=Membership.objects.current(on=on)
                    .filter(role=Membership.Role.LEADER)
                    .select_related("user"),
                    to_attr="current_leader_memberships",
                )
            )
        )


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

    objects = AssociationQuerySet.as_manager()

    class Meta:
        verbose_name = "объединение"
        verbose_name_plural = "объединения"
        ordering = [Lower("name")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=["active", "dissolved"]), name="association_status_valid"),
        ]

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
