"""A large district (or a region) for benchmarks: teachers with courses, associations with leaders, memberships
and the signed orders that created them and appointed their leaders.

Everything is written with bulk_create inside one transaction: 30,000 teachers and 1,000 associations take
about a minute on PostgreSQL. Running it again adds as many again (new user names, new associations).
"""

import datetime
import random

from django.contrib.contenttypes.models import ContentType
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from associations.models import (
    Association,
    AssociationEvent,
    Membership,
    Order,
    OrderCounter,
    Regulation,
)
from members.models import Category, Employment, Role, School, Subject, Teacher, TrainingCourse, User, person_sort_key
from rmo_portal import calendar
from rmo_portal.models import StatusChange

SURNAMES = ["Ёлкина", "Елисеева", "Яковлева", "Иванова", "Смирнова", "Кузнецова", "Попова", "Соколова", "Фёдорова"]
FIRST = ["Анна", "Елена", "Ольга", "Татьяна", "Наталья", "Ирина", "Алёна"]
PATRONYMIC = ["Александровна", "Сергеевна", "Викторовна", "Петровна", "Фёдоровна"]
BATCH = 5000
# One methodist of the region curates this many of its associations.
CURATED_PER_METHODIST = 20


class Command(BaseCommand):
    help = "Засеять большой район для замеров (по умолчанию 3000 педагогов, 60 объединений)."

    def add_arguments(self, parser):
        parser.add_argument("--teachers", type=int, default=3000)
        parser.add_argument("--associations", type=int, default=60)
        parser.add_argument("--schools", type=int, default=80)

    @transaction.atomic
    def handle(self, *args, teachers, associations, schools, **options):
        rng = random.Random(2026)
        # Memberships and orders date from the start of the current academic year: current whatever the day.
        year_start, _ = calendar.year_bounds(calendar.current_academic_year())
        signed_on = year_start - datetime.timedelta(days=7)
        regulation, _ = Regulation.objects.get_or_create(
            code="bench", defaults={"title": "Положение для замеров", "district": "Большой район"}
        )
        school_rows = self.schools(schools)
        subjects = [Subject.objects.get_or_create(name=f"Предмет {i + 1}")[0] for i in range(20)]

        start = User.objects.filter(username__startswith="bench").count()
        names = [
            (f"{rng.choice(SURNAMES)}{start + i}", rng.choice(FIRST), rng.choice(PATRONYMIC)) for i in range(teachers)
        ]
        users = User.objects.bulk_create(
            (
                User(
                    username=f"bench{start + i:05d}",
                    last_name=last,
                    first_name=first,
                    patronymic=patronymic,
                    sort_key=person_sort_key(last, first, patronymic),
                    password="!",
                )
                for i, (last, first, patronymic) in enumerate(names)
            ),
            batch_size=BATCH,
        )
        profiles = Teacher.objects.bulk_create(
            (
                Teacher(
                    user=u,
                    category=rng.choice(Category.values),
                    category_assigned_on=datetime.date(rng.randint(2019, 2025), rng.randint(1, 12), 1),
                    pedagogical_since=datetime.date(rng.randint(1985, 2025), 9, 1),
                )
                for u in users
            ),
            batch_size=BATCH,
        )
        Employment.objects.bulk_create(
            (Employment(teacher=t, school=rng.choice(school_rows)) for t in profiles), batch_size=BATCH
        )
        Teacher.subjects.through.objects.bulk_create(
            (Teacher.subjects.through(teacher_id=t.pk, subject_id=rng.choice(subjects).pk) for t in profiles),
            batch_size=BATCH,
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
        TrainingCourse.objects.bulk_create(courses, batch_size=BATCH)

        groups = self.associations(associations, regulation)
        head = self.head()
        curators = self.methodists(len(groups))
        Association.curators.through.objects.bulk_create(
            Association.curators.through(association_id=a.pk, user_id=curators[i // CURATED_PER_METHODIST].pk)
            for i, a in enumerate(groups)
        )
        # Each association's first member leads it, the second is its secretary, the rest are members.
        seats: dict[int, int] = {}
        memberships, leaders = [], {}
        for i, u in enumerate(users):
            group = groups[i % len(groups)]
            seat = seats[group.pk] = seats.get(group.pk, -1) + 1
            role = {0: Membership.Role.LEADER, 1: Membership.Role.SECRETARY}.get(seat, Membership.Role.MEMBER)
            if role == Membership.Role.LEADER:
                leaders[group.pk] = u
            memberships.append(Membership(association=group, user=u, role=role, start_date=year_start))
        orders = self.orders(groups, leaders, regulation, head=head, drafted_by=curators, signed_on=signed_on)
        appointed = {o.association_id: o for o in orders if o.kind == Order.Kind.APPOINT_LEADER}
        for m in memberships:
            if m.role == Membership.Role.LEADER:
                m.order = appointed[m.association_id]
        Membership.objects.bulk_create(memberships, batch_size=BATCH)
        self.stdout.write(
            f"Засеяно: педагогов {teachers}, курсов {len(courses)}, объединений {len(groups)}, "
            f"членств {len(memberships)}, приказов {len(orders)}, методистов {len(curators)}"
        )

    def schools(self, count: int) -> list[School]:
        names = [f"МБОУ «Школа № {i + 1} большого района»" for i in range(count)]
        School.objects.bulk_create(
            (School(name=name, short_name=f"Школа № {i + 1}") for i, name in enumerate(names)), ignore_conflicts=True
        )
        return list(School.objects.filter(name__in=names).order_by("pk"))

    def associations(self, count: int, regulation: Regulation) -> list[Association]:
        first = Association.objects.filter(name__startswith="РМО большого района № ").count()
        return Association.objects.bulk_create(
            (
                Association(
                    name=f"РМО большого района № {first + i + 1}", regulation=regulation, subject_area="Предмет"
                )
                for i in range(count)
            ),
            batch_size=BATCH,
        )

    def head(self) -> User:
        head = User.objects.filter(role=Role.DISTRICT_HEAD).order_by("pk").first()
        if head is None:
            head = User.objects.create(
                username="bench-head", last_name="Начальникова", first_name="Нина", role=Role.DISTRICT_HEAD,
                sort_key=person_sort_key("Начальникова", "Нина", ""),
                password="!",
            )  # fmt: skip
        return head

    def methodists(self, associations: int) -> list[User]:
        """The region's methodists, one per CURATED_PER_METHODIST associations (made once, reused)."""
        needed = max(1, -(-associations // CURATED_PER_METHODIST))
        existing = list(User.objects.filter(username__startswith="bench-methodist-").order_by("username"))
        User.objects.bulk_create(
            User(
                username=f"bench-methodist-{i:03d}",
                last_name=f"Методистова{i}",
                first_name="Мария",
                role=Role.METHODIST,
                sort_key=person_sort_key(f"Методистова{i}", "Мария", ""),
                password="!",
            )
            for i in range(len(existing), needed)
        )
        return list(User.objects.filter(username__startswith="bench-methodist-").order_by("username"))[:needed]

    def orders(self, groups, leaders, regulation, *, head, drafted_by, signed_on) -> list[Order]:
        """A signed order creating each association and one appointing its leader, numbered after the year's last."""
        counter, _ = OrderCounter.objects.select_for_update().get_or_create(year=signed_on.year)
        taken = Order.objects.filter(number_year=signed_on.year).aggregate(last=Max("number"))["last"] or 0
        number = max(counter.last, taken)
        now = timezone.now()
        rows = []
        for i, group in enumerate(groups):
            leader = leaders.get(group.pk)
            kinds = [Order.Kind.CREATE_ASSOCIATION] + ([Order.Kind.APPOINT_LEADER] if leader else [])
            for kind in kinds:
                number += 1
                title = f"{Order.Kind(kind).label}: {group.name}"
                rows.append(
                    Order(
                        kind=kind, title=title, text=title, effective_date=signed_on, status=Order.Status.SIGNED,
                        association=group, candidate=leader if kind == Order.Kind.APPOINT_LEADER else None,
                        new_name=group.name if kind == Order.Kind.CREATE_ASSOCIATION else "",
                        new_regulation=regulation if kind == Order.Kind.CREATE_ASSOCIATION else None,
                        drafted_by=drafted_by[i // CURATED_PER_METHODIST], signed_by=head,
                        number=number, number_year=signed_on.year, signed_on=signed_on, applied_at=now,
                    )
                )  # fmt: skip
        orders = Order.objects.bulk_create(rows, batch_size=BATCH)
        counter.last = number
        counter.save(update_fields=["last"])
        order_type = ContentType.objects.get_for_model(Order)
        StatusChange.objects.bulk_create(
            (
                StatusChange(content_type=order_type, object_id=o.pk, by=who, from_status=old, to_status=new)
                for o in orders
                for who, old, new in (
                    (o.drafted_by, Order.Status.DRAFT, Order.Status.AWAITING),
                    (head, Order.Status.AWAITING, Order.Status.SIGNED),
                )
            ),
            batch_size=BATCH,
        )
        AssociationEvent.objects.bulk_create(
            (
                AssociationEvent(
                    association_id=o.association_id,
                    order=o,
                    on=signed_on,
                    text=f"Создано: {o}"
                    if o.kind == Order.Kind.CREATE_ASSOCIATION
                    else f"Руководитель — {o.candidate.full_name}: {o}",
                )
                for o in orders
            ),
            batch_size=BATCH,
        )
        created = {o.association_id: o.pk for o in orders if o.kind == Order.Kind.CREATE_ASSOCIATION}
        for group in groups:
            group.created_by_order_id = created[group.pk]
        Association.objects.bulk_update(groups, ["created_by_order"], batch_size=BATCH)
        return orders
