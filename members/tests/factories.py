import datetime

import factory
from django.utils import timezone

from members import consent_text
from members.models import (
    Category,
    Consent,
    ConsentDocument,
    Employment,
    Role,
    School,
    Subject,
    Teacher,
    TrainingCourse,
    User,
    person_sort_key,
)


class SchoolFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = School
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"МБОУ «Средняя общеобразовательная школа № {n + 1}»")
    short_name = factory.Sequence(lambda n: f"СОШ № {n + 1}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    last_name = "Иванова"
    first_name = "Мария"
    patronymic = "Петровна"
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.TEACHER
    password = factory.django.Password("пароль-для-тестов-1")
    sort_key = factory.LazyAttribute(lambda u: person_sort_key(u.last_name, u.first_name, u.patronymic))


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ["name"]

    name = "Русский язык"


class TeacherFactory(factory.django.DjangoModelFactory):
    """A teacher with a main place of work and one subject; consent given unless consent=False."""

    class Meta:
        model = Teacher
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    category = Category.FIRST
    category_assigned_on = datetime.date(2023, 4, 12)
    last_attestation_on = datetime.date(2023, 4, 12)
    pedagogical_since = datetime.date(2010, 9, 1)
    total_since = datetime.date(2008, 9, 1)

    @factory.post_generation
    def school(self, create, extracted, **kwargs):
        if create:
            Employment.objects.create(teacher=self, school=extracted or SchoolFactory(), position="учитель")

    @factory.post_generation
    def subject(self, create, extracted, **kwargs):
        if create:
            self.subjects.add(SubjectFactory(name=extracted) if isinstance(extracted, str) else SubjectFactory())

    @factory.post_generation
    def consent(self, create, extracted, **kwargs):
        if create and extracted is not False:
            give_consent(self.user)


class TrainingCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingCourse

    teacher = factory.SubFactory(TeacherFactory)
    start_date = datetime.date(2025, 10, 1)
    end_date = datetime.date(2025, 10, 12)
    provider = "Институт развития образования"
    topic = "Обновлённые ФГОС"
    hours = 72


def consent_document() -> ConsentDocument:
    """The shipped consent document; tests that flush the database (browser tests) lose the migration's row."""
    return ConsentDocument.objects.get_or_create(
        version=consent_text.VERSION,
        defaults={"title": consent_text.TITLE, "text": consent_text.TEXT, "published_on": datetime.date(2026, 9, 1)},
    )[0]


def give_consent(user: User) -> None:
    Consent.objects.get_or_create(user=user, document=consent_document(), defaults={"given_at": timezone.now()})


def methodist(**kwargs) -> User:
    return UserFactory(role=Role.METHODIST, last_name="Кравцова", first_name="Марина", **kwargs)


def district_head(**kwargs) -> User:
    return UserFactory(role=Role.DISTRICT_HEAD, last_name="Сидорова", first_name="Валентина", **kwargs)


def portal_admin(**kwargs) -> User:
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True, last_name="Админов", **kwargs)
