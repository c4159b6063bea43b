import factory

from members.models import Role, School, Teacher, User


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


class TeacherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Teacher

    user = factory.SubFactory(UserFactory)
    school = factory.SubFactory(SchoolFactory)
    subject = "Русский язык"


def methodist(**kwargs) -> User:
    return UserFactory(role=Role.METHODIST, last_name="Кравцова", first_name="Марина", **kwargs)


def district_head(**kwargs) -> User:
    return UserFactory(role=Role.DISTRICT_HEAD, last_name="Сидорова", first_name="Валентина", **kwargs)


def portal_admin(**kwargs) -> User:
    return UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True, last_name="Админов", **kwargs)
