"""Query counts and latency of the portal's list pages on the current database.

Run it on a seeded large district (manage.py seed_large_district) and on the demo; compare the query
counts: a list page must run the same number of queries however many rows it has.
"""

import statistics
import time

from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from members.models import Role, User

PAGES = [
    ("/associations/", "Объединения"),
    ("/teachers/", "Педагоги, стр. 1"),
    ("/teachers/?q=елкина", "Педагоги, поиск «елкина»"),
    ("/teachers/?course_overdue=1", "Педагоги, КПК просрочены"),
    ("/teachers/attestation/", "График аттестации"),
    ("/teachers/export.xlsx", "Выгрузка в Excel (все)"),
    ("/start/methodist/", "Рабочий стол методиста"),
]


class Command(BaseCommand):
    help = "Замерить число SQL-запросов и время ответа страниц-списков (от имени методиста)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)

    @override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
    def handle(self, *args, runs, **options):
        user, _ = User.objects.get_or_create(username="bench-methodist", defaults={"role": Role.METHODIST})
        client = Client()
        client.force_login(user)
        self.stdout.write(
            f"Педагогов в базе: {User.objects.filter(teacher__isnull=False).count()}; база: {connection.vendor}"
        )
        self.stdout.write(f"{'страница':<32} {'код':>4} {'запросов':>9} {'медиана, мс':>12} {'макс, мс':>9}")
        for url, label in PAGES:
            times, status, queries = [], None, 0
            for _ in range(runs):
                reset_queries()
                with CaptureQueriesContext(connection) as captured:
                    started = time.perf_counter()
                    response = client.get(url)
                    times.append((time.perf_counter() - started) * 1000)
                status, queries = response.status_code, len(captured.captured_queries)
            self.stdout.write(
                f"{label:<32} {status:>4} {queries:>9} {statistics.median(times):>12.0f} {max(times):>9.0f}"
            )
