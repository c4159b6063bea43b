"""The demo district: the seed regulations, a few schools, about 60 teachers, 5 associations and
one account per role. Loaded by `manage.py seed_demo`; running it again changes nothing."""

import datetime
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from members.models import (
    Achievement,
    Category,
    Education,
    Employment,
    Role,
    School,
    Subject,
    Teacher,
    TrainingCourse,
    User,
    person_sort_key,
)
from rmo_portal.models import District

from .models import Association, Membership, Regulation
from .presets import presets_load

SCHOOLS = [
    (
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 1 г. Печоры»",
        "СОШ № 1",
    ),
    (
        "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 2 г. Печоры»",
        "СОШ № 2",
    ),
    ("Муниципальное бюджетное общеобразовательное учреждение «Лицей г. Печоры»", "Лицей"),
    ("Муниципальное бюджетное общеобразовательное учреждение «Изборская средняя школа»", "Изборская СШ"),
    ("Муниципальное бюджетное общеобразовательное учреждение «Новоизборская основная школа»", "Новоизборская ОШ"),
    ("Муниципальное бюджетное учреждение дополнительного образования «Дом детского творчества»", "ДДТ"),
]

# (association name, subject, kind)
ASSOCIATIONS = [
    ("РМО учителей русского языка и литературы", "Русский язык и литература", Association.Kind.RMO),
    ("РМО учителей математики", "Математика", Association.Kind.RMO),
    ("РМО учителей начальных классов", "Начальное общее образование", Association.Kind.RMO),
    ("РМО учителей истории и обществознания", "История и обществознание", Association.Kind.RMO),
    ("РМО учителей иностранного языка", "Иностранный язык", Association.Kind.RMO),
]

SURNAMES_F = [
    "Ёлкина",
    "Елисеева",
    "Яковлева",
    "Иванова",
    "Смирнова",
    "Кузнецова",
    "Попова",
    "Васильева",
    "Петрова",
    "Соколова",
    "Михайлова",
    "Новикова",
    "Фёдорова",
    "Морозова",
    "Волкова",
    "Алексеева",
    "Лебедева",
    "Семёнова",
    "Егорова",
    "Павлова",
    "Козлова",
    "Степанова",
    "Николаева",
    "Орлова",
    "Андреева",
    "Макарова",
    "Никитина",
    "Захарова",
    "Зайцева",
    "Соловьёва",
    "Борисова",
    "Королёва",
    "Герасимова",
    "Пономарёва",
    "Григорьева",
    "Лазарева",
    "Медведева",
    "Ершова",
    "Тихонова",
    "Белова",
    "Комарова",
    "Киселёва",
    "Щербакова",
    "Баранова",
    "Фролова",
    "Жукова",
    "Воробьёва",
    "Сергеева",
]
SURNAMES_M = [
    "Ёжиков",
    "Громов",
    "Крылов",
    "Титов",
    "Карпов",
    "Афанасьев",
    "Власов",
    "Маслов",
    "Исаев",
    "Тарасов",
    "Белоусов",
    "Сорокин",
]
FIRST_F = [
    "Анна",
    "Елена",
    "Ольга",
    "Татьяна",
    "Наталья",
    "Ирина",
    "Светлана",
    "Мария",
    "Людмила",
    "Галина",
    "Алёна",
    "Юлия",
]
FIRST_M = ["Алексей", "Сергей", "Андрей", "Дмитрий", "Михаил", "Пётр"]
PATRONYMIC_F = [
    "Александровна",
    "Сергеевна",
    "Викторовна",
    "Николаевна",
    "Петровна",
    "Ивановна",
    "Юрьевна",
    "Фёдоровна",
]
PATRONYMIC_M = ["Иванович", "Петрович", "Николаевич", "Сергеевич", "Васильевич", "Андреевич"]


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role_label: str


# One account per role; passwords are printed by seed_demo and the README.
ACCOUNTS = [
    DemoAccount("admin", "demo-admin-2026", "Администратор"),
    DemoAccount("head", "demo-head-2026", "Начальник управления образования"),
    DemoAccount("methodist", "demo-methodist-2026", "Методист ИАЦ"),
    DemoAccount("leader", "demo-leader-2026", "Руководитель РМО учителей русского языка и литературы"),
    DemoAccount("secretary", "demo-secretary-2026", "Секретарь РМО учителей русского языка и литературы"),
    DemoAccount("teacher", "demo-teacher-2026", "Педагог, член РМО"),
]

# The first day the demo memberships count from: the start of the 2026/27 academic year.
DEMO_START = datetime.date(2026, 9, 1)


def _teacher_people() -> list[tuple[str, str, str]]:
    """60 deterministic (surname, first name, patronymic) triples."""
    people = []
    for i, surname in enumerate(SURNAMES_F):
        people.append((surname, FIRST_F[i % len(FIRST_F)], PATRONYMIC_F[i % len(PATRONYMIC_F)]))
    for i, surname in enumerate(SURNAMES_M):
        people.append((surname, FIRST_M[i % len(FIRST_M)], PATRONYMIC_M[i % len(PATRONYMIC_M)]))
    return people


CATEGORY_CYCLE = [
    Category.HIGHEST,
    Category.FIRST,
    Category.FIRST,
    Category.COMPLIANCE,
    Category.NONE,
    Category.HIGHEST,
]


def _demo_profile(user: User, i: int, *, school: School, subject: Subject) -> Teacher:
    """A varied, deterministic profile: categories, attestation years, courses, a few young specialists."""
    teacher, created = Teacher.objects.get_or_create(user=user)
    if not created:
        return teacher
    category = CATEGORY_CYCLE[i % len(CATEGORY_CYCLE)]
    young = i % 11 == 7
    since = datetime.date(2024 if young else 1990 + i % 30, 9, 1)
    assigned = datetime.date(2021 + i % 5, 3 + i % 9, 10) if category != Category.NONE else None
    teacher.pedagogical_since = since
    teacher.total_since = since
    teacher.category = category
    teacher.category_assigned_on = assigned
    teacher.category_order = f"Приказ Минобразования области № {100 + i}-к" if assigned else ""
    teacher.last_attestation_on = assigned
    teacher.phone = f"+7 (811) 482-{10 + i:02d}-{(i * 7) % 100:02d}"
    teacher.self_education_topic = f"Формирование функциональной грамотности на уроках: {subject.name.lower()}"
    teacher.save()
    teacher.subjects.add(subject)
    Employment.objects.create(teacher=teacher, school=school, position="учитель", is_main=True)
    Education.objects.create(
        teacher=teacher,
        institution="Псковский государственный педагогический институт",
        year=since.year - 1,
        speciality=f"Учитель: {subject.name.lower()}",
        is_pedagogical=True,
    )
    if i % 4 != 3:  # every fourth teacher has had no course for years
        end = datetime.date(2023 + i % 3, 11, 20)
        TrainingCourse.objects.create(
            teacher=teacher,
            start_date=end - datetime.timedelta(days=11),
            end_date=end,
            provider="Псковский областной институт повышения квалификации работников образования",
            topic="Реализация требований обновлённых ФГОС",
            hours=72,
        )
    else:
        TrainingCourse.objects.create(
            teacher=teacher,
            start_date=datetime.date(2021, 3, 1),
            end_date=datetime.date(2021, 3, 12),
            provider="ФГАОУ ДПО «Академия Минпросвещения России»",
            topic="Школа современного учителя",
            hours=100,
        )
    if i % 5 == 0:
        Achievement.objects.create(
            teacher=teacher,
            kind=Achievement.Kind.CONTEST,
            title="Муниципальный конкурс «Учитель года»",
            level=Achievement.Level.DISTRICT,
            result="призёр",
            date=datetime.date(2025, 2, 14),
        )
    return teacher


def _user(username: str, password: str, *, created: list, **fields) -> User:
    fields["sort_key"] = person_sort_key(fields["last_name"], fields["first_name"], fields.get("patronymic", ""))
    user, is_new = User.objects.get_or_create(username=username, defaults=fields)
    if is_new:
        user.set_password(password)
        user.save(update_fields=["password"])
        created.append(user)
    return user


# Higher apps add their part of the demo (meetings, events…) here from their AppConfig.ready() (STYLE.md §16):
# each is called after the district's people and associations exist and returns counts to report.
DEMO_EXTENSIONS: list = []


def register_demo(seed) -> None:
    if seed not in DEMO_EXTENSIONS:
        DEMO_EXTENSIONS.append(seed)


@transaction.atomic
def demo_seed() -> dict:
    """Create whatever of the demo district is missing; return counts of what was created."""
    counts = _district_seed()
    for seed in DEMO_EXTENSIONS:
        counts.update(seed())
    return counts


def _district_seed() -> dict:
    created_users: list[User] = []
    # The demo district counts as set up: no first-run setup for its administrator (associations/setup.py).
    if not District.objects.exists():
        District(
            portal_name=settings.PORTAL_NAME,
            name=settings.DISTRICT_NAME,
            name_genitive="Печорского района",
            organisation_name=settings.ORGANISATION_NAME,
            time_zone=settings.TIME_ZONE,
            setup_steps=["district", "year", "regulation", "people"],
            setup_done_at=timezone.now(),
        ).save()
    # The seed regulations are presets that come with the migrations (associations/presets.py).
    if not Regulation.objects.filter(code="pechora-rmo").exists():
        presets_load(django_apps)
    regulations = {r.code: r for r in Regulation.objects.all()}

    schools = []
    for name, short in SCHOOLS:
        school, _ = School.objects.get_or_create(name=name, defaults={"short_name": short})
        schools.append(school)

    passwords = {a.username: a.password for a in ACCOUNTS}
    _user(
        "admin", passwords["admin"], created=created_users,
        last_name="Администратор", first_name="Портала", role=Role.ADMIN, is_staff=True, is_superuser=True,
        email="admin@example.org",
    )  # fmt: skip
    _user(
        "head", passwords["head"], created=created_users,
        last_name="Сидорова", first_name="Валентина", patronymic="Павловна", role=Role.DISTRICT_HEAD,
        email="head@example.org",
    )  # fmt: skip
    methodist = _user(
        "methodist", passwords["methodist"], created=created_users,
        last_name="Кравцова", first_name="Марина", patronymic="Олеговна", role=Role.METHODIST,
        email="methodist@example.org",
    )  # fmt: skip
    methodist2 = _user(
        "methodist2", passwords["methodist"], created=created_users,
        last_name="Зуев", first_name="Олег", patronymic="Игоревич", role=Role.METHODIST, email="methodist2@example.org",
    )  # fmt: skip

    subject_rows = [Subject.objects.get_or_create(name=a[1])[0] for a in ASSOCIATIONS]
    teachers: list[User] = []
    for i, (surname, first, patronymic) in enumerate(_teacher_people()):
        username = {0: "leader", 1: "secretary", 2: "teacher"}.get(i, f"teacher{i:02d}")
        password = passwords.get(username, "demo-teacher-2026")
        user = _user(
            username, password, created=created_users,
            last_name=surname, first_name=first, patronymic=patronymic, role=Role.TEACHER,
            email=f"{username}@example.org",
        )  # fmt: skip
        subject = subject_rows[0 if i in (1, 2) else i % len(subject_rows)]
        _demo_profile(user, i, school=schools[i % len(schools)], subject=subject)
        teachers.append(user)

    # Teachers join the association of their subject; the demo «secretary» and «teacher» join the
    # first one, which «leader» leads. In each group the first is the leader, the second the secretary.
    groups: dict[int, list[User]] = {k: [] for k in range(len(ASSOCIATIONS))}
    for i, user in enumerate(teachers):
        groups[0 if i in (1, 2) else i % len(ASSOCIATIONS)].append(user)

    pechora = regulations["pechora-rmo"]
    memberships_before = Membership.objects.count()
    for index, (name, subject, kind) in enumerate(ASSOCIATIONS):
        # The demo leader's association follows the strictest preset (Вилюйский: a published schedule, the protocol
        # within 3 days signed by leader and secretary, the scan published), so the demo shows all of it.
        regulation = regulations["vilyuisk-umo"] if index == 0 else pechora
        association, _ = Association.objects.get_or_create(
            name=name, defaults={"subject_area": subject, "kind": kind, "regulation": regulation}
        )
        association.curators.add(methodist if index < 3 else methodist2)
        for position, user in enumerate(groups[index]):
            role = {0: Membership.Role.LEADER, 1: Membership.Role.SECRETARY}.get(position, Membership.Role.MEMBER)
            Membership.objects.get_or_create(association=association, user=user, role=role, start_date=DEMO_START)
    return {
        "regulations": Regulation.objects.count(),
        "schools": School.objects.count(),
        "teachers": Teacher.objects.count(),
        "associations": Association.objects.count(),
        "users_created": len(created_users),
        "memberships_created": Membership.objects.count() - memberships_before,
    }
