"""The teacher database's background files (rmo_portal.exports): the full export and the schedules as files.

Each build runs in a Celery worker as the job's owner: the same scope (`visible_to`) and the same filter
(the page's parameters, kept on the job) as the page it was asked from.
"""

import tempfile

from rmo_portal import calendar
from rmo_portal.exports import ExportError, query_of, register

from .filters import TeacherFilter
from .models import Teacher
from .schedules import EXPORT_HEADERS, PLAN_YEARS, SCHEDULES, export_rows

CHUNK = 2000  # teachers read (with their prefetched rows) at a time


def filtered(owner, params: dict, queryset=None):
    """The owner's teachers narrowed by the page's filter; an invalid filter is an error, never «everyone»."""
    base = Teacher.objects.visible_to(owner) if queryset is None else queryset
    filterset = TeacherFilter(query_of(params), queryset=base)
    if not filterset.is_valid():
        raise ExportError("Отбор списка больше не действует (например, школа удалена). Закажите выгрузку снова.")
    return filterset.qs


def schedule_year(params: dict) -> int:
    try:
        return int((params.get("year") or [""])[0])
    except ValueError:
        return calendar.today().year


def _spooled():
    return tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)


def build_teachers(job, params, progress):
    """Every teacher of the filter with the columns of seed 004 §9.5, streamed: memory flat at any size."""
    from rmo_portal.excel import xlsx_write

    today = calendar.today()
    teachers = filtered(job.owner, params).for_export().ordered()
    total = teachers.count()
    output = _spooled()
    xlsx_write(
        output,
        title="Педагоги",
        headers=EXPORT_HEADERS,
        rows=export_rows(teachers.iterator(chunk_size=CHUNK), on=today),
        progress=lambda done: progress(done, total),
    )
    output.seek(0)
    return f"teachers-{today:%Y-%m-%d}.xlsx", output


def _schedule_build(code: str):
    schedule = SCHEDULES[code]

    def build(job, params, progress):
        today = calendar.today()
        year = schedule_year(params)
        years = list(range(year, year + PLAN_YEARS))
        teachers = schedule.queryset(filtered(job.owner, params).for_list(), year=year, on=today)
        rows = schedule.build(teachers.iterator(chunk_size=CHUNK), year=year)
        progress(1, 2)
        fmt = (params.get("format") or ["xlsx"])[0]
        if fmt == "pdf":
            from rmo_portal.pdf import render_pdf

            content = render_pdf(
                "pdf/schedule.html",
                {"title": schedule.title, "year": year, "years": years, "rows": rows, "today": today,
                 "due_label": schedule.due_label, "DISTRICT_NAME": _district()},
            )  # fmt: skip
            return f"{schedule.filename}-{year}.pdf", content
        from rmo_portal.excel import xlsx_write

        output = _spooled()
        xlsx_write(output, title=schedule.title, headers=schedule.xlsx_headers(years),
                   rows=schedule.xlsx_rows(rows, years=years))  # fmt: skip
        output.seek(0)
        return f"{schedule.filename}-{year}.xlsx", output

    return build


def _district() -> str:

    from rmo_portal.district import district

    return district().name


def register_exports() -> None:
    register("teachers", label="База педагогов (Excel)", permission="members.view_teacher_list", build=build_teachers)
    for code, schedule in SCHEDULES.items():
        register(code, label=schedule.title, permission="members.view_teacher_list", build=_schedule_build(code))
