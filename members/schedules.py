"""The attestation and training schedules (seed 004 §9.10, §9.11) and the export of the database (§9.5)."""

import datetime
from dataclasses import dataclass, field

from .models import ATTESTATION_PERIOD_YEARS, TRAINING_PERIOD_YEARS, Achievement, Teacher

PLAN_YEARS = 5


@dataclass
class ScheduleRow:
    teacher: Teacher
    due_year: int | None
    overdue: bool
    plan: dict[int, bool] = field(default_factory=dict)


def _plan(due: int | None, *, year: int, every: int) -> tuple[bool, dict[int, bool]]:
    """Overdue (or never done) is planned for `year`; then every `every` years within the plan."""
    overdue = due is None or due < year
    first = year if overdue else due
    return overdue, {y: y >= first and (y - first) % every == 0 for y in range(year, year + PLAN_YEARS)}


def attestation_schedule(teachers, *, year: int) -> list[ScheduleRow]:
    """Who is due for attestation in `year` … `year + 4`, and who is overdue; by due year, then name.

    Teachers without a category and without an attestation date are not in the schedule.
    """
    rows = []
    for teacher in teachers:
        due = teacher.next_attestation_year
        if due is None or due >= year + PLAN_YEARS:
            continue
        overdue, plan = _plan(due, year=year, every=ATTESTATION_PERIOD_YEARS)
        rows.append(ScheduleRow(teacher=teacher, due_year=due, overdue=overdue, plan=plan))
    return sorted(rows, key=lambda r: r.due_year)


def training_due_year(teacher: Teacher) -> int | None:
    last = teacher.last_course_end
    return last.year + TRAINING_PERIOD_YEARS if last else None


def training_schedule(teachers, *, year: int) -> list[ScheduleRow]:
    """A course at least every 3 years: when each teacher is due; no course at all is overdue."""
    rows = []
    for teacher in teachers:
        due = training_due_year(teacher)
        overdue, plan = _plan(due, year=year, every=TRAINING_PERIOD_YEARS)
        rows.append(ScheduleRow(teacher=teacher, due_year=due, overdue=overdue, plan=plan))
    return sorted(rows, key=lambda r: r.due_year or 0)


EXPORT_HEADERS = [
    "Ф.И.О.",
    "Школа",
    "Преподаваемый предмет",
    "Образование",
    "Педагогический стаж, лет",
    "Квалификационная категория",
    "Дата последней аттестации",
    "Год очередной аттестации",
    "Повышение квалификации (когда, где, тема)",
    "Тема самообразования",
    "Победы в конкурсах",
    "Участие в районных мероприятиях",
    "Звания, награды",
    "Публикации",
    "Телефон",
    "Эл. почта",
]


def export_rows(teachers, *, on: datetime.date):
    """The columns of seed 004 §9.5, one row per teacher (`teachers` prefetched with for_export())."""
    for t in teachers:
        achievements = t.export_achievements

        def of(*kinds, achievements=achievements):
            return "\n".join(
                f"{a.date:%d.%m.%Y} {a.title} ({a.get_level_display()}){', ' + a.result if a.result else ''}"
                for a in achievements
                if a.kind in kinds
            )

        yield [
            t.user.full_name,
            "\n".join(str(e.school) for e in t.export_employments),
            ", ".join(s.name for s in t.export_subjects),
            "\n".join(
                f"{e.get_level_display()}{' педагогическое' if e.is_pedagogical else ''}, {e.institution}, {e.year}"
                for e in t.export_educations
            ),
            t.pedagogical_years(on),
            t.get_category_display(),
            t.last_attestation_on,
            t.next_attestation_year,
            "\n".join(
                f"{c.start_date:%d.%m.%Y}–{c.end_date:%d.%m.%Y}, {c.provider}, {c.topic}" for c in t.export_courses
            ),
            t.self_education_topic,
            of(Achievement.Kind.CONTEST),
            of(Achievement.Kind.EVENT),
            of(Achievement.Kind.TITLE, Achievement.Kind.AWARD),
            of(Achievement.Kind.PUBLICATION),
            t.phone,
            t.user.email,
        ]


@dataclass(frozen=True)
class Schedule:
    """One schedule as the page and its files show it: what it is called, whom it lists, in which order."""

    code: str
    title: str
    due_label: str
    filename: str
    build: object  # (teachers, *, year) -> list[ScheduleRow]

    def queryset(self, teachers, *, year: int, on: datetime.date):
        """`teachers` narrowed in the database to whom the schedule lists, in its order: by the year each is
        due (never: first), then by name; so that a page of it is a page of the database, not of the district."""
        from django.db.models import F
        from django.db.models.functions import ExtractYear

        ordered = teachers.ordered().with_schedule_facts(on=on)
        by_name = list(ordered.query.order_by)
        if self.code == "attestation":
            ordered = ordered.filter(next_attestation__lt=year + PLAN_YEARS)
            due = F("next_attestation").asc()
        else:
            due = ExtractYear("last_course").asc(nulls_first=True)
        return ordered.order_by(due, *by_name)

    def due_in(self, teachers, *, year: int):
        """Those of `queryset()` whom the plan puts in `year`: due then or overdue (or never trained)."""
        from django.db.models import Q

        if self.code == "attestation":
            return teachers.filter(next_attestation__lte=year)
        return teachers.filter(Q(last_course__isnull=True) | Q(last_course__year__lte=year - TRAINING_PERIOD_YEARS))

    def xlsx_rows(self, rows: list[ScheduleRow], *, years: list[int]):
        for r in rows:
            yield [
                r.teacher.user.full_name,
                str(r.teacher.main_school or ""),
                ", ".join(s.name for s in r.teacher.subjects.all()),
                r.teacher.get_category_display(),
                r.due_year or "нет сведений",
                *["✓" if r.plan[y] else "" for y in years],
            ]

    def xlsx_headers(self, years: list[int]) -> list[str]:
        return ["Ф.И.О.", "Школа", "Предмет", "Категория", self.due_label, *map(str, years)]


SCHEDULES = {
    "attestation": Schedule("attestation", "График аттестации", "Год аттестации", "attestation", attestation_schedule),
    "training": Schedule(
        "training", "График повышения квалификации", "Курс положен до (год)", "training", training_schedule
    ),
}
