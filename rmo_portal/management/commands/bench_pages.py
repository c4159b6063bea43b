"""Query counts and latency of the portal's list pages on the current database.

Run it on a seeded large district (manage.py seed_large_district) and on the demo; compare the query
counts: a list page must run the same number of queries however many rows it has.

With --plan FILE it writes what bench/run loads with hey instead: each role's main pages, the SQL queries one
request of each runs (after a first request has warmed the session), a session cookie per role, and where one
request's time goes in this process (median of IN_PROCESS_RUNS: in all, and in SQL as the driver reports it), so
that RESULTS.md can say why a page is slower than the ceiling from what was measured.
"""

import json
import statistics
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from members.models import ConsentDocument, Role, Subject, Teacher, User
from members.services import consent_give

PAGES = [
    ("/associations/", "Объединения"),
    ("/teachers/", "Педагоги, стр. 1"),
    ("/teachers/?q=елкина", "Педагоги, поиск «елкина»"),
    ("/teachers/?course_overdue=1", "Педагоги, КПК просрочены"),
    ("/teachers/attestation/", "График аттестации"),
    ("/teachers/export.xlsx", "Выгрузка в Excel (все)"),
    ("/start/methodist/", "Рабочий стол методиста"),
]

# bench/run: (key, role, demo user name or None for anonymous, url, label); {subject} is filled in.
PLAN = [
    ("ceiling", "аноним", None, "/bench/ceiling/", "Потолок: базовый шаблон, 50 строк"),
    ("ceiling_methodist", "методист", "methodist", "/bench/ceiling/", "Потолок, с входом (сессия и пользователь)"),
    ("home", "аноним", None, "/", "Главная"),
    ("associations_anon", "аноним", None, "/associations/", "Объединения"),
    ("teachers", "методист", "methodist", "/teachers/", "Педагоги, стр. 1"),
    ("teachers_q", "методист", "methodist", "/teachers/?q=елкина", "Педагоги, поиск «елкина»"),
    ("teachers_subject", "методист", "methodist", "/teachers/?subject={subject}", "Педагоги, фильтр по предмету"),
    ("associations", "методист", "methodist", "/associations/", "Объединения"),
    ("start_methodist", "методист", "methodist", "/start/methodist/", "Рабочий стол методиста"),
    ("attestation", "методист", "methodist", "/teachers/attestation/", "График аттестации"),
    ("start_head", "начальник", "head", "/start/head/", "Рабочий стол начальника"),
    ("start_leader", "руководитель", "leader", "/start/leader/", "Рабочий стол руководителя РМО"),
    ("start_teacher", "педагог", "teacher", "/start/teacher/", "Рабочий стол педагога"),
    # Meetings and protocols (issue 10), of one of the region's associations (manage.py seed_large_meetings).
    ("schedule_public", "аноним", None, "/associations/{association}/schedule/{year}/", "График заседаний (публичный)"),
    ("meeting_leader", "методист", "methodist", "/meetings/{meeting}/", "Заседание"),
    ("protocol_public", "аноним", None, "/protocols/{protocol}/", "Протокол (публичный)"),
    ("protocol_pdf", "аноним", None, "/protocols/{protocol}/pdf/", "PDF протокола"),
    ("events", "аноним", None, "/events/", "Мероприятия района"),
    # Plans and reports (issue 11): the review queue, a document, the public section and its search.
    ("review_queue", "методист", "methodist", "/documents/review/", "Документы на проверке"),
    ("filing", "аноним", None, "/documents/{filing}/", "Опубликованный отчёт"),
    ("methodology", "аноним", None, "/methodology/", "Методическая работа (публичный раздел)"),
    ("methodology_search", "аноним", None, "/methodology/search/?q=учебников", "Поиск по документам"),
    # Deadlines and notifications (issue 12; obligations made by manage.py bench_sweep), invitations (issue 13).
    ("deadlines_methodist", "методист", "methodist", "/deadlines/", "Сроки: объединения методиста"),
    ("deadlines_head", "начальник", "head", "/deadlines/", "Сроки: весь район"),
    ("notifications", "руководитель", "leader", "/notifications/", "Уведомления"),
    ("invitations", "методист", "methodist", "/teachers/invitations/", "Приглашения педагогов"),
]


IN_PROCESS_RUNS = 15


def _timed(client: Client, url: str) -> tuple[float, float]:
    """The median milliseconds of one request in this process, in all and in SQL."""
    totals, sqls = [], []
    for _ in range(IN_PROCESS_RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            client.get(url)
            totals.append((time.perf_counter() - started) * 1000)
        sqls.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    return statistics.median(totals), statistics.median(sqls)


def _meeting_values() -> dict:
    """A held meeting with a signed, published protocol of the region's last association (or of any), by its ids;
    asked through the URL names so that this kernel needs no import of the meetings app."""
    from django.apps import apps

    filing_model = apps.get_model("reports", "Filing")
    filing = filing_model.objects.filter(status="published").order_by("-pk").first()
    protocol_model = apps.get_model("meetings", "Protocol")
    protocol = protocol_model.objects.filter(published=True).order_by("-pk").first()
    values = {"association": 0, "year": 0, "meeting": 0, "protocol": 0, "filing": filing.pk if filing else 0}
    if protocol is None:
        return values
    return values | {
        "association": protocol.association_id, "year": protocol.academic_year, "meeting": protocol.meeting_id,
        "protocol": protocol.pk,
    }  # fmt: skip


class Command(BaseCommand):
    help = "Замерить число SQL-запросов и время ответа страниц-списков (от имени методиста)."

    def add_arguments(self, parser):
        parser.add_argument("--runs", type=int, default=5)
        parser.add_argument("--plan", type=Path, help="записать план замеров bench/run в этот файл (JSON)")

    @override_settings(ALLOWED_HOSTS=["testserver"], DEBUG=False)
    def handle(self, *args, runs, plan, **options):
        if plan:
            return self.write_plan(plan)
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

    def write_plan(self, path: Path) -> None:
        """Each page of PLAN with its query count and the role's session cookie; the demo people give consent."""
        document = ConsentDocument.current()
        subject = Subject.objects.filter(name="Предмет 1").first() or Subject.objects.order_by("pk").first()
        values = {"subject": subject.pk if subject else "", **_meeting_values()}
        clients: dict[str | None, Client] = {None: Client()}
        rows = []
        for key, role, username, url, label in PLAN:
            url = url.format(**values)
            if username not in clients:
                user = User.objects.get(username=username)
                if document and Teacher.objects.filter(user=user).exists():
                    # The benchmark measures the pages, not the consent form a teacher sees first.
                    consent_give(user=user, document=document, publish_allowed=True)
                clients[username] = Client()
                clients[username].force_login(user)
            client = clients[username]
            client.get(url)  # the first request of a session checks the consent once
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
            cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
            ms, sql_ms = _timed(client, url)
            rows.append(
                {
                    "key": key, "role": role, "user": username, "url": url, "label": label,
                    "status": response.status_code, "queries": len(captured.captured_queries),
                    "cookie": f"{settings.SESSION_COOKIE_NAME}={cookie.value}" if username and cookie else "",
                    "ms": round(ms, 1), "sql_ms": round(sql_ms, 1),
                }
            )  # fmt: skip
            self.stdout.write(
                f"{label:<45} {response.status_code:>4} {len(captured.captured_queries):>4} запросов, "
                f"{ms:.0f} мс (SQL {sql_ms:.0f} мс)"
            )
        path.write_text(json.dumps(rows, ensure_ascii=False, indent=1))
