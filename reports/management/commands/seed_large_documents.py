"""The benchmark region's documents (after seed_large_meetings): for each of its associations a published annual
report for the year and next year's work plan submitted to its curator. bulk_create in one transaction; running it
again adds nothing to associations that have documents already."""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from associations.models import Association
from associations.models import Document as Kind
from reports.models import Filing
from rmo_portal import calendar
from rmo_portal.search import fold

BATCH = 2000
TEXT = (
    "<p>Проведено заседаний: 2; протоколов подписано: 2.</p><ul><li>Итоги четверти</li><li>Подготовка к ОГЭ</li></ul>"
)


class Command(BaseCommand):
    help = "Засеять документы объединений большого района для замеров (после seed_large_meetings)."

    @transaction.atomic
    def handle(self, *args, **options):
        year = calendar.current_academic_year()
        now = timezone.now()
        associations = list(
            Association.objects.filter(regulation__code="bench").exclude(filings__isnull=False).order_by("pk")
        )
        filings = []
        for association in associations:
            body = {"meetings": TEXT, "problems": "<p>Нехватка учебников.</p>", "proposals": "<p>Семинар.</p>"}
            filings.append(
                Filing(association=association, kind=Kind.ANNUAL_REPORT, academic_year=year, body=body,
                       status=Filing.Status.PUBLISHED, submitted_at=now, accepted_at=now, published_at=now,
                       search_text=fold(f"анализ деятельности {association.name} проведено заседаний учебников"))
            )  # fmt: skip
            filings.append(
                Filing(association=association, kind=Kind.WORK_PLAN, academic_year=year + 1, submitted_at=now,
                       body={"goal": "<p>Повышение качества образования.</p>"}, status=Filing.Status.SUBMITTED)
            )  # fmt: skip
        Filing.objects.bulk_create(filings, batch_size=BATCH)
        self.stdout.write(f"Засеяно: документов {len(filings)}")
