"""The one calendar: years, periods, rule dates and which year a document is for, across year boundaries."""

import datetime

import pytest
import time_machine
from django.apps import apps
from django.core.exceptions import ValidationError

from associations.models import AcademicYear, DocumentRule, MeetingRule, PublicationWindow, Regulation, SchoolTerm
from associations.presets import presets_load
from associations.services import academic_year_forget, academic_year_shape
from rmo_portal import calendar
from rmo_portal.calendar import PeriodKind

pytestmark = pytest.mark.django_db

D = datetime.date


@pytest.mark.parametrize(
    ("day", "year"),
    [(D(2026, 8, 31), 2025), (D(2026, 9, 1), 2026), (D(2026, 12, 31), 2026), (D(2027, 1, 1), 2026),
     (D(2027, 8, 31), 2026), (D(2027, 9, 1), 2027)],
)  # fmt: skip
def test_the_academic_year_of_a_day(day, year):
    assert calendar.academic_year_of(day) == year


def test_the_year_comes_from_its_rows_when_a_district_edits_them():
    academic_year_shape(2026)  # made with the defaults when missing
    row = AcademicYear.objects.get(start_year=2026)
    assert (row.starts_on, row.ends_on) == (D(2026, 9, 1), D(2027, 8, 31))
    row.ends_on = D(2027, 8, 30)  # seed 004: «с 1 сентября по 30 августа»
    row.save()
    academic_year_forget(start_year=2026)
    assert calendar.year_bounds(2026) == (D(2026, 9, 1), D(2027, 8, 30))
    academic_year_shape(2027)
    AcademicYear.objects.filter(start_year=2027).update(starts_on=D(2027, 8, 25))  # a district starts early
    academic_year_forget(start_year=2027)
    assert calendar.academic_year_of(D(2027, 8, 26)) == 2027


def test_today_is_the_districts_day_not_the_servers(settings):
    settings.TIME_ZONE = "Asia/Yakutsk"  # UTC+9: 20:00 UTC on 31 August is 1 September in Вилюйск
    with time_machine.travel(datetime.datetime(2026, 8, 31, 20, 0, tzinfo=datetime.UTC), tick=False):
        assert calendar.today() == D(2026, 9, 1)
        assert calendar.current_academic_year() == 2026


def test_school_terms_come_from_the_rows():
    academic_year_shape(2026)
    SchoolTerm.objects.filter(academic_year__start_year=2026, number=3).update(starts_on=D(2027, 1, 12))
    academic_year_forget(start_year=2026)
    terms = calendar.periods(PeriodKind.TERM, 2026)
    assert [(t.starts_on, t.ends_on) for t in terms] == [
        (D(2026, 9, 1), D(2026, 10, 31)), (D(2026, 11, 1), D(2026, 12, 31)),
        (D(2027, 1, 12), D(2027, 3, 31)), (D(2027, 4, 1), D(2027, 5, 31)),
    ]  # fmt: skip
    assert terms[0].label == "1 четверть 2026/27"
    assert calendar.period_containing(PeriodKind.TERM, D(2027, 1, 10)) is None  # the winter holidays
    assert calendar.period_containing(PeriodKind.TERM, D(2027, 2, 1)).number == 3


def test_half_years_and_quarters_have_boundaries():
    halves = calendar.periods(PeriodKind.HALF_YEAR, 2026)
    assert [(h.starts_on, h.ends_on) for h in halves] == [
        (D(2026, 9, 1), D(2026, 12, 31)),
        (D(2027, 1, 1), D(2027, 8, 31)),
    ]
    assert halves[1].label == "II полугодие 2026/27"
    quarters = calendar.periods(PeriodKind.QUARTER, 2026)
    assert [q.label for q in quarters] == ["III квартал 2026", "IV квартал 2026", "I квартал 2027", "II квартал 2027"]
    assert (quarters[0].starts_on, quarters[0].ends_on) == (D(2026, 7, 1), D(2026, 9, 30))
    assert calendar.period_containing(PeriodKind.QUARTER, D(2027, 2, 14)).label == "I квартал 2027"
    (year,) = calendar.periods(PeriodKind.YEAR, 2026)
    assert (year.starts_on, year.ends_on, year.label) == (D(2026, 9, 1), D(2027, 8, 31), "2026/27 учебный год")


@pytest.fixture
def presets():
    presets_load(apps)
    return {r.code: r for r in Regulation.objects.all()}


def test_each_seed_gives_its_years_requirements_with_the_year_each_document_is_for(presets):
    pechora = [(r.kind, r.what, r.due, r.for_year) for r in presets["pechora-rmo"].requirements(2026)]
    assert ("meeting", "не менее 1 заседания", D(2026, 10, 31), 2026) in pechora  # each term
    assert len([r for r in pechora if r[0] == "meeting"]) == 4
    assert ("document", "анализ (отчёт) о деятельности за год", D(2027, 6, 10), 2026) in pechora
    zalesovo = presets["zalesovo-mmo"].requirements(2026)
    assert [(r.due, r.period.label) for r in zalesovo if r.kind == "meeting"] == [
        (D(2027, 8, 31), "2026/27 учебный год")
    ]
    vilyuisk = {(r.kind, r.what): r for r in presets["vilyuisk-umo"].requirements(2026)}
    assert vilyuisk[("document", "план работы")].for_year == 2027  # approved by 20 June: next year's plan
    assert vilyuisk[("document", "анализ (отчёт) о деятельности за год")].for_year == 2026  # this year's report
    assert vilyuisk[("database", "база педагогов проверена и обновлена (не менее 90\u00a0% профилей)")].due == D(
        2026, 9, 25
    )
    notes = [r for r in presets["vilyuisk-umo"].requirements(2026) if r.rule.__class__ is DocumentRule
             and r.rule.document == "quarterly_note"]  # fmt: skip
    assert [n.due for n in notes] == [D(2026, 9, 28), D(2026, 12, 28), D(2027, 3, 28), D(2027, 6, 28)]
    halves = [r for r in presets["vilyuisk-umo"].requirements(2026) if r.kind == "meeting"]
    assert [h.period.label for h in halves] == ["I полугодие 2026/27", "II полугодие 2026/27"]
    requirements = presets["vilyuisk-umo"].requirements(2026)
    assert [r.due for r in requirements] == sorted(r.due for r in requirements)


def test_a_requirement_is_past_only_after_its_day_in_the_district(presets):
    report = next(r for r in presets["pechora-rmo"].requirements(2026) if r.kind == "document" and r.due.month == 6)
    assert not report.is_past(D(2027, 6, 10)) and report.is_past(D(2027, 6, 11))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("teacher_database_due", "31.02", "нет 31-го числа"), ("teacher_database_due", "29.02", "не каждый год"),
     ("teacher_database_due", "10.00", "Месяц"), ("teacher_database_due", "25-09", "через точку")],
)  # fmt: skip
def test_a_regulation_whose_dates_would_crash_the_calendar_cannot_be_saved(presets, field, value, message):
    regulation = presets["vilyuisk-umo"]
    setattr(regulation, field, value)
    with pytest.raises(ValidationError, match=message):
        regulation.full_clean()


@pytest.mark.parametrize(
    ("values", "message"),
    [({"date_rule": "fixed_day", "month": 2, "day": 31}, "нет 31-го числа"),
     ({"date_rule": "fixed_day", "month": 2, "day": 29}, "не каждый год"),
     ({"date_rule": "fixed_day", "month": 0, "day": 10}, "1"),
     ({"date_rule": "quarter_end", "day": 0}, "1"),
     ({"date_rule": "quarter_end", "day": 31}, "от 1 до 30"),
     ({"date_rule": "period", "start_month": 5, "start_day": 1, "month": 6, "day": 31}, "нет 31-го числа")],
)  # fmt: skip
def test_a_rule_row_that_would_crash_the_calendar_cannot_be_saved(presets, values, message):
    rule = DocumentRule(regulation=presets["kurchaloy-oms"], document="annual_report", **values)
    with pytest.raises(ValidationError, match=message):
        rule.full_clean()


def test_two_identical_rule_rows_are_refused(presets):
    regulation = presets["pechora-rmo"]
    with pytest.raises(ValidationError):
        MeetingRule(regulation=regulation, period="term", min_count=1).full_clean()
    with pytest.raises(ValidationError):
        DocumentRule(
            regulation=regulation, document="annual_report", date_rule="fixed_day", month=6, day=1
        ).full_clean()
    with pytest.raises(ValidationError):
        PublicationWindow(
            regulation=presets["vilyuisk-umo"], document="annual_report", from_day="01.06", to_day="02.06"
        ).full_clean()


def test_presets_load_updates_rules_in_place(presets):
    rule = presets["vilyuisk-umo"].document_rules.get(document="work_plan")
    rule.date_confirmed = True  # an administrator's confirmation survives a reload
    rule.save()
    meeting = presets["vilyuisk-umo"].meeting_rules.get()
    presets_load(apps)
    assert presets["vilyuisk-umo"].document_rules.get(document="work_plan").pk == rule.pk
    assert presets["vilyuisk-umo"].meeting_rules.get().pk == meeting.pk
    assert DocumentRule.objects.get(pk=rule.pk).date_confirmed


def test_the_first_year_still_gets_the_plan_of_its_current_year(presets):
    covering = presets["vilyuisk-umo"].requirements_covering(2026)
    plans = [(r.what, r.due) for r in covering if r.kind == "document" and "план" in r.what]
    assert plans == [("проект плана работы", D(2026, 5, 15)), ("план работы", D(2026, 6, 20))]
    assert all(r.for_year == 2026 for r in covering)
    # The report of 2026/27 is due in 2026/27 itself.
    assert any(r.what.startswith("анализ") and r.due == D(2027, 6, 20) for r in covering)
