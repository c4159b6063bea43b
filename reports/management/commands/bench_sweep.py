"""The deadline sweep's benchmark (issue 12): a region of N associations on the four presets, with their held
meetings and signed protocols, swept on chosen days; prints the seconds and SQL queries of each sweep, and of the
same sweeps over a quarter of the associations, so that the queries' growth with the district shows.

    manage.py bench_sweep --associations 2000            (seeds what is missing: seed_large_district, meetings)
    bench/sweep                                           (a fresh PostgreSQL database, then this; see README)

The letters the sweep queues go to an in-memory broker and are dropped: this measures the sweep, not the mail.
"""

import datetime
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection

from associations.models import Association, Regulation
from reports.deadlines import deadlines_sweep
from reports.models import Obligation, Reminder
from rmo_portal import calendar

PRESETS = ("pechora-rmo", "kurchaloy-oms", "zalesovo-mmo", "vilyuisk-umo")


class Command(BaseCommand):
    help = "Замер ежедневного прохода по срокам на большом районе (по умолчанию 2000 объединений)."

    def add_arguments(self, parser):
        parser.add_argument("--associations", type=int, default=2000)
        parser.add_argument("--members", type=int, default=15, help="педагогов на объединение при засеве")
        parser.add_argument("--year", type=int, default=None, help="учебный год (по умолчанию текущий)")

    def handle(self, *args, associations, members, year, **options):
        from django.core.management.base import CommandError

        from rmo_portal.celery import app

        name = str(connection.settings_dict["NAME"])
        if not any(word in name for word in ("bench", "sweep")):
            # It deletes the obligations and reminders it finds and moves associations to the presets.
            raise CommandError(
                f"Замер стирает обязательства и напоминания и меняет положения объединений: он работает только с "
                f"базой для замеров (в имени «bench» или «sweep»), а не с «{name}»."
            )

        app.conf.broker_url = "memory://"  # the queued letters are dropped
        app.conf.task_always_eager = False
        year = year or calendar.current_academic_year()
        region = self.region(associations, members)
        quarter = [a.pk for a in region[: max(1, len(region) // 4)]]
        Reminder.objects.filter(obligation__association__in=region).delete()
        Obligation.objects.filter(association__in=region).delete()
        days = [
            ("1 сентября: обязательства года создаются", datetime.date(year, 9, 1)),
            ("1 сентября ещё раз: ничего не меняется", datetime.date(year, 9, 1)),
            ("11 сентября: напоминания за 14 дней", datetime.date(year, 9, 11)),
            ("5 октября: просрочки и эскалации", datetime.date(year, 10, 5)),
            ("5 октября ещё раз", datetime.date(year, 10, 5)),
        ]
        rows = [(label, self.measure(day, None)) for label, day in days]
        # The same idempotent day over a quarter of them: what the queries do as the district grows.
        small = self.measure(days[-1][1], quarter)
        self.stdout.write(self.report(rows, small, len(quarter), len(region)))

    def region(self, wanted: int, members: int) -> list[Association]:
        """The database's active associations (a benchmark database holds only the region), seeded up to `wanted`
        with seed_large_district and seed_large_meetings; those on its placeholder regulation are spread over the
        four presets in turn."""
        have = Association.objects.active().count()
        if have < wanted:
            missing = wanted - have
            call_command("seed_large_district", teachers=missing * members, associations=missing, stdout=self.stdout)
            call_command("seed_large_meetings", stdout=self.stdout)
        region = list(Association.objects.active().order_by("pk")[:wanted])
        presets = [Regulation.objects.get(code=code) for code in PRESETS]
        placeholder = [a.pk for a in region if a.regulation_id not in {p.pk for p in presets}]
        for i, preset in enumerate(presets):
            Association.objects.filter(pk__in=placeholder[i :: len(presets)]).update(regulation=preset)
        return region

    def measure(self, day: datetime.date, association_ids: list[int] | None) -> dict:
        count = [0]

        def counted(execute, sql, params, many, context):  # every statement, however many (no 9,000 cap)
            count[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counted):
            started = time.perf_counter()
            summary = deadlines_sweep(today=day, association_ids=association_ids)
            seconds = time.perf_counter() - started
        return {"seconds": seconds, "queries": count[0], "summary": summary}

    def report(self, rows, small: dict, part: int, whole: int) -> str:
        lines = [
            f"Проход по {whole} объединениям (PostgreSQL: {connection.vendor == 'postgresql'}):",
            "",
            "| день | секунд | SQL-запросов | создано | выполнено | просрочено | напоминаний |",
            "|---|---|---|---|---|---|---|",
        ]
        for label, big in rows:
            s = big["summary"]
            lines.append(
                f"| {label} | {big['seconds']:.1f} | {big['queries']} | {s['created']} | {s['fulfilled']} "
                f"| {s['overdue']} | {sum(s['reminders'].values())} |"
            )
        lines += [
            "",
            f"Повтор последнего дня по {part} объединениям: {small['seconds']:.1f} с, {small['queries']} SQL-запросов "
            f"(по {whole}: {rows[-1][1]['queries']}).",
        ]
        return "\n".join(lines)
