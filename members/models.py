from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.db.models.functions import Lower


class Role(models.TextChoices):
    """Account roles; leader, secretary and member belong to memberships, not accounts."""

    TEACHER = "teacher", "Педагог"
    METHODIST = "methodist", "Методист"
    DISTRICT_HEAD = "district_head", "Начальник управления образования"
    ADMIN = "admin", "Администратор"


class User(AbstractUser):
    """A person who logs in to the portal."""

    patronymic = models.CharField("отчество", max_length=150, blank=True)
    role = models.CharField("роль", max_length=20, choices=Role.choices, default=Role.TEACHER)

    objects = UserManager()

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        ordering = ["last_name", "first_name", "patronymic"]
        constraints = [
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="user_role_valid"),
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

    def get_full_name(self) -> str:
        return self.full_name


class School(models.Model):
    """An educational organisation (ОУ/ОО) where teachers work."""

    name = models.CharField("полное наименование", max_length=500, unique=True)
    short_name = models.CharField("краткое наименование", max_length=200)

    class Meta:
        verbose_name = "образовательная организация"
        verbose_name_plural = "образовательные организации"
        ordering = [Lower("short_name")]

    def __str__(self) -> str:
        return self.short_name


class Teacher(models.Model):
    """The teacher's profile of a user: where they work and what they teach."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="teacher", verbose_name="пользователь")
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, null=True, blank=True, related_name="teachers", verbose_name="место работы"
    )
    position = models.CharField("должность", max_length=200, blank=True, default="учитель")
    subject = models.CharField("предмет", max_length=200, blank=True)

    class Meta:
        verbose_name = "педагог"
        verbose_name_plural = "педагоги"
        ordering = ["user__last_name", "user__first_name", "user__patronymic"]

    def __str__(self) -> str:
        return self.user.full_name
