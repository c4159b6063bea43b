"""The demo district's documents: for the demo leader's association (Вилюйский preset) next year's work plan as a
draft to discuss, this year's plan accepted and published, and the annual report begun, pre-filled; a mentorship
pair. Running it again changes nothing."""

from django.db import transaction

from associations.demo import ASSOCIATIONS, DEMO_START
from associations.models import Association, Membership
from associations.models import Document as Kind
from members.models import User
from rmo_portal import calendar

from . import services
from .models import Filing, Mentorship


@transaction.atomic
def demo_seed_documents() -> dict:
    association = Association.objects.filter(name=ASSOCIATIONS[0][0]).first()
    if association is None or Filing.objects.filter(association=association).exists():
        return {}
    year = DEMO_START.year
    leader = User.objects.get(
        pk=Membership.objects.current(on=calendar.today())
        .filter(association=association, role=Membership.Role.LEADER)
        .values("user")[:1]
    )
    methodist = association.curators.order_by("pk").first()
    members = list(
        User.objects.filter(
            pk__in=Membership.objects.current(on=calendar.today()).filter(association=association).values("user")
        )
        .exclude(pk=leader.pk)
        .order_by("sort_key")
    )
    if len(members) >= 4:
        Mentorship.objects.get_or_create(
            association=association, academic_year=year, mentee=members[-1],
            defaults={"mentor": members[1], "support": "Посещение уроков, совместная подготовка открытого урока."},
        )  # fmt: skip
    current = services.filing_create(association=association, kind=Kind.WORK_PLAN, academic_year=year, by=leader)
    current = services.filing_save(
        filing=current, by=leader, revision=current.revision,
        body={"goal": "Повышение профессиональной компетентности учителей русского языка и литературы.",
              "tasks": "- подготовка к итоговому сочинению и ОГЭ\n- функциональная грамотность\n- наставничество",
              "themes": "Формирование читательской грамотности на уроках литературы.",
              "young": current.body.get("young", "")},
    )  # fmt: skip
    # Last spring's cycle, dated as it happened: discussed 15–31 May, submitted in June, accepted in August.
    if services.discussion_required(association, Kind.WORK_PLAN):
        current = services.discussion_open(
            filing=current, by=leader, until=calendar.day_in_year(year - 1, 5, 31),
            today=calendar.day_in_year(year - 1, 5, 15),
        )  # fmt: skip
    current = services.filing_submit(filing=current, by=leader, today=calendar.day_in_year(year - 1, 6, 1))
    if methodist is not None:
        services.filing_accept(filing=current, by=methodist, today=calendar.day_in_year(year, 8, 25))
    services.filing_create(association=association, kind=Kind.WORK_PLAN, academic_year=year + 1, by=leader)
    services.filing_create(association=association, kind=Kind.ANNUAL_REPORT, academic_year=year, by=leader)
    return {"demo:документов объединения": Filing.objects.filter(association=association).count()}
