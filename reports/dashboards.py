"""The deadline engine's dashboards (issue 12): what the obligations say about a methodist's associations and
about the whole district, read in a fixed number of queries however many associations and obligations.

- `deadline_grid()`: the associations in the user's scope × the year's obligation slots, each cell the state of
  one obligation (protocols, one per meeting, are one column with a count), with each row's compliance share.
- `compliance_by_methodist()`: for the district head, each methodist's associations taken together.
- `needs_attention_today()`: what needs a methodist today (overdue obligations, those due today, documents sent
  to her for review).
- `escalations_to_head()`: the open obligations whose escalation to the district head fell due.
- `leaders_flagged()`: the leaders whose association has been overdue in each of the last months the regulation
  allows before a leader may be replaced (seed 004 §6.2: «в течение трёх месяцев подряд»).

**The compliance share** of a set of obligations is the number fulfilled on time over the number whose due day has
ended (due < today), waived ones left out on both sides: an obligation not yet due is not counted, even when it is
already fulfilled, so that the share never exceeds 100 %.

"The year's obligations" are those whose due date falls inside the academic year (`calendar.year_bounds`): the
plan for next year that is due on 20 June is in this year's grid, under a header that names the year it covers.
"""

import datetime
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.db.models import Q
from django.urls import reverse

from associations.models import Association, Document, Membership
from members.models import Role, User
from rmo_portal import calendar
from rmo_portal.search import search
from rmo_portal.text import count_ru

from .models import Filing, Obligation

Status = Obligation.Status
# The badge a cell of several obligations (the protocols) shows: its worst state, in this order.
SEVERITY = [Status.OVERDUE, Status.DUE_SOON, Status.UPCOMING, Status.FULFILLED_LATE, Status.FULFILLED_ON_TIME,
            Status.WAIVED]  # fmt: skip
# Short names of the documents for the grid's headers (the full ones are on the obligation's page).
DOCUMENT_HEADERS = {
    Document.PLAN_DRAFT: "Проект плана",
    Document.WORK_PLAN: "План работы",
    Document.ANNUAL_REPORT: "Анализ за год",
    Document.QUARTERLY_NOTE: "Аналитическая записка",
    Document.PORTFOLIO: "Портфолио",
    Document.SELF_ASSESSMENT: "Самооценка",
}
PROTOCOLS = ("protocol",)


# --- the compliance share ------------------------------------------------------------------------------------------


@dataclass
class Share:
    """Fulfilled on time over obligations whose due day has ended (waived ones not counted)."""

    on_time: int = 0
    counted: int = 0

    def add(self, obligation: Obligation, today: datetime.date) -> None:
        if obligation.status == Status.WAIVED or obligation.due >= today:
            return
        self.counted += 1
        self.on_time += obligation.status == Status.FULFILLED_ON_TIME

    def __iadd__(self, other: "Share") -> "Share":
        self.on_time += other.on_time
        self.counted += other.counted
        return self

    @property
    def percent(self) -> int | None:
        return round(100 * self.on_time / self.counted) if self.counted else None

    @property
    def label(self) -> str:
        """«75 % (3 из 4 в срок)»; «сроки ещё не наступили» when nothing is counted yet."""
        if not self.counted:
            return "сроки ещё не наступили"
        return f"{self.percent} % ({self.on_time} из {self.counted} в срок)"


def share_of(obligations: Iterable[Obligation], today: datetime.date) -> Share:
    share = Share()
    for obligation in obligations:
        share.add(obligation, today)
    return share


# --- the scope --------------------------------------------------------------------------------------------------


def is_district_wide(user) -> bool:
    """The head and the administrators see the whole district; a methodist sees the associations she curates."""
    return user.is_authenticated and (user.role in (Role.DISTRICT_HEAD, Role.ADMIN) or user.is_superuser)


def associations_in_scope(user):
    """The active associations whose obligations `user` oversees (none for those who oversee none)."""
    active = Association.objects.active()
    if is_district_wide(user):
        return active
    if user.is_authenticated and user.role == Role.METHODIST:
        return active.filter(curators=user)
    return active.none()


# --- the grid ------------------------------------------------------------------------------------------------------


@dataclass
class Column:
    key: tuple
    header: str
    first_due: datetime.date


@dataclass
class Cell:
    """One slot of one association: one obligation, or the year's protocols together."""

    obligations: list[Obligation]

    @property
    def obligation(self) -> Obligation | None:
        return self.obligations[0] if len(self.obligations) == 1 else None

    @property
    def status(self) -> str:
        present = {o.status for o in self.obligations}
        return next(s for s in SEVERITY if s in present)

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def badge(self) -> str:
        return Obligation.STATUS_BADGE[self.status]

    @property
    def summary(self) -> str:
        """«2 из 3 в срок» for the protocols of a year."""
        on_time = sum(o.status == Status.FULFILLED_ON_TIME for o in self.obligations)
        return f"{on_time} из {len(self.obligations)} в срок"

    @property
    def text(self) -> str:
        """The cell as words, for the Excel file: «Просрочено, до 20 июня 2027 г.», «Протоколы: 2 из 3 в срок»."""
        if self.obligation is not None:
            return f"{self.status_label}, {self.obligation.due_label}"
        return f"{self.summary}, худшее: {self.status_label.lower()}"


@dataclass
class Row:
    association: Association
    leader: User | None
    curators: list[User]
    cells: list[Cell | None]
    share: Share


@dataclass
class Grid:
    academic_year: int
    today: datetime.date
    columns: list[Column]
    rows: list[Row]
    share: Share
    counts: list[tuple[str, str, int]] = field(default_factory=list)  # (status, label, number) for the legend

    @property
    def year_label(self) -> str:
        return calendar.academic_year_label(self.academic_year)


def slot_of(obligation: Obligation, academic_year: int) -> tuple[tuple, str]:
    """The column an obligation belongs in and its Russian header: «Заседания: I полугодие», «Протоколы»,
    «План работы на 2027/28», «Аналитическая записка: III квартал 2026», «Публикация: анализ за год»."""
    kind = obligation.kind
    if kind == Obligation.Kind.PROTOCOL:
        return PROTOCOLS, "Протоколы"
    other_year = obligation.academic_year != academic_year
    year_note = f" на {calendar.academic_year_label(obligation.academic_year)}" if other_year else ""
    if kind == Obligation.Kind.MEETING:
        # period_key: «2026-half_year-1»; the period's last day is the due date (no calendar rows read per cell).
        _year, period_kind, number = [*obligation.period_key.split("-"), "", "", ""][:3]
        number = int(number) if number.isdigit() else 1
        period = calendar.Period(period_kind, number, obligation.starts_on or obligation.due, obligation.due,
                                 obligation.academic_year)  # fmt: skip
        label = period.label.removesuffix(f" {calendar.academic_year_label(obligation.academic_year)}")
        return (kind, obligation.period_key), f"Заседания: {label}{year_note}"
    document = DOCUMENT_HEADERS.get(obligation.document, obligation.document)
    if kind == Obligation.Kind.DOCUMENT and obligation.quarter:
        quarter = calendar.Period(calendar.PeriodKind.QUARTER, obligation.quarter, obligation.due, obligation.due,
                                  obligation.academic_year)  # fmt: skip
        return (kind, obligation.document, obligation.academic_year, obligation.quarter), f"{document}: {quarter}"
    if kind == Obligation.Kind.DOCUMENT:
        return (kind, obligation.document, obligation.academic_year), f"{document}{year_note}"
    if kind == Obligation.Kind.PUBLICATION:
        return (kind, obligation.document, obligation.academic_year), f"Публикация: {document.lower()}{year_note}"
    return (kind, obligation.academic_year), f"База педагогов{year_note}"


def year_obligations(academic_year: int):
    """The obligations due inside the academic year."""
    starts_on, ends_on = calendar.year_bounds(academic_year)
    return Obligation.objects.filter(due__gte=starts_on, due__lte=ends_on)


def _filtered(associations, user, filters: Mapping):
    if filters.get("methodist") and is_district_wide(user):
        associations = associations.filter(curators=filters["methodist"])
    if filters.get("kind"):
        associations = associations.filter(kind=filters["kind"])
    if (filters.get("q") or "").strip():
        associations = search(associations, ["name"], filters["q"])
    return associations


def deadline_grid(
    *, user, academic_year: int, filters: Mapping | None = None, today: datetime.date | None = None
) -> Grid:
    """The associations in the user's scope × the year's obligation slots (4 queries, however many of either).

    `filters` (all optional): `methodist` (a User, for those who see the district), `state` (an Obligation status:
    only the associations with at least one obligation of the year in it), `kind` (the association's), `q` (a
    part of the name, case and ё/е aside). Columns are in the order of their first due date; the protocols,
    one per meeting, are one column at the end.
    """
    filters = filters or {}
    today = today or calendar.today()
    on = min(today, calendar.year_bounds(academic_year)[1])
    associations = list(
        _filtered(associations_in_scope(user), user, filters).prefetch_related("curators").with_people(on=on)
    )
    by_association: dict[int, list[Obligation]] = defaultdict(list)
    obligations = year_obligations(academic_year).filter(association__in=[a.pk for a in associations])
    for obligation in obligations.order_by("due", "pk"):
        by_association[obligation.association_id].append(obligation)
    if filters.get("state"):
        associations = [a for a in associations if any(o.status == filters["state"] for o in by_association[a.pk])]
    columns: dict[tuple, Column] = {}
    slotted: dict[int, dict[tuple, list[Obligation]]] = {}
    for association in associations:
        slots = slotted[association.pk] = defaultdict(list)
        for obligation in by_association[association.pk]:
            key, header = slot_of(obligation, academic_year)
            slots[key].append(obligation)
            column = columns.setdefault(key, Column(key, header, obligation.due))
            column.first_due = min(column.first_due, obligation.due)
    ordered = sorted(columns.values(), key=lambda c: (c.key == PROTOCOLS, c.first_due, c.header))
    rows, total, counts = [], Share(), Counter()
    for association in associations:
        mine = by_association[association.pk]
        share = share_of(mine, today)
        total += share
        counts.update(o.status for o in mine)
        cells = [Cell(slotted[association.pk][c.key]) if c.key in slotted[association.pk] else None for c in ordered]
        leaders = association.leaders
        rows.append(Row(association, leaders[0] if leaders else None, list(association.curators.all()), cells, share))
    legend = [(s, Status(s).label, counts.get(s, 0)) for s in SEVERITY]
    return Grid(academic_year, today, ordered, rows, total, legend)


def grid_sheet(grid: Grid) -> tuple[list[str], list[list]]:
    """The grid as the Excel file's header and rows: the association, its leader and curators, the share, the
    cells in words."""
    headers = ["Объединение", "Руководитель", "Методист", "Исполнение, %", "В срок", "Сроки прошли",
               *(c.header for c in grid.columns)]  # fmt: skip
    rows = [
        [
            row.association.name, row.leader.full_name if row.leader else "",
            ", ".join(c.full_name for c in row.curators), row.share.percent, row.share.on_time, row.share.counted,
            *(cell.text if cell else "" for cell in row.cells),
        ]
        for row in grid.rows
    ]  # fmt: skip
    return headers, rows


# --- the head's views of the district ------------------------------------------------------------------------------


@dataclass
class MethodistShare:
    methodist: User
    associations: int
    share: Share


def compliance_by_methodist(*, academic_year: int, today: datetime.date | None = None) -> list[MethodistShare]:
    """Each active methodist with the compliance share of the active associations she curates, taken together
    (3 queries). An association with two curators counts for each."""
    today = today or calendar.today()
    methodists = list(User.objects.filter(role=Role.METHODIST, is_active=True).order_by("sort_key", "pk"))
    curated = defaultdict(set)
    through = Association.curators.through.objects.filter(
        user__in=[m.pk for m in methodists], association__status=Association.Status.ACTIVE
    )
    for user_id, association_id in through.values_list("user_id", "association_id"):
        curated[user_id].add(association_id)
    per_association: dict[int, Share] = defaultdict(Share)
    passed = (
        year_obligations(academic_year)
        .filter(due__lt=today, association__status=Association.Status.ACTIVE)
        .exclude(status=Status.WAIVED)
    )
    for association_id, status in passed.values_list("association_id", "status"):
        share = per_association[association_id]
        share.counted += 1
        share.on_time += status == Status.FULFILLED_ON_TIME
    found = []
    for methodist in methodists:
        share = Share()
        for association_id in curated[methodist.pk]:
            share += per_association.get(association_id, Share())
        found.append(MethodistShare(methodist, len(curated[methodist.pk]), share))
    return found


def district_share(*, academic_year: int, today: datetime.date) -> Share:
    """The compliance share of the district's active associations for the year (1 query)."""
    passed = year_obligations(academic_year).filter(due__lt=today, association__status=Association.Status.ACTIVE)
    share = Share()
    for status in passed.exclude(status=Status.WAIVED).values_list("status", flat=True):
        share.counted += 1
        share.on_time += status == Status.FULFILLED_ON_TIME
    return share


def _overdue_open(associations):
    return (
        Obligation.objects.open()
        .filter(association__in=associations)
        .select_related("association__regulation")
        .order_by("due", "association__name", "pk")
    )


def escalations_to_head(*, today: datetime.date, user=None) -> list[Obligation]:
    """Open obligations whose escalation to the district head fell due by `today`: the regulation's delay after
    the due date has passed and the date is one that escalates (not an assumed, unconfirmed one). 1 query."""
    associations = associations_in_scope(user) if user is not None else Association.objects.active()
    rows = _overdue_open(associations).filter(escalates=True, due__lt=today)
    return [
        o for o in rows if o.due + datetime.timedelta(days=o.association.regulation.escalate_to_head_after) <= today
    ]


# --- the methodist's day -------------------------------------------------------------------------------------------


@dataclass
class Attention:
    overdue: list[Obligation]
    due_today: list[Obligation]
    to_review: int

    @property
    def escalated(self) -> list[Obligation]:
        return [o for o in self.overdue if o.escalated]

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due_today or self.to_review)


def needs_attention_today(*, user, today: datetime.date) -> Attention:
    """What needs the methodist today (2 queries): the open obligations of her associations that are overdue
    (each marked `escalated` once the regulation's delay for telling her has passed and the date escalates),
    those due today, and how many documents wait for her review."""
    rows = list(_overdue_open(associations_in_scope(user)).filter(due__lte=today))
    for o in rows:
        delay = datetime.timedelta(days=o.association.regulation.escalate_to_methodist_after)
        o.escalated = o.escalates and o.due + delay <= today
    return Attention(
        overdue=[o for o in rows if o.due < today],
        due_today=[o for o in rows if o.due == today],
        to_review=Filing.objects.awaiting_review_by(user).count() if user.is_authenticated else 0,
    )


# --- the flagged leaders (seed 004 §6.2) -----------------------------------------------------------------------------


@dataclass
class Flag:
    association: Association
    leader: User
    months: int
    obligations: list[Obligation]

    @property
    def order_url(self) -> str:
        """The draft of the order that releases the leader, with the association and the leader filled in."""
        return reverse("associations:order_create") + (
            f"?kind=dismiss&association={self.association.pk}&candidate={self.leader.pk}"
        )

    @property
    def months_label(self) -> str:
        return count_ru(self.months, ("месяц", "месяца", "месяцев"))


def month_starts(today: datetime.date, months: int) -> list[datetime.date]:
    """The first days of the last `months` calendar months, ending with today's, oldest first."""
    firsts = [today.replace(day=1)]
    while len(firsts) < months:
        firsts.insert(0, (firsts[0] - datetime.timedelta(days=1)).replace(day=1))
    return firsts


def overdue_span(obligation: Obligation, today: datetime.date) -> tuple[datetime.date, datetime.date] | None:
    """The days an obligation was overdue, both ends included: from the day after its due date until the day it
    was fulfilled (late) or today (still open); None if it never was (fulfilled on time, waived, not yet due)."""
    start = obligation.due + datetime.timedelta(days=1)
    if obligation.status == Status.FULFILLED_LATE and obligation.fulfilled_at:
        from django.utils import timezone

        end = timezone.localdate(obligation.fulfilled_at)
    elif obligation.is_open:
        end = today
    else:
        return None
    return (start, end) if start <= end else None


def leaders_flagged(*, today: datetime.date, user=None) -> list[Flag]:
    """The current leaders whose association was overdue in each of the last N calendar months, today's month
    being the last of them, where N is the regulation's `leader_replace_after_months` (3 for the Вилюйский УМО,
    seed 004 §6.2); associations whose regulation sets no N are never flagged.

    Precisely: for each of the N months, some obligation of the association was overdue on at least one day of that
    month (`overdue_span`: from the day after its due date to the day it was fulfilled late, or to today while it
    is open). Fulfilled on time and waived obligations never count, nor do those whose date is assumed and
    unconfirmed (they never escalate: DOMAIN.md). `user`: only the associations in her scope (a methodist's
    own); None: the whole district. 3 queries.
    """
    associations = associations_in_scope(user) if user is not None else Association.objects.active()
    associations = associations.filter(regulation__leader_replace_after_months__gte=1)
    longest = max(associations.values_list("regulation__leader_replace_after_months", flat=True), default=0)
    if not longest:
        return []
    window = month_starts(today, longest)[0]
    candidates = (
        Obligation.objects.filter(association__in=associations, escalates=True, due__lt=today)
        .filter(Q(status__in=Obligation.OPEN) | Q(status=Status.FULFILLED_LATE, fulfilled_at__date__gte=window))
        .select_related("association__regulation")
        .order_by("association__name", "due", "pk")
    )
    by_association: dict[int, list[Obligation]] = defaultdict(list)
    for obligation in candidates:
        by_association[obligation.association_id].append(obligation)
    leaders = {}
    memberships = Membership.objects.current(on=today).filter(
        association__in=list(by_association), role=Membership.Role.LEADER
    )
    for membership in memberships.select_related("user").order_by("start_date", "pk"):
        leaders.setdefault(membership.association_id, membership.user)
    flags = []
    for association_id, obligations in by_association.items():
        association = obligations[0].association
        months = association.regulation.leader_replace_after_months
        if association_id not in leaders:
            continue
        starts = month_starts(today, months)
        spans = [(o, overdue_span(o, today)) for o in obligations]
        spans = [(o, span) for o, span in spans if span is not None]
        every_month = all(
            any(span[0] <= _month_end(first) and span[1] >= first for _o, span in spans) for first in starts
        )
        if every_month:
            overlapping = [o for o, span in spans if span[1] >= starts[0]]
            flags.append(Flag(association, leaders[association_id], months, overlapping))
    return flags


def _month_end(first: datetime.date) -> datetime.date:
    return (first + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)
