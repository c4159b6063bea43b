"""The presets match the seeds point by point (one test per row of DOMAIN.md's table), and the rules compute."""

import datetime

import pytest
from django.apps import apps

from associations.models import AcademicYear, DocumentRule, MeetingRule, Regulation
from associations.presets import presets_load
from associations.services import academic_year_ensure, regulation_copy
from members.models import Category, Education, Teacher
from members.tests.factories import TeacherFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def presets():
    presets_load(apps)  # the migration's data; browser tests flush it, so load it again here
    return {r.code: r for r in Regulation.objects.all()}


def _documents(regulation):
    return {(r.document, r.date_rule): r for r in regulation.document_rules.all()}


def test_meetings(presets):
    rules = {code: [(m.period, m.min_count) for m in r.meeting_rules.all()] for code, r in presets.items()}
    assert rules["pechora-rmo"] == [(MeetingRule.Period.TERM, 1)]  # at least 1 per school term (001)
    assert rules["zalesovo-mmo"] == [(MeetingRule.Period.YEAR, 4)]  # at least 4 per academic year (003)
    assert rules["vilyuisk-umo"] == [(MeetingRule.Period.HALF_YEAR, 1)]  # 1 per half-year (004)
    assert presets["vilyuisk-umo"].meeting_rules.get().by_published_schedule
    assert rules["kurchaloy-oms"] == []  # the service, not an association


def test_protocol(presets):
    assert presets["pechora-rmo"].protocol_rule.kept_by_secretary
    zalesovo = presets["zalesovo-mmo"].protocol_rule
    assert zalesovo.signed_by_leader and not zalesovo.kept_by_secretary  # chaired by the leader
    vilyuisk = presets["vilyuisk-umo"].protocol_rule
    assert vilyuisk.days_after_meeting == 3
    assert vilyuisk.signed_by_leader and vilyuisk.signed_by_secretary and vilyuisk.scan_published


def test_work_plan(presets):
    pechora = _documents(presets["pechora-rmo"])
    plan = pechora[("work_plan", "after_start")]
    assert plan.due_dates(2026) == [datetime.date(2026, 9, 15)]
    # «в начале учебного года»: the seed names no day; the portal assumes one and says so. It is this year's plan.
    (requirement,) = plan.requirements(2026)
    assert requirement.assumed and not requirement.escalates and requirement.for_year == 2026
    assert "срок не назван" in plan.note
    vilyuisk = _documents(presets["vilyuisk-umo"])
    assert vilyuisk[("plan_draft", "fixed_day")].due_dates(2026) == [datetime.date(2027, 5, 15)]
    plan = vilyuisk[("work_plan", "fixed_day")]
    assert plan.due_dates(2026) == [datetime.date(2027, 6, 20)] and plan.discussion_and_vote
    # The draft (15 May), the approval (20 June) and the publication (20–30 August) are the next year's plan.
    assert [r.for_year for r in vilyuisk[("plan_draft", "fixed_day")].requirements(2026)] == [2027]
    assert [r.for_year for r in plan.requirements(2026)] == [2027]
    window = presets["vilyuisk-umo"].publication_windows.get(document="work_plan")
    assert window.window(2026) == (datetime.date(2027, 8, 20), datetime.date(2027, 8, 30))
    assert [r.for_year for r in window.requirements(2026)] == [2027]
    assert not any(r.assumed for r in plan.requirements(2026))
    assert ("work_plan", "after_start") in _documents(presets["zalesovo-mmo"])  # per academic year


def test_annual_report(presets):
    assert _documents(presets["pechora-rmo"])[("annual_report", "fixed_day")].due_dates(2026) == [
        datetime.date(2027, 6, 10)
    ]
    zalesovo = _documents(presets["zalesovo-mmo"])
    assert zalesovo[("annual_report", "fixed_day")].due_dates(2026) == [datetime.date(2027, 5, 31)]
    assert zalesovo[("portfolio", "fixed_day")].due_dates(2026) == [datetime.date(2027, 5, 31)]
    # «конец мая» names no day: 31 May is assumed and shown as such.
    assert zalesovo[("annual_report", "fixed_day")].date_assumed
    assert "положением не установлен" in zalesovo[("portfolio", "fixed_day")].assumed_label
    # «май–июнь» is a period for doing it, not a day and not a publication window.
    (assessment,) = zalesovo[("self_assessment", "period")].requirements(2026)
    assert (assessment.starts_on, assessment.due) == (datetime.date(2027, 5, 1), datetime.date(2027, 6, 30))
    assert assessment.when == "с 1 мая по 30 июня 2027 г." and not assessment.assumed
    vilyuisk = presets["vilyuisk-umo"]
    report = _documents(vilyuisk)[("annual_report", "fixed_day")]
    assert report.due_dates(2026) == [datetime.date(2027, 6, 20)] and report.recipient == "УУО"
    assert vilyuisk.publication_windows.get(document="annual_report").window(2026) == (
        datetime.date(2027, 6, 20),
        datetime.date(2027, 6, 30),
    )


def test_quarterly_note(presets):
    note = _documents(presets["vilyuisk-umo"])[("quarterly_note", "quarter_end")]
    assert note.due_dates(2026) == [
        datetime.date(2026, 9, 28),
        datetime.date(2026, 12, 28),
        datetime.date(2027, 3, 28),
        datetime.date(2027, 6, 28),
    ]
    assert note.recipient == "НМЦ"
    for code in ("pechora-rmo", "zalesovo-mmo"):
        assert not presets[code].document_rules.filter(document="quarterly_note").exists()


def test_teacher_database(presets):
    assert presets["vilyuisk-umo"].teacher_database_deadline(2026) == datetime.date(2026, 9, 25)
    assert presets["vilyuisk-umo"].teacher_database_share == 90
    assert presets["pechora-rmo"].teacher_database_deadline(2026) is None  # kept, without a date


def _candidate(category, since_year, *, higher_pedagogical=True, total_since_year=None, subject="Русский язык"):
    teacher = TeacherFactory(
        user=UserFactory(username=f"c{category}{since_year}{total_since_year}{subject}"), category=category,
        pedagogical_since=datetime.date(since_year, 9, 1),
        total_since=datetime.date(total_since_year or since_year, 9, 1), subject=subject,
    )  # fmt: skip
    if higher_pedagogical:
        Education.objects.create(teacher=teacher, institution="ПГПИ", year=since_year - 1, is_pedagogical=True)
    return Teacher.objects.prefetch_related("educations").get(pk=teacher.pk)


def test_leader(presets):
    on = datetime.date(2026, 11, 24)
    pechora, zalesovo, vilyuisk = presets["pechora-rmo"], presets["zalesovo-mmo"], presets["vilyuisk-umo"]
    assert pechora.leader_problems(_candidate(Category.HIGHEST, 2010), on=on) == []
    assert pechora.leader_problems(_candidate(Category.FIRST, 2010), on=on) == [
        "требуется высшая квалификационная категория"
    ]
    # «стаж работы в системе образования»: total experience, not pedagogical (seed 000 п. 2).
    assert pechora.leader_problems(_candidate(Category.HIGHEST, 2023, total_since_year=2015), on=on) == []
    assert pechora.leader_problems(_candidate(Category.HIGHEST, 2023), on=on) == [
        "требуется стаж работы в системе образования не менее 5 лет (стаж 3 года)"
    ]
    assert pechora.leader_problems(_candidate(Category.HIGHEST, 2011, higher_pedagogical=False), on=on) == [
        "требуется высшее педагогическое образование"
    ]
    first = _candidate(Category.FIRST, 2024)
    assert zalesovo.leader_problems(first, on=on) == vilyuisk.leader_problems(first, on=on) == []
    # Вилюйский: «из числа учителей-предметников» (seed 004 п. 1.4) — a teacher of the association's subject.
    assert vilyuisk.leader_problems(first, on=on, subject_area="Русский язык и литература") == []
    assert vilyuisk.leader_problems(first, on=on, subject_area="Математика") == [
        "руководитель должен быть учителем предмета объединения (Математика)"
    ]
    assert zalesovo.leader_problems(first, on=on, subject_area="Математика") == []
    assert vilyuisk.leader_problems(_candidate(Category.COMPLIANCE, 2000), on=on) == [
        "требуется первая или высшая квалификационная категория"
    ]
    assert pechora.leader_appointment == zalesovo.leader_appointment == "order"
    assert vilyuisk.leader_appointment == "election" and vilyuisk.leader_replace_after_months == 3


def test_reminder_defaults(presets):
    regulation = presets["vilyuisk-umo"]
    assert regulation.reminder_offsets == [14, 7, 1]
    assert (regulation.escalate_to_methodist_after, regulation.escalate_to_head_after) == (3, 10)


def test_a_preset_is_copied_with_all_its_rules_and_the_copy_edited_alone(presets):
    original = presets["vilyuisk-umo"]
    copy = regulation_copy(regulation=original, code="my-district", title="Положение о РМО", district="Мой район")
    assert copy.copied_from == original
    assert copy.meeting_rules.count() == original.meeting_rules.count() == 1
    assert copy.document_rules.count() == original.document_rules.count() == 4
    assert copy.publication_windows.count() == 2
    assert copy.protocol_rule.days_after_meeting == 3
    copy.document_rules.filter(document="annual_report").update(day=10)
    assert _documents(original)[("annual_report", "fixed_day")].day == 20


def test_a_new_district_needs_rows_not_code():
    regulation = Regulation.objects.create(code="new", title="Положение", district="Новый район")
    rule = DocumentRule.objects.create(
        regulation=regulation, document="annual_report", date_rule="after_start", days=270, recipient="РУО"
    )
    assert rule.due_dates(2026) == [datetime.date(2027, 5, 29)]


def test_academic_year_has_the_default_school_terms():
    year = academic_year_ensure(start_year=2026)
    assert (year.starts_on, year.ends_on) == (datetime.date(2026, 9, 1), datetime.date(2027, 8, 31))
    assert [(t.starts_on, t.ends_on) for t in year.terms.all()] == [
        (datetime.date(2026, 9, 1), datetime.date(2026, 10, 31)),
        (datetime.date(2026, 11, 1), datetime.date(2026, 12, 31)),
        (datetime.date(2027, 1, 9), datetime.date(2027, 3, 31)),
        (datetime.date(2027, 4, 1), datetime.date(2027, 5, 31)),
    ]
    assert academic_year_ensure(start_year=2026) == year
    assert AcademicYear.objects.count() == 1


def test_regulation_page_reads_the_rules_in_russian(client, presets):
    from django.urls import reverse

    from members.tests.factories import methodist

    client.force_login(methodist(username="m"))
    body = client.get(presets["vilyuisk-umo"].get_absolute_url()).content.decode()
    assert "Не менее 1 заседания за полугодие" in body
    assert "в течение 3 дней" in body
    assert "до 28-го числа последнего месяца квартала" in body
    assert "обсуждение и голосование" in body
    listing = client.get(reverse("associations:regulation_list")).content.decode()
    assert presets["vilyuisk-umo"].get_absolute_url() in listing


def test_admin_copies_a_preset(client, presets):
    from django.urls import reverse

    from members.tests.factories import portal_admin

    client.force_login(portal_admin(username="a"))
    response = client.post(
        reverse("admin:associations_regulation_changelist"),
        {"action": "copy_regulation", "_selected_action": [presets["pechora-rmo"].pk]},
        follow=True,
    )
    assert "Создана копия" in response.content.decode()
    copy = Regulation.objects.get(code="pechora-rmo-copy1")
    assert copy.meeting_rules.count() == 1 and copy.leader_min_years == 5
