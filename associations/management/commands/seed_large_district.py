"""A large district for benchmarks: thousands of teachers with courses, achievements and memberships."""

import datetime
import random

from django.core.management.base import BaseCommand
from django.db import transaction

from associations.models import Association, Membership, Regulation
from members.models import Category, Employment, School, Subject, Teacher, TrainingCourse, User, person_sort_key

SURNAMES = ["Ёлкина", "Елисеева", "Яковлева", "Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Фёдорова"]
FIRST = ["Анна", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Алёна"]
PATRONYMIC = ["Александровна", "Сергеевна", "Викторовна", "Петровна", "Фёдоровна"]


class Command(BaseCommand):
    help = "Засеять большой район для замеров (по умолчанию 3000 педагогов, 60 объединений)."

    def add_arguments(self, parser):
        parser.add_argument("--teachers", type=int, default=3000)
        parser.add_argument("--associations", type=int, default=60)
        parser.add_argument("--schools", type=int, default=80)

    @transaction.atomic
    def handle(self, *args, teachers, associations, schools, **options):
        rng = random.Random(2026)
        regulation, _ = Regulation.objects.get_or_create(
            code="bench", defaults={"title": "Положение для замеров", "district": "Большой район"}
        )
        school_rows = [
            School.objects.get_or_create(
                name=f"МБОУ «Школа № {i + 1} большого района»", defaults={"short_name": f"Школа № {i + 1}"}
            )[0]
            for i in range(schools)
        ]
        subjects = [Subject.objects.get_or_create(name=f"Предмет {i + 1}")[0] for i in range(20)]
        groups = [
            Association.objects.get_or_create(
                name=f"РМО большого района № {i + 1}", defaults={"regulation": regulation}
            )[0]
            for i in range(associations)
        ]
        start = User.objects.filter(username__startswith="bench").count()
        names = [
            (f"{rng.choice(SURNAMES)}{start + i}", rng.choice(FIRST), rng.choice(PATRONYMIC)) for i in range(teachers)
        ]
        users = User.objects.bulk_create(
            User(
                username=f"bench{start + i:05d}",
                last_name=last,
                first_name=first,
                patronymic=patronymic,
                sort_key=person_sort_key(last, first, patronymic),
                password="!",
            )
            for i, (last, first, patronymic) in enumerate(names)
        )
        profiles = Teacher.objects.bulk_create(
            Teacher(
                user=u,
                category=rng.choice(Category.values),
                category_assigned_on=datetime.date(rng.randint(2019, 2025), rng.randint(1, 12), 1),
                pedagogical_since=datetime.date(rng.randint(1985, 2025), 9, 1),
            )
            for u in users
        )
        Employment.objects.bulk_create(Employment(teacher=t, school=rng.choice(school_rows)) for t in profiles)
        Teacher.subjects.through.objects.bulk_create(
            Teacher.subjects.through(teacher_id=t.pk, subject_id=rng.choice(subjects).pk) for t in profiles
        )
        courses = []
        for t in profiles:
            for _ in range(rng.randint(0, 3)):
                end = datetime.date(rng.randint(2018, 2026), rng.randint(1, 10), 15)
                courses.append(
                    TrainingCourse(
                        teacher=t, start_date=end - datetime.timedelta(days=10), end_date=end,
                        provider="ИРО", topic="ФГОС", hours=72,
                    )
                )  # fmt: skip
        TrainingCourse.objects.bulk_create(courses)
        Membership.objects.bulk_create(
            Membership(association=groups[i % len(groups)], user=u, role="member", start_date=datetime.date(2026, 9, 1))
            for i, u in enumerate(users)
        )
        self.stdout.write(f"Засеяно: педагогов {teachers}, курсов {len(courses)}, объединений {len(groups)}")
