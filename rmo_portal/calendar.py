"""The one calendar of the portal: every date question is answered here, and nowhere else.

- `today()`: today in the district's time zone (settings.TIME_ZONE; one deployment serves one district).
- `academic_year_of(day)`: the academic year a day belongs to, by its first calendar year (2026 for 2026/27).
- `year_bounds(year)`, `periods(kind, year)`, `period_containing(kind, day)`: the academic year, its school terms
  (четверти), half-years (полугодия: 1 September – 31 December, 1 January – the end of the year) and calendar
  quarters (the four whose last month falls in the academic year: July–September … April–June, as seed 004
  §9.3 counts notes per calendar year).
- `day_in_year(year, month, day)`: a day and month of a rule inside an academic year.
- `check_day_month()`, `parse_day_month()`: what a rule row may hold (no 31.02, no 29.02, no month 0).
- `Requirement`: one dated thing a regulation asks of an association in a year — what, which period, by when,
  which academic year it is for, and whether the date is the regulation's or assumed. The rule rows in
  `associations` produce them (`Regulation.requirements(year)`), using only this module for dates.

The years and terms themselves are rows an administrator edits (associations.AcademicYear, SchoolTerm): the app
that owns them registers a `YearSource` here (in its AppConfig.ready); without one, the defaults below apply.
"""

import calendar as stdlib_calendar
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from .text import date_ru

# The academic year starts on 1 September and ends on 31 August (seed 004 says «по 30 августа»: the rows
# of associations.AcademicYear may say so for a district).
YEAR_START = (9, 1)
# The default school terms («четверти»): not calendar quarters (DOMAIN.md). (month, day) pairs.
DEFAULT_TERMS = [((9, 1), (10, 31)), ((11, 1), (12, 31)), ((1, 9), (3, 31)), ((4, 1), (5, 31))]


class PeriodKind:
    TERM = "term"
    HALF_YEAR = "half_year"
    QUARTER = "quarter"
    YEAR = "year"

    LABELS = {TERM: "четверть", HALF_YEAR: "полугодие", QUARTER: "квартал", YEAR: "учебный год"}
    # «за каждую четверть», «за каждое полугодие»…
    EACH = {TERM: "каждую четверть", HALF_YEAR: "каждое полугодие", QUARTER: "каждый квартал", YEAR: "учебный год"}


ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Period:
    """A stretch of the calendar: a term, a half-year, a quarter or a whole academic year."""

    kind: str
    number: int
    starts_on: datetime.date
    ends_on: datetime.date
    academic_year: int

    def __contains__(self, day: datetime.date) -> bool:
        return self.starts_on <= day <= self.ends_on

    @property
    def label(self) -> str:
        """«1 четверть 2026/27», «II полугодие 2026/27», «III квартал 2026», «2026/27 учебный год»."""
        year = academic_year_label(self.academic_year)
        if self.kind == PeriodKind.TERM:
            return f"{self.number} четверть {year}"
        if self.kind == PeriodKind.HALF_YEAR:
            return f"{ROMAN[self.number]} полугодие {year}"
        if self.kind == PeriodKind.QUARTER:
            return f"{ROMAN[(self.ends_on.month - 1) // 3 + 1]} квартал {self.ends_on.year}"
        return f"{year} учебный год"

    def __str__(self) -> str:
        return self.label


@dataclass(frozen=True)
class YearShape:
    """What the rows say about one academic year: its bounds and its terms."""

    starts_on: datetime.date
    ends_on: datetime.date
    terms: tuple[tuple[datetime.date, datetime.date], ...]


YearSource = Callable[[int], YearShape]
_source: list[YearSource] = []


def register_year_source(source: YearSource) -> None:
    """The app that keeps academic years as rows answers `source(start_year) -> YearShape` (one at a time)."""
    _source[:] = [source]


def default_shape(year: int) -> YearShape:
    """1 September – 31 August with the default terms."""
    return YearShape(
        starts_on=datetime.date(year, *YEAR_START),
        ends_on=datetime.date(year + 1, *YEAR_START) - datetime.timedelta(days=1),
        terms=tuple((day_in_year(year, *start), day_in_year(year, *end)) for start, end in DEFAULT_TERMS),
    )


def shape(year: int) -> YearShape:
    return _source[0](year) if _source else default_shape(year)


# --- today and the academic year ---------------------------------------------------------------


def today() -> datetime.date:
    """Today in the district (its time zone from the first-run setup, else TIME_ZONE), whatever the server's."""
    from zoneinfo import ZoneInfo

    from .district import district_time_zone

    return timezone.localdate(timezone=ZoneInfo(district_time_zone()))


def academic_year_of(day: datetime.date) -> int:
    """The academic year a day belongs to, by its first calendar year: 1 Sep 2026 – 31 Aug 2027 → 2026."""
    guess = day.year if (day.month, day.day) >= YEAR_START else day.year - 1
    for year in (guess + 1, guess, guess - 1):  # where two years' rows overlap, the newer one wins
        bounds = shape(year)
        if bounds.starts_on <= day <= bounds.ends_on:
            return year
    return guess


def current_academic_year() -> int:
    return academic_year_of(today())


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same day `years` years earlier (29 February → 28 February): N full years of experience on `day`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def academic_year_label(year: int) -> str:
    """«2026/27»."""
    return f"{year}/{str(year + 1)[-2:]}"


def year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    bounds = shape(year)
    return bounds.starts_on, bounds.ends_on


def day_in_year(year: int, month: int, day: int) -> datetime.date:
    """A day and month inside the academic year that starts in September of `year` (September–August)."""
    return datetime.date(year if (month, day) >= YEAR_START else year + 1, month, day)


# --- periods -------------------------------------------------------------------------------------


def periods(kind: str, year: int) -> list[Period]:
    """The periods of a kind that make up an academic year, in order."""
    starts_on, ends_on = year_bounds(year)
    if kind == PeriodKind.YEAR:
        return [Period(kind, 1, starts_on, ends_on, year)]
    if kind == PeriodKind.TERM:
        return [Period(kind, n, s, e, year) for n, (s, e) in enumerate(shape(year).terms, start=1)]
    if kind == PeriodKind.HALF_YEAR:
        december = datetime.date(year, 12, 31)
        return [
            Period(kind, 1, starts_on, december, year),
            Period(kind, 2, december + datetime.timedelta(days=1), ends_on, year),
        ]
    if kind == PeriodKind.QUARTER:
        result = []
        for number, (y, last_month) in enumerate(((year, 9), (year, 12), (year + 1, 3), (year + 1, 6)), start=1):
            first = datetime.date(y, last_month - 2, 1)
            last = datetime.date(y, last_month, stdlib_calendar.monthrange(y, last_month)[1])
            result.append(Period(kind, number, first, last, year))
        return result
    raise ValueError(f"unknown period kind {kind!r}")


def period_containing(kind: str, day: datetime.date) -> Period | None:
    """The period of a kind a day falls in (None between terms, e.g. in the holidays)."""
    year = academic_year_of(day)
    for candidate_year in (year, year - 1, year + 1):
        for period in periods(kind, candidate_year):
            if day in period:
                return period
    return None


# --- day and month of a rule ---------------------------------------------------------------------

MONTHS_PREPOSITIONAL = ["", "январе", "феврале", "марте", "апреле", "мае", "июне", "июле", "августе", "сентябре",
                        "октябре", "ноябре", "декабре"]  # fmt: skip
MONTHS_GENITIVE = ["", "января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
                   "октября", "ноября", "декабря"]  # fmt: skip


def check_day_month(day: int | None, month: int | None) -> None:
    """A day and month that exists in every year; ValueError with a Russian message otherwise."""
    if month is None or not 1 <= month <= 12:
        raise ValueError("Месяц — число от 1 до 12.")
    if day is None or day < 1:
        raise ValueError("Число — от 1.")
    if month == 2 and day == 29:
        raise ValueError("29 февраля бывает не каждый год: укажите 28 февраля или 1 марта.")
    longest = stdlib_calendar.monthrange(2025, month)[1]  # a common year
    if day > longest:
        raise ValueError(f"В {MONTHS_PREPOSITIONAL[month]} нет {day}-го числа.")


def parse_day_month(text: str) -> tuple[int, int]:
    """«25.09» → (25, 9); ValueError with a Russian message for a malformed or impossible day."""
    try:
        day_text, month_text = text.strip().split(".")
        day, month = int(day_text), int(month_text)
    except ValueError:
        raise ValueError("Укажите день и месяц через точку: 25.09") from None
    check_day_month(day, month)
    return day, month


def day_month_label(day: int, month: int) -> str:
    """«25 сентября»."""
    return f"{day} {MONTHS_GENITIVE[month]}"


# --- requirements --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Requirement:
    """One dated thing a regulation asks of an association in an academic year.

    `due` is the deadline (for meetings: the end of the period); `starts_on` the first day of a window or of a
    period for doing it; `for_year` the academic year the document covers (the Вилюйский plan due 20 June is
    the next year's); `assumed` is true when the regulation names no date and the portal assumed one.
    """

    what: str
    kind: str  # "meeting", "document", "publication", "database", "protocol"
    due: datetime.date
    for_year: int
    rule: object = field(compare=False, default=None)
    period: Period | None = None
    starts_on: datetime.date | None = None
    assumed: bool = False
    confirmed: bool = True
    recipient: str = ""
    clause: str = ""

    def is_past(self, on: datetime.date | None = None) -> bool:
        """Past in the district's time: the due day has ended."""
        return self.due < (on or today())

    @property
    def for_year_label(self) -> str:
        return academic_year_label(self.for_year)

    @property
    def when(self) -> str:
        """«до 20 июня 2027 г.», «с 20 по 30 августа 2027 г.», «за 1 четверть 2026/27 (до 31 октября 2026 г.)»."""
        if self.kind == "meeting" and self.period is not None:
            return f"{self.period.label} (до {date_ru(self.due)})"
        if self.starts_on is not None:
            if self.starts_on.year == self.due.year:
                start = (
                    str(self.starts_on.day)
                    if self.starts_on.month == self.due.month
                    else day_month_label(self.starts_on.day, self.starts_on.month)
                )
                return f"с {start} по {date_ru(self.due)}"
            return f"с {date_ru(self.starts_on)} по {date_ru(self.due)}"
        return f"до {date_ru(self.due)}"

    @property
    def escalates(self) -> bool:
        """An assumed date gives reminders to the leader only, never escalations, until an admin confirms it."""
        return not self.assumed or self.confirmed


def days_after(day: datetime.date, days: int) -> datetime.date:
    """The last day of a term of `days` calendar days counted from the day after `day` (a protocol within 3 days
    of a meeting on 12 November is due on 15 November)."""
    return day + datetime.timedelta(days=days)


MONTHS_NOMINATIVE = ["", "январь", "февраль", "март", "апрель", "май", "июнь", "июль", "август", "сентябрь",
                     "октябрь", "ноябрь", "декабрь"]  # fmt: skip
