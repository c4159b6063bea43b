"""The deadline dashboards: the grid's scope and words, the compliance share, the flagged leaders, waiving from a
page, the Excel export with the page's filters, and query counts that do not grow with the district."""

import datetime
import itertools

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from associations.models import Association
from associations.tests.factories import AssociationFactory, MembershipFactory, RegulationFactory, leader_of
from members.tests.factories import TeacherFactory, UserFactory, district_head, methodist
from reports import dashboards
from reports.models import Obligation
from rmo_portal.workflow import history_of

pytestmark = pytest.mark.django_db

D = datetime.date
S = Obligation.Status
TODAY = D(2027, 3, 15)
_keys = itertools.count(1)


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(timezone.make_aware(datetime.datetime(2027, 3, 15, 10)), tick=False):
        yield


def at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(day.year, day.month, day.day, 12))


def owe(association, *, due, status=S.UPCOMING, fulfilled=None, kind="document", document="work_plan", **fields):
    """An obligation of the association (the sweep's row, written directly)."""
    n = next(_keys)
    fields.setdefault("what", f"документ № {n}")
    return Obligation.objects.create(
        association=association, rule_key=f"test:{n}", period_key=str(n), kind=kind, document=document,
        academic_year=2026, due=due, status=status, fulfilled_at=at(fulfilled) if fulfilled else None, **fields,
    )  # fmt: skip


@pytest.fixture
def district():
    """Two methodists, each curating one association with a leader; the head."""
    curator, other = methodist(username="curator"), methodist(username="other")
    mine = AssociationFactory(name="РМО учителей математики")
    theirs = AssociationFactory(name="РМО учителей физики")
    mine.curators.add(curator)
    theirs.curators.add(other)
    leader = TeacherFactory(user=leader_of(mine, user__username="leader", user__last_name="Ёлкина")).user
    leader_of(theirs, user__username="other_leader")
    return {"curator": curator, "other": other, "mine": mine, "theirs": theirs, "leader": leader,
            "head": district_head(username="head")}  # fmt: skip


def body(client, user, url, **params) -> str:
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


# --- the grid -----------------------------------------------------------------------------------------------------


def test_methodist_sees_only_her_associations_and_the_head_sees_all(client, district):
    owe(district["mine"], due=D(2026, 11, 1), status=S.OVERDUE)
    owe(district["theirs"], due=D(2026, 11, 1), status=S.OVERDUE)
    grid = dashboards.deadline_grid(user=district["curator"], academic_year=2026)
    assert [r.association for r in grid.rows] == [district["mine"]]
    grid = dashboards.deadline_grid(user=district["head"], academic_year=2026)
    assert [r.association.name for r in grid.rows] == ["РМО учителей математики", "РМО учителей физики"]
    page = body(client, district["curator"], reverse("reports:deadlines"))
    assert "РМО учителей математики" in page and "РМО учителей физики" not in page
    assert "Исполнение по методистам" not in page
    page = body(client, district["head"], reverse("reports:deadlines"))
    assert "РМО учителей физики" in page and "Исполнение по методистам" in page


def test_cells_say_the_state_in_words_with_the_due_date_and_no_codes(client, district):
    owe(district["mine"], due=D(2026, 11, 1), status=S.OVERDUE, document="work_plan")
    owe(district["mine"], due=D(2027, 1, 20), status=S.FULFILLED_ON_TIME, fulfilled=D(2027, 1, 10),
        document="annual_report")  # fmt: skip
    owe(district["mine"], due=D(2027, 2, 1), status=S.FULFILLED_LATE, fulfilled=D(2027, 2, 5), document="portfolio")
    page = body(client, district["curator"], reverse("reports:deadlines"))
    assert '<span class="badge text-bg-danger">Просрочено</span>' in page
    assert '<span class="badge text-bg-success">Выполнено в срок</span>' in page
    assert "Выполнено с опозданием" in page
    assert "до 1 ноября 2026 г." in page
    # Opened without filters, the year menu shows the year the grid is of (not the first of the menu).
    assert '<option value="2026" selected>2026/27</option>' in page
    assert "План работы" in page and "Анализ за год" in page  # the columns' headers
    for code in ("overdue", "fulfilled_on_time", "fulfilled_late", "2026-11-01", ">work_plan<"):
        assert code not in page.replace('value="overdue"', "").replace('value="fulfilled', ""), code


def test_protocols_are_one_column_with_how_many_were_on_time(district):
    for status in (S.FULFILLED_ON_TIME, S.FULFILLED_ON_TIME, S.OVERDUE):
        owe(district["mine"], due=D(2026, 11, 20), status=status, kind="protocol", document="")
    grid = dashboards.deadline_grid(user=district["curator"], academic_year=2026)
    assert [c.header for c in grid.columns] == ["Протоколы"]
    cell = grid.rows[0].cells[0]
    assert cell.summary == "2 из 3 в срок" and cell.status_label == "Просрочено"


def test_compliance_share_counts_on_time_among_passed_dates_without_waived_or_future(client, district):
    a = district["mine"]
    owe(a, due=D(2026, 10, 1), status=S.FULFILLED_ON_TIME, fulfilled=D(2026, 9, 30))
    owe(a, due=D(2026, 11, 1), status=S.FULFILLED_LATE, fulfilled=D(2026, 11, 5))
    owe(a, due=D(2027, 1, 1), status=S.OVERDUE)
    owe(a, due=D(2027, 2, 1), status=S.WAIVED)  # taken off by the methodist: not counted
    owe(a, due=D(2027, 5, 1), status=S.FULFILLED_ON_TIME, fulfilled=D(2027, 3, 1))  # not due yet: not counted
    owe(a, due=D(2027, 6, 1), status=S.UPCOMING)  # not due yet
    row = dashboards.deadline_grid(user=district["curator"], academic_year=2026).rows[0]
    assert (row.share.on_time, row.share.counted, row.share.percent) == (1, 3, 33)
    assert row.share.label == "33 % (1 из 3 в срок)"
    page = body(client, district["curator"], reverse("reports:deadlines"))
    assert "33 %" in page and "1 из 3 в срок" in page


def test_compliance_by_methodist_takes_her_associations_together(district):
    third = AssociationFactory(name="РМО учителей химии")
    third.curators.add(district["curator"])
    owe(district["mine"], due=D(2026, 10, 1), status=S.FULFILLED_ON_TIME)
    owe(district["mine"], due=D(2026, 11, 1), status=S.OVERDUE)
    owe(third, due=D(2026, 10, 1), status=S.FULFILLED_ON_TIME)
    owe(third, due=D(2026, 12, 1), status=S.FULFILLED_ON_TIME)
    owe(district["theirs"], due=D(2026, 10, 1), status=S.FULFILLED_LATE)
    owe(district["theirs"], due=D(2027, 4, 1), status=S.UPCOMING)
    shares = {m.methodist.username: m for m in dashboards.compliance_by_methodist(academic_year=2026, today=TODAY)}
    assert shares["curator"].associations == 2
    assert (shares["curator"].share.on_time, shares["curator"].share.counted) == (3, 4)
    assert shares["curator"].share.percent == 75
    assert (shares["other"].share.on_time, shares["other"].share.counted, shares["other"].share.percent) == (0, 1, 0)


def test_filters_narrow_the_rows_by_state_kind_and_name_with_yo(district):
    owe(district["mine"], due=D(2026, 11, 1), status=S.OVERDUE)
    owe(district["theirs"], due=D(2026, 11, 1), status=S.FULFILLED_ON_TIME)
    yolka = AssociationFactory(name="Творческая группа «Ёлочка»", kind=Association.Kind.CREATIVE_GROUP)
    head = district["head"]

    def names(**filters):
        return [
            r.association.name for r in dashboards.deadline_grid(user=head, academic_year=2026, filters=filters).rows
        ]

    assert names(state=S.OVERDUE) == ["РМО учителей математики"]
    assert names(kind=Association.Kind.CREATIVE_GROUP) == [yolka.name]
    assert names(q="ЕЛОЧ") == [yolka.name]
    assert names(methodist=district["other"]) == ["РМО учителей физики"]
    # A methodist's own scope is not widened by the methodist filter.
    rows = dashboards.deadline_grid(
        user=district["curator"], academic_year=2026, filters={"methodist": district["other"]}
    )
    assert [r.association for r in rows.rows] == [district["mine"]]


# --- the methodist's day ------------------------------------------------------------------------------------------


def test_methodist_panel_lists_overdue_and_due_today_and_documents_to_review(client, district):
    late = owe(district["mine"], due=D(2027, 3, 1), status=S.OVERDUE, what="план работы: 2026/27")
    today = owe(district["mine"], due=TODAY, status=S.DUE_SOON, what="аналитическая записка за I квартал")
    owe(district["mine"], due=D(2027, 4, 1), status=S.UPCOMING, what="не в этом списке")
    owe(district["theirs"], due=D(2027, 3, 1), status=S.OVERDUE, what="чужое обязательство")
    attention = dashboards.needs_attention_today(user=district["curator"], today=TODAY)
    assert attention.overdue == [late] and attention.due_today == [today] and attention.to_review == 0
    assert attention.overdue[0].escalated  # 14 days after the date: the regulation's 3 days have passed
    page = body(client, district["curator"], reverse("start_methodist"))
    panel = page.split("Сроки: что требует внимания сегодня", 1)[1].split("</section>", 1)[0]
    assert "план работы: 2026/27" in panel and "аналитическая записка за I квартал" in panel
    assert "не в этом списке" not in panel and "чужое обязательство" not in panel
    assert "(сообщено вам)" in panel


def test_head_panel_gives_the_district_share_escalations_and_flagged_leaders(client, district):
    owe(district["mine"], due=D(2026, 10, 1), status=S.FULFILLED_ON_TIME)
    owe(district["theirs"], due=D(2027, 3, 1), status=S.OVERDUE)  # 14 days: past the head's 10
    owe(district["theirs"], due=D(2027, 3, 10), status=S.OVERDUE)  # 5 days: not yet
    page = body(client, district["head"], reverse("start_head"))
    panel = page.split("Исполнение регламента", 1)[1].split("</section>", 1)[0]
    assert "33 % (1 из 3 в срок)" in panel
    assert "Сообщено вам о просрочках: 1 обязательство" in panel


# --- the flagged leaders ------------------------------------------------------------------------------------------


@pytest.fixture
def replaceable(district):
    """The methodist's association under a regulation that lets a leader be replaced after 3 months (seed 004)."""
    association = district["mine"]
    association.regulation = RegulationFactory(code="replace-after-3", leader_replace_after_months=3)
    association.save()
    return association


def flagged(user=None):
    return [(f.association.name, f.leader.username) for f in dashboards.leaders_flagged(today=TODAY, user=user)]


def test_a_leader_overdue_in_each_of_three_months_is_flagged_with_the_order_link(client, district, replaceable):
    owe(replaceable, due=D(2026, 12, 20), status=S.FULFILLED_LATE, fulfilled=D(2027, 1, 10))  # January
    owe(replaceable, due=D(2027, 1, 31), status=S.FULFILLED_LATE, fulfilled=D(2027, 2, 3))  # February
    owe(replaceable, due=D(2027, 3, 5), status=S.OVERDUE)  # March, still open
    assert flagged() == [("РМО учителей математики", "leader")]
    assert flagged(district["curator"]) == [("РМО учителей математики", "leader")]
    assert flagged(district["other"]) == []
    link = f"{reverse('associations:order_create')}?kind=dismiss&amp;association={replaceable.pk}"
    page = body(client, district["curator"], reverse("reports:deadlines"))
    assert "Подготовить приказ о замене руководителя" in page and link in page
    assert "Ёлкина" in page
    form = body(client, district["curator"], reverse("associations:order_create"), kind="dismiss",
                association=replaceable.pk, candidate=district["leader"].pk)  # fmt: skip
    assert f'<option value="{replaceable.pk}" selected>' in form
    assert f'<option value="{district["leader"].pk}" selected>' in form
    page = body(client, district["head"], reverse("reports:deadlines"))
    assert "Руководители: обязанности не выполняются" in page and "Ёлкина" in page


def test_one_obligation_open_since_december_is_overdue_in_all_three_months(replaceable):
    owe(replaceable, due=D(2026, 12, 31), status=S.OVERDUE)
    assert flagged() == [("РМО учителей математики", "leader")]


def test_a_month_without_an_overdue_day_breaks_the_run(replaceable):
    owe(replaceable, due=D(2026, 12, 20), status=S.FULFILLED_LATE, fulfilled=D(2027, 1, 10))  # January
    owe(replaceable, due=D(2027, 3, 5), status=S.OVERDUE)  # March; nothing overdue in February
    assert flagged() == []


def test_obligations_fulfilled_on_time_or_waived_never_flag(replaceable):
    owe(replaceable, due=D(2026, 12, 31), status=S.FULFILLED_ON_TIME, fulfilled=D(2026, 12, 30))
    owe(replaceable, due=D(2027, 1, 2), status=S.WAIVED)
    owe(replaceable, due=D(2027, 3, 5), status=S.OVERDUE)
    assert flagged() == []


def test_a_regulation_that_sets_no_replacement_never_flags(district):
    owe(district["mine"], due=D(2026, 12, 31), status=S.OVERDUE)
    assert district["mine"].regulation.leader_replace_after_months is None
    assert flagged() == []


# --- the obligation's page and waiving ----------------------------------------------------------------------------


def test_obligation_page_shows_what_whose_state_history_and_reminders(client, district):
    from reports.models import Reminder

    obligation = owe(district["mine"], due=D(2027, 3, 1), status=S.OVERDUE, what="план работы: 2026/27",
                     owner=district["leader"], reviewer=district["curator"])  # fmt: skip
    from rmo_portal.models import Notification

    letter = Notification.objects.create(recipient=district["leader"], subject="Тема", text="Текст", kind="reminder",
                                         by_mail=True, emailed_at=at(D(2027, 2, 22)))  # fmt: skip
    Reminder.objects.create(obligation=obligation, step="before_7", recipient=district["leader"],
                            sent_at=at(D(2027, 2, 22)), notification=letter)  # fmt: skip
    Reminder.objects.create(obligation=obligation, step="methodist", recipient=district["curator"],
                            sent_at=at(D(2027, 3, 4)))  # fmt: skip
    page = body(client, district["leader"], obligation.get_absolute_url())  # the leader reads it…
    assert "План работы: 2026/27" in page and "до 1 марта 2027 г." in page and "Просрочено" in page
    assert "За 7 дн. до срока" in page and "письмо отправлено 22 февраля 2027 г." in page
    assert "Сообщение методисту" not in page  # the escalations are the service's, not the members'
    assert "Сообщение методисту" in body(client, district["curator"], obligation.get_absolute_url())
    assert reverse("reports:documents", args=[district["mine"].pk, 2026]) in page
    assert "Снять обязательство" not in page  # …but may not waive it
    assert "before_7" not in page and "2027-03-01" not in page


def test_waive_needs_a_reason_then_moves_the_state_and_records_it(client, district):
    obligation = owe(district["mine"], due=D(2027, 3, 1), status=S.OVERDUE)
    client.force_login(district["curator"])
    url = reverse("reports:obligation_waive", args=[obligation.pk])
    response = client.post(url, {"reason": "   "})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Укажите, почему обязательство снимается." in page and "is-invalid" in page
    obligation.refresh_from_db()
    assert obligation.status == S.OVERDUE
    response = client.post(url, {"reason": "Объединение на карантине"}, follow=True)
    assert "Обязательство снято" in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.WAIVED and obligation.waived_reason == "Объединение на карантине"
    last = history_of(obligation)[-1]
    assert (last.to_status, last.by, last.comment) == (S.WAIVED, district["curator"], "Объединение на карантине")


def test_waive_is_refused_to_a_methodist_who_does_not_curate_and_hidden_from_strangers(client, district):
    obligation = owe(district["mine"], due=D(2027, 3, 1), status=S.OVERDUE)
    url = reverse("reports:obligation_waive", args=[obligation.pk])
    client.force_login(district["other"])
    assert client.post(url, {"reason": "Не моё"}).status_code == 403
    stranger = TeacherFactory(user=UserFactory(username="stranger")).user
    client.force_login(stranger)
    assert client.post(url, {"reason": "Не моё"}).status_code == 404
    assert client.get(obligation.get_absolute_url()).status_code == 404
    member = MembershipFactory(association=district["mine"]).user
    client.force_login(member)
    assert client.get(obligation.get_absolute_url()).status_code == 200
    assert client.post(url, {"reason": "Не моё"}).status_code == 403
    obligation.refresh_from_db()
    assert obligation.status == S.OVERDUE


def test_waiving_a_fulfilled_obligation_says_so_in_russian(client, district):
    obligation = owe(district["mine"], due=D(2027, 3, 1), status=S.FULFILLED_ON_TIME, fulfilled=D(2027, 2, 27))
    client.force_login(district["curator"])
    response = client.post(reverse("reports:obligation_waive", args=[obligation.pk]), {"reason": "Поздно"}, follow=True)
    assert response.status_code == 200
    assert "Обязательство уже выполнено или снято." in response.content.decode()
    obligation.refresh_from_db()
    assert obligation.status == S.FULFILLED_ON_TIME


# --- the export ---------------------------------------------------------------------------------------------------


def test_excel_export_keeps_the_pages_filters(client, district):
    from openpyxl import load_workbook

    from rmo_portal.exports import export_job_run
    from rmo_portal.models import ExportJob

    owe(district["mine"], due=D(2026, 11, 1), status=S.OVERDUE, document="work_plan")
    owe(district["theirs"], due=D(2026, 11, 1), status=S.FULFILLED_ON_TIME, document="work_plan")
    page = body(client, district["head"], reverse("reports:deadlines"), state="overdue", year="2026")
    assert f"{reverse('reports:deadlines_export')}?state=overdue&amp;year=2026" in page
    response = client.get(reverse("reports:deadlines_export"), {"state": "overdue", "year": "2026"})
    job = ExportJob.objects.get(owner=district["head"], kind="deadlines_grid")
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    export_job_run(job_id=job.pk)
    job.refresh_from_db()
    sheet = load_workbook(job.result.file.open("rb")).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][:4] == ["Объединение", "Руководитель", "Методист", "Исполнение, %"]
    assert "План работы" in rows[0]
    assert [r[0] for r in rows[1:]] == ["РМО учителей математики"]  # the filter «есть: просрочено»
    assert rows[1][3] == 0 and "Просрочено, до 1 ноября 2026 г." in rows[1]


# --- query counts -------------------------------------------------------------------------------------------------


def _grow(curator, n: int) -> None:
    for _ in range(n):
        association = AssociationFactory()
        association.curators.add(curator)
        leader_of(association)
        owe(association, due=D(2026, 11, 1), status=S.OVERDUE)
        owe(association, due=D(2027, 1, 10), status=S.FULFILLED_ON_TIME, document="annual_report")
        owe(association, due=D(2026, 12, 1), status=S.FULFILLED_LATE, kind="protocol", document="")
        owe(association, due=D(2026, 12, 5), status=S.OVERDUE, kind="protocol", document="")


@pytest.mark.parametrize("role", ["curator", "head"])
def test_the_grid_runs_as_many_queries_for_15_associations_as_for_3(client, district, role):
    client.force_login(district[role])
    url = reverse("reports:deadlines")
    _grow(district["curator"], 2)  # the methodist's 3 associations (the head's 4)…
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    few = count()
    _grow(district["curator"], 12)  # …and 15 (16)
    assert count() == few


def test_the_navbar_offers_sroki_to_the_service_only(client, district):
    link = f'href="{reverse("reports:deadlines")}"'
    assert link in body(client, district["curator"], reverse("start_methodist"))
    assert link in body(client, district["head"], reverse("start_head"))
    assert link not in body(client, district["leader"], reverse("start_leader"))
